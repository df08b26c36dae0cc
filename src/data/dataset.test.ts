import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadImageFolder, loadCsvManifest, loadDataset, parseCsvLine, limitSamples } from './dataset.js';
import { RobustartError } from '../errors.js';
import { tempDir, writeImageFolder } from '../testing/fixtures.js';

function touch(path: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, 'x');
}

test('ImageFolder: sorted class folders give labels, files sorted, nested files found, non-images ignored', () => {
  const root = tempDir();
  for (const p of ['dog/b.jpg', 'dog/a.JPEG', 'cat/z.png', 'cat/sub/y.webp', 'cat/notes.txt', 'Zebra/1.bmp', 'ant/.hidden.jpg']) touch(join(root, p));
  const ds = loadImageFolder(root);
  assert.deepEqual(ds.classes, ['Zebra', 'ant', 'cat', 'dog']); // code-point order, as Python's sorted()
  assert.deepEqual(
    ds.samples.map((s) => [s.id, s.label]),
    [['Zebra/1.bmp', 0], ['ant/.hidden.jpg', 1], ['cat/sub/y.webp', 2], ['cat/z.png', 2], ['dog/a.JPEG', 3], ['dog/b.jpg', 3]],
  );
  assert.match(ds.fingerprint, /^[0-9a-f]{16}$/);
});

test('the fingerprint changes when a label changes', () => {
  const a = tempDir();
  const b = tempDir();
  touch(join(a, 'x/1.jpg'));
  touch(join(a, 'y/2.jpg'));
  touch(join(b, 'x/1.jpg'));
  touch(join(b, 'x/2.jpg'));
  touch(join(b, 'y/0.jpg'));
  assert.notEqual(loadImageFolder(a).fingerprint, loadImageFolder(b).fingerprint);
});

test('ImageFolder without class folders, or without images, is an actionable error', () => {
  const empty = tempDir();
  assert.throws(() => loadImageFolder(empty), /has no class sub-folders/);
  mkdirSync(join(empty, 'cls'));
  writeFileSync(join(empty, 'cls', 'readme.md'), '');
  assert.throws(() => loadImageFolder(empty), /no images/);
});

test('CSV line parsing honours quotes', () => {
  assert.deepEqual(parseCsvLine('a.jpg,3'), ['a.jpg', '3']);
  assert.deepEqual(parseCsvLine('"dir, with comma/a.jpg",cat'), ['dir, with comma/a.jpg', 'cat']);
  assert.deepEqual(parseCsvLine('"say ""hi"".png", 2 '), ['say "hi".png', '2']);
});

test('CSV manifest: header optional, relative paths resolved against the CSV, numeric labels', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'm.csv'), 'path,label\nimgs/a.jpg,2\n/abs/b.jpg,0\n\n');
  const ds = loadCsvManifest(join(dir, 'm.csv'));
  assert.deepEqual(ds.samples.map((s) => [s.path, s.label]), [[join(dir, 'imgs/a.jpg'), 2], ['/abs/b.jpg', 0]]);
  assert.deepEqual(ds.classes, ['0', '1', '2']);
  writeFileSync(join(dir, 'n.csv'), 'a.jpg,1\n');
  assert.equal(loadCsvManifest(join(dir, 'n.csv')).samples.length, 1);
});

test('CSV manifest: class-name labels use the model\'s label list when given, sorted names otherwise', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'm.csv'), 'a.jpg,dog\nb.jpg,cat\n');
  assert.deepEqual(loadCsvManifest(join(dir, 'm.csv')).samples.map((s) => s.label), [1, 0]);
  assert.deepEqual(loadCsvManifest(join(dir, 'm.csv'), ['dog', 'bird', 'cat']).samples.map((s) => s.label), [0, 2]);
  assert.throws(() => loadCsvManifest(join(dir, 'm.csv'), ['bird', 'cat']), /line 1: label 'dog' is not one of the model's classes/);
});

test('CSV manifest: labels that are neither a class index nor a class name are refused by row, never remapped', () => {
  const dir = tempDir();
  const csv = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
  assert.throws(() => loadCsvManifest(csv('neg.csv', 'a.jpg,0\nb.jpg,-1\nc.jpg,1\n')), /neg\.csv line 2: label '-1' is not a class index/);
  assert.throws(() => loadCsvManifest(csv('frac.csv', 'a.jpg,0\nb.jpg,1.5\n')), /frac\.csv line 2: label '1\.5' is not a class index/);
  assert.throws(() => loadCsvManifest(csv('mixed.csv', 'a.jpg,0\nb.jpg,banana\n')), /mixed\.csv line 2: mixes class indices \(line 1\) and class names \(line 2\)/);
  assert.throws(() => loadCsvManifest(csv('named.csv', 'a.jpg,cat\nb.jpg,banana\n'), ['cat', 'dog']), /named\.csv line 2: label 'banana' is not one of the model's classes/);
  assert.throws(() => loadCsvManifest(csv('big.csv', 'a.jpg,2\n'), ['cat', 'dog']), /big\.csv line 1: label 2 is not below the model's 2 classes/);
  // With the model's names, indices and names may be mixed.
  assert.deepEqual(loadCsvManifest(csv('both.csv', 'a.jpg,1\nb.jpg,cat\n'), ['cat', 'dog']).samples.map((s) => s.label), [1, 0]);
});

test('CSV manifest: a path listed twice must keep its label; a header alone is no samples', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'dup.csv'), 'a.jpg,0\nb.jpg,1\na.jpg,1\n');
  assert.throws(() => loadCsvManifest(join(dir, 'dup.csv')), /dup\.csv line 3: a\.jpg is listed again with label '1' \(line 1 gives '0'\)/);
  writeFileSync(join(dir, 'same.csv'), 'a.jpg,0\nb.jpg,1\na.jpg,0\n');
  assert.equal(loadCsvManifest(join(dir, 'same.csv')).samples.length, 2);
  writeFileSync(join(dir, 'header.csv'), 'path,label\n');
  assert.throws(() => loadCsvManifest(join(dir, 'header.csv')), /header\.csv has no samples, only a header/);
});

test('CSV manifest: a malformed line is named by number', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'bad.csv'), 'path,label\na.jpg,1\njust-a-path.jpg\n');
  assert.throws(() => loadCsvManifest(join(dir, 'bad.csv')), (err: unknown) => err instanceof RobustartError && /bad\.csv line 3: expected 'path,label'/.test(err.message));
});

test('loadDataset: missing path and unsupported files are clear errors', () => {
  assert.throws(() => loadDataset('/no/such/dir'), /dataset not found: \/no\/such\/dir/);
  const dir = tempDir();
  writeFileSync(join(dir, 'list.txt'), '');
  assert.throws(() => loadDataset(join(dir, 'list.txt')), /neither a directory nor a \.csv manifest/);
});

test('limitSamples: seeded subset across classes, dataset order kept, same seed same subset', () => {
  const root = tempDir();
  for (const c of ['a', 'b', 'c', 'd']) for (let i = 0; i < 25; i++) touch(join(root, c, `${i}.jpg`));
  const ds = loadImageFolder(root);
  const first = limitSamples(ds, 20, 3);
  assert.equal(first.length, 20);
  assert.deepEqual(first, limitSamples(ds, 20, 3));
  assert.notDeepEqual(first, limitSamples(ds, 20, 4));
  assert.ok(new Set(first.map((s) => s.label)).size >= 3, 'a subset spans classes, not a prefix of one');
  const positions = first.map((s) => ds.samples.indexOf(s));
  assert.deepEqual(positions, [...positions].sort((x, y) => x - y));
  assert.equal(limitSamples(ds, 1000, 0).length, 100);
});

test('ImageNet wnid folders map to the standard 1,000-class indices', () => {
  const root = tempDir();
  touch(join(root, 'n15075141', 'last.JPEG'));
  touch(join(root, 'n01440764', 'first.JPEG'));
  touch(join(root, 'n02123045', 'tabby.JPEG'));
  const ds = loadImageFolder(root);
  assert.equal(ds.classes.length, 1000);
  assert.deepEqual(ds.samples.map((s) => [s.id, s.label]), [['n01440764/first.JPEG', 0], ['n02123045/tabby.JPEG', 281], ['n15075141/last.JPEG', 999]]);
  const bad = tempDir();
  touch(join(bad, 'n00000001', 'x.jpg'));
  assert.throws(() => loadImageFolder(bad), /n00000001 looks like an ImageNet wnid but is not one of the 1,000 classes/);
});

test('a CSV manifest far beyond the argument limit of a spread loads (ImageNet train has 1.3M rows)', () => {
  // Math.max(...labels) threw RangeError from ~130k rows; 200k keeps the test short (the full 1,281,167 rows
  // load the same way, only slower).
  const dir = tempDir();
  const rows = 200_000;
  const lines = ['path,label'];
  for (let i = 0; i < rows; i++) lines.push(`train/n${String(i % 1000).padStart(8, '0')}/${i}.JPEG,${i % 1000}`);
  const csv = join(dir, 'train.csv');
  writeFileSync(csv, lines.join('\n'));
  const dataset = loadCsvManifest(csv);
  assert.equal(dataset.samples.length, rows);
  assert.equal(dataset.classes.length, 1000);
  assert.equal(dataset.samples[rows - 1].label, (rows - 1) % 1000);
  assert.deepEqual(parseCsvLine(' a.jpg , 3 '), ['a.jpg', '3']);
});

test('ImageFolder: a symlink loop is an error naming the link; a dangling link is listed (then skipped as unreadable)', async () => {
  const dir = tempDir();
  await writeImageFolder(join(dir, 'loop'), ['a', 'b'], 1, 8);
  symlinkSync('..', join(dir, 'loop', 'a', 'up'));
  assert.throws(() => loadImageFolder(join(dir, 'loop')), (err: unknown) => err instanceof RobustartError && /symlink loop in the dataset: .*loop\/a\/up\/a leads back to/.test(err.message));
  await writeImageFolder(join(dir, 'self'), ['a', 'b'], 1, 8);
  symlinkSync('me', join(dir, 'self', 'b', 'me'));
  assert.throws(() => loadImageFolder(join(dir, 'self')), /symlink loop in the dataset: .*self\/b\/me points \(through links\) to itself/);
  await writeImageFolder(join(dir, 'dangling'), ['a', 'b'], 1, 8);
  symlinkSync(join(dir, 'nowhere.jpg'), join(dir, 'dangling', 'a', 'gone.jpg'));
  assert.deepEqual(loadImageFolder(join(dir, 'dangling')).samples.map((s) => s.id), ['a/gone.jpg', 'a/img-000.jpg', 'b/img-000.jpg']);
});

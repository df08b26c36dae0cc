import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readdirSync, readFileSync, writeFileSync, existsSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiskCache, cacheKey, userCacheDir } from './disk-cache.js';
import { tempDir } from '../testing/fixtures.js';

test('an entry reads back with its metadata; an absent key is undefined', () => {
  const cache = new DiskCache(join(tempDir(), 'nested', 'cache'));
  const key = cacheKey('a', Uint8Array.of(1, 2));
  assert.equal(cache.get(key), undefined);
  assert.equal(cache.put(key, { names: ['x'] }, Uint8Array.of(9, 8, 7)), true);
  const entry = cache.get(key)!;
  assert.deepEqual(entry.meta, { names: ['x'] });
  assert.deepEqual([...entry.payload], [9, 8, 7]);
});

test('an entry stored from a file, read in chunks, is the entry stored from its bytes', () => {
  const dir = tempDir();
  const payload = Uint8Array.from({ length: 9 * 2 ** 20 + 17 }, (_, i) => (i * 31) & 255); // over two 4 MiB chunks
  const source = join(dir, 'payload.bin');
  writeFileSync(source, payload);
  const fromFile = new DiskCache(join(dir, 'a')), fromBytes = new DiskCache(join(dir, 'b'));
  const key = cacheKey('file');
  assert.equal(fromFile.putFile(key, { n: 1 }, source), true);
  fromBytes.put(key, { n: 1 }, payload);
  assert.ok(readFileSync(join(dir, 'a', key)).equals(readFileSync(join(dir, 'b', key))), 'the same entry file');
  assert.ok(Buffer.from(fromFile.get(key)!.payload).equals(payload), 'the same payload read back');
  assert.equal(fromFile.putFile(cacheKey('missing'), {}, join(dir, 'absent.bin')), false, 'a file that cannot be read stores nothing');
  assert.deepEqual(readdirSync(join(dir, 'a')), [key]);
});

test('cache keys separate their parts: moving a boundary changes the key', () => {
  assert.notEqual(cacheKey('ab', 'c'), cacheKey('a', 'bc'));
  assert.notEqual(cacheKey('ab'), cacheKey(new TextEncoder().encode('ab')));
  assert.equal(cacheKey('x', Uint8Array.of(1)), cacheKey('x', Uint8Array.of(1)));
});

test('a corrupt or truncated entry is deleted and reads as absent, so it is rebuilt', () => {
  const dir = tempDir();
  const cache = new DiskCache(dir);
  const payload = Uint8Array.from({ length: 1000 }, (_, i) => i & 255);
  for (const damage of [(b: Buffer) => ((b[b.length - 10] ^= 1), b), (b: Buffer) => b.subarray(0, b.length - 1), (b: Buffer) => b.subarray(0, 5), () => Buffer.from('not an entry')]) {
    const key = cacheKey(String(damage));
    cache.put(key, null, payload);
    const file = join(dir, key);
    writeFileSync(file, damage(readFileSync(file)));
    assert.equal(cache.get(key), undefined);
    assert.equal(existsSync(file), false);
  }
  // An entry copied under another key is not trusted either.
  const a = cacheKey('a');
  const b = cacheKey('b');
  cache.put(a, null, payload);
  writeFileSync(join(dir, b), readFileSync(join(dir, a)));
  assert.equal(cache.get(b), undefined);
});

test('the size cap evicts least recently used entries first', () => {
  const dir = tempDir();
  const cache = new DiskCache(dir, 2500);
  const keys = ['k1', 'k2', 'k3'].map((k) => cacheKey(k));
  const old = new Date(Date.now() - 60_000);
  cache.put(keys[0], null, new Uint8Array(1000));
  cache.put(keys[1], null, new Uint8Array(1000));
  utimesSync(join(dir, keys[0]), old, old);
  utimesSync(join(dir, keys[1]), new Date(old.getTime() - 1000), new Date(old.getTime() - 1000));
  assert.ok(cache.get(keys[0])); // reading makes k1 the most recently used
  cache.put(keys[2], null, new Uint8Array(1000));
  assert.deepEqual(readdirSync(dir).sort(), [keys[0], keys[2]].sort());
});

test('an unwritable directory makes put return false instead of failing', () => {
  const file = join(tempDir(), 'a-file');
  writeFileSync(file, 'x');
  assert.equal(new DiskCache(join(file, 'cache')).put(cacheKey('k'), null, Uint8Array.of(1)), false);
});

test('the default directory follows XDG_CACHE_HOME', () => {
  const saved = process.env.XDG_CACHE_HOME;
  try {
    process.env.XDG_CACHE_HOME = '/some/where';
    assert.equal(userCacheDir('graphs'), '/some/where/robustart/graphs');
  } finally {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
  }
});

test('concurrent writers of one key leave one whole entry', async () => {
  const dir = tempDir();
  const key = cacheKey('shared');
  const module = fileURLToPath(new URL('./disk-cache.js', import.meta.url));
  // Each process writes its own 4 MB fill 5 times under the same key while the others do.
  const script = `const { DiskCache } = await import(${JSON.stringify(module)}); const c = new DiskCache(${JSON.stringify(dir)}); const fill = Number(process.argv[1]); for (let i = 0; i < 5; i++) c.put(${JSON.stringify(key)}, { fill }, new Uint8Array(4 << 20).fill(fill));`;
  await Promise.all([1, 2, 3, 4].map((fill) => promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, String(fill)])));
  const entry = new DiskCache(dir).get(key)!;
  const { fill } = entry.meta as { fill: number };
  assert.equal(entry.payload.length, 4 << 20);
  assert.ok(entry.payload.every((v) => v === fill));
  assert.deepEqual(readdirSync(dir), [key], 'no temporary files are left');
});

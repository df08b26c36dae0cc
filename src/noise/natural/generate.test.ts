// ImageNet-C / ImageNet-P trees on disk: layout, pipeline size, determinism across worker counts, resumability.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { toRgbImage } from '../../data/image.js';
import { syntheticImage } from './fixture.js';
import { generateImageNetC, generateImageNetP } from './generate.js';
import { outputPath } from './imagenet-c.js';

async function makeInput(root: string): Promise<void> {
  for (const [cls, name, w, h] of [['n01', 'a.png', 300, 260], ['n02', 'b.JPEG', 260, 320]] as const) {
    await mkdir(join(root, cls), { recursive: true });
    const img = toRgbImage(syntheticImage(w, h, w));
    const pipeline = sharp(img.data, { raw: { width: w, height: h, channels: 3 } });
    await (name.endsWith('.png') ? pipeline.png() : pipeline.jpeg({ quality: 95 })).toFile(join(root, cls, name));
  }
}

test('corrupt writes corruption/severity/class/file JPEGs of 224x224, identical on the main thread or 2 workers, and resumes', async () => {
  const root = await mkdtemp(join(tmpdir(), 'robustart-c-'));
  try {
    const input = join(root, 'in');
    await makeInput(input);
    const common = { inDir: input, corruptions: ['gaussian_noise', 'frost'], severities: [1, 4] as const, seed: 3 };
    const one = await generateImageNetC({ ...common, severities: [...common.severities], outDir: join(root, 'one'), workers: 0 });
    const two = await generateImageNetC({ ...common, severities: [...common.severities], outDir: join(root, 'two'), workers: 2 });
    assert.equal(one.written, 8);
    assert.equal(two.written, 8);
    const path = outputPath(join(root, 'one'), 'frost', 4, 'n01/a.png');
    assert.ok(path.endsWith(join('frost', '4', 'n01', 'a.JPEG')));
    const meta = await sharp(await readFile(path)).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(meta.width, 224);
    assert.equal(meta.height, 224);
    for (const rel of ['gaussian_noise/1/n01/a.JPEG', 'frost/4/n02/b.JPEG']) {
      assert.deepEqual(await readFile(join(root, 'one', rel)), await readFile(join(root, 'two', rel)), rel);
    }
    // Resume: existing outputs are skipped; a missing one is rewritten.
    await utimes(path, new Date(0), new Date(0));
    await rm(join(root, 'one', 'gaussian_noise', '1', 'n02', 'b.JPEG'));
    // A source that cannot be decoded is skipped and reported, the rest still written.
    await writeFile(join(input, 'n02', 'broken.jpg'), 'not an image');
    const again = await generateImageNetC({ ...common, severities: [...common.severities], outDir: join(root, 'one'), workers: 0 });
    assert.equal(again.written, 1);
    assert.equal(again.plan.existing, 7);
    assert.equal(again.skipped.length, 1);
    assert.match(again.skipped[0], /broken\.jpg/);
    assert.equal((await stat(path)).mtimeMs, 0, 'an existing file is not rewritten');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('imagenet-p writes 31 frames per sequence and resumes per sequence', async () => {
  const root = await mkdtemp(join(tmpdir(), 'robustart-p-'));
  try {
    const input = join(root, 'in');
    await makeInput(input);
    const options = { inDir: input, outDir: join(root, 'out'), perturbations: ['rotate', 'gaussian_noise'] as const, seed: 1, workers: 1 };
    const first = await generateImageNetP({ ...options, perturbations: [...options.perturbations] });
    assert.equal(first.written, 4);
    const frame = await sharp(await readFile(join(root, 'out', 'rotate', 'n02', 'b', '30.JPEG'))).metadata();
    assert.equal(frame.width, 224);
    const second = await generateImageNetP({ ...options, perturbations: [...options.perturbations] });
    assert.equal(second.written, 0);
    assert.equal(second.existing, 4);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

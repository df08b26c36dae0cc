import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { parseNpy } from '../../onnx/npy.js';
import { exampleName, saveExample } from './examples.js';

test('saved examples: PNG of the adversarial image and the exact float perturbation as .npy', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'robustart-examples-'));
  try {
    const shape = [3, 4, 5] as const;
    const clean = Float32Array.from({ length: 60 }, (_, i) => (i % 7) / 7);
    const adv = clean.map((v, i) => Math.min(1, Math.max(0, v + ((i % 3) - 1) * (1 / 255 + 1e-4))));
    const name = exampleName(3, 'class-a/img 01.jpg', 'pgd', 4 / 255);
    assert.equal(name, '00003-class-a_img_01-pgd-eps0.01569');
    const saved = await saveExample(dir, name, clean, adv, shape);
    assert.ok(existsSync(saved.png));
    const meta = await sharp(saved.png).metadata();
    assert.deepEqual([meta.width, meta.height, meta.channels], [5, 4, 3]);
    // A copied Uint8Array: parseNpy on a pooled Node Buffer reads from the wrong offset (reported to the owner of src/onnx/npy.ts).
    const npy = parseNpy(new Uint8Array(readFileSync(saved.perturbation)), saved.perturbation);
    assert.deepEqual(npy.shape, [3, 4, 5]);
    assert.deepEqual(npy.data, adv.map((v, i) => v - clean[i]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

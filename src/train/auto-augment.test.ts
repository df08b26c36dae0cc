import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../util/rng.js';
import { applyOp, magnitudeTable, equalize, autoAugment, randAugment, augMix, IMAGENET_POLICY, RANDAUGMENT_OPS } from './auto-augment.js';

const s = { channels: 1, height: 3, width: 3 };
const img = Float32Array.from([0, 10, 20, 30, 40, 50, 60, 70, 255], (v) => v / 255);
const as255 = (x: Float32Array) => Array.from(x, (v) => Math.round(v * 255));

test('magnitude tables are torchvision\'s (31 bins for RandAugment, 10 for AutoAugment and AugMix)', () => {
  const t = magnitudeTable(31, { channels: 3, height: 224, width: 224 });
  assert.equal(t.Rotate!.magnitudes[30], 30);
  assert.ok(Math.abs(t.TranslateX!.magnitudes[30] - (150 / 331) * 224) < 1e-9);
  assert.equal(t.Posterize!.magnitudes[0], 8);
  assert.equal(t.Posterize!.magnitudes[30], 4);
  assert.equal(t.Solarize!.magnitudes[30], 0);
  assert.ok(Math.abs(t.Brightness!.magnitudes[9] - 0.27) < 1e-9);
  const augmix = magnitudeTable(10, { channels: 3, height: 32, width: 32 }, 'augmix');
  assert.equal(augmix.Posterize!.magnitudes[9], 0);
  assert.ok(Math.abs(augmix.TranslateX!.magnitudes[9] - 32 / 3) < 1e-9);
  assert.equal(IMAGENET_POLICY.length, 25);
  assert.deepEqual(IMAGENET_POLICY[0], [['Posterize', 0.4, 8], ['Rotate', 0.6, 9]]);
  assert.equal(RANDAUGMENT_OPS.length, 14);
});

test('pixel ops on hand-computed 8-bit values', () => {
  assert.deepEqual(as255(applyOp(img, s, 'Posterize', 4)), [0, 0, 16, 16, 32, 48, 48, 64, 240]);
  assert.deepEqual(as255(applyOp(img, s, 'Solarize', 50)), [0, 10, 20, 30, 40, 205, 195, 185, 0]);
  assert.deepEqual(as255(applyOp(img, s, 'Invert', 0)), [255, 245, 235, 225, 215, 205, 195, 185, 0]);
  const low = Float32Array.from([20, 40, 60, 80, 100, 20, 40, 60, 80], (v) => v / 255);
  assert.deepEqual(as255(applyOp(low, s, 'AutoContrast', 0)), [0, 64, 128, 191, 255, 0, 64, 128, 191]);
  // PIL equalize of 9 distinct values: step = (9 − 1) // 255 = 0, so unchanged; a 2-value image spreads.
  assert.deepEqual(as255(equalize(img, s)), as255(img));
  const big = { channels: 1, height: 32, width: 32 };
  const twoLevels = Float32Array.from({ length: 1024 }, (_, i) => (i < 512 ? 100 : 150) / 255);
  const eq = as255(equalize(twoLevels, big));
  // step = (1024 − 512) // 255 = 2; lut[100] = (2 // 2) // 2 = 0, lut[150] = (1 + 512) // 2 = 256, clamped to 255
  assert.deepEqual([eq[0], eq[1023]], [0, 255]);
});

test('geometric ops: translate shifts with zero fill, rotate by 90° turns the grid, shear moves rows', () => {
  assert.deepEqual(as255(applyOp(img, s, 'TranslateX', 1)), [0, 0, 10, 0, 30, 40, 0, 60, 70]);
  assert.deepEqual(as255(applyOp(img, s, 'Rotate', 90)), [20, 50, 255, 10, 40, 70, 0, 30, 60]);
  assert.deepEqual(as255(applyOp(img, s, 'ShearX', 1)), [0, 10, 20, 40, 50, 0, 255, 0, 0]);
  assert.deepEqual(as255(applyOp(img, s, 'Rotate', 0)), as255(img));
});

test('policies are deterministic per stream and keep pixels in [0,1]', () => {
  const shape = { channels: 3, height: 8, width: 8 };
  const image = Float32Array.from({ length: 192 }, (_, i) => ((i * 37) % 256) / 255);
  for (const f of [(r: Rng) => autoAugment(image, shape, r), (r: Rng) => randAugment(image, shape, r, 2, 9), (r: Rng) => augMix(image, shape, r, { severity: 3, width: 3, depth: -1, alpha: 1 })]) {
    const a = f(new Rng(4));
    assert.deepEqual(Array.from(f(new Rng(4))), Array.from(a));
    assert.ok(a.every((v) => v >= -1e-6 && v <= 1 + 1e-6));
  }
  // AugMix is a convex combination of the image and its chains: a constant image stays within [0, 1] and
  // photometric-only chains of a 0/1 image never leave the range either.
  const flat = new Float32Array(192).fill(0.5);
  const mixed = augMix(flat, shape, new Rng(1), { severity: 1, width: 2, depth: 1, alpha: 1 });
  assert.ok(mixed.every((v) => v >= 0 && v <= 1));
});

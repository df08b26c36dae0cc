import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../util/rng.js';
import { randomResizedCropBox, cropAndResize, horizontalFlip, adjustBrightness, adjustContrast, adjustSaturation, adjustHue, trainTransform } from './augment.js';

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('RandomResizedCrop boxes lie inside the image with area fraction in scale and aspect in ratio (up to rounding)', () => {
  const rng = new Rng(3);
  for (let i = 0; i < 200; i++) {
    const b = randomResizedCropBox(rng, 32, 32, [0.08, 1], [3 / 4, 4 / 3]);
    assert.ok(b.top >= 0 && b.left >= 0 && b.top + b.height <= 32 && b.left + b.width <= 32, JSON.stringify(b));
    const area = (b.height * b.width) / 1024;
    assert.ok(area >= 0.05 && area <= 1, `${area}`);
    assert.ok(b.width / b.height >= 0.6 && b.width / b.height <= 1.6);
  }
  // Impossible requests fall back to the centre crop clamped to the ratio range (torchvision).
  assert.deepEqual(randomResizedCropBox(rng, 10, 40, [1, 1], [1, 1]), { top: 0, left: 15, height: 10, width: 10 });
});

test('crop-and-resize of the whole image is the identity; of one pixel is that pixel everywhere', () => {
  const image = Float32Array.from({ length: 2 * 4 * 4 }, (_, i) => i / 32);
  assert.deepEqual(Array.from(cropAndResize(image, 2, 4, 4, { top: 0, left: 0, height: 4, width: 4 })), Array.from(image));
  const one = cropAndResize(image, 2, 4, 4, { top: 1, left: 2, height: 1, width: 1 });
  assert.ok(one.slice(0, 16).every((v) => v === image[6]));
  assert.ok(one.slice(16).every((v) => v === image[16 + 6]));
});

test('horizontal flip mirrors each row', () => {
  assert.deepEqual(Array.from(horizontalFlip(Float32Array.of(1, 2, 3, 4, 5, 6), 1, 2, 3)), [3, 2, 1, 6, 5, 4]);
});

test('ColorJitter operations match torchvision\'s definitions on hand-computed pixels', () => {
  // one RGB pixel plus a second, plane = 2
  const img = Float32Array.of(0.8, 0.2, 0.4, 0.4, 0.2, 0.6);
  close(adjustBrightness(img, 1.5)[0], 1); // clamped
  close(adjustBrightness(img, 0.5)[1], 0.1);
  const gray0 = 0.299 * 0.8 + 0.587 * 0.4 + 0.114 * 0.2;
  const gray1 = 0.299 * 0.2 + 0.587 * 0.4 + 0.114 * 0.6;
  const mean = (gray0 + gray1) / 2;
  close(adjustContrast(img, 2, 0.5)[0], 0.5 * 0.8 + 0.5 * mean);
  close(adjustSaturation(img, 2, 0)[0], gray0);
  close(adjustSaturation(img, 2, 0)[2], gray0);
  // pure red rotated by a third of a turn is pure green
  const red = Float32Array.of(1, 0, 0);
  assert.deepEqual(Array.from(adjustHue(red, 1, 1 / 3)).map((v) => Math.round(v * 1e6) / 1e6), [0, 1, 0]);
  assert.deepEqual(Array.from(adjustHue(img, 2, 0)).map((v) => Math.round(v * 1e6) / 1e6), Array.from(img).map((v) => Math.round(v * 1e6) / 1e6));
});

test('the train transform is a pure function of the sample stream (deterministic per sample)', () => {
  const t = trainTransform({ randomResizedCrop: { scale: [0.08, 1], ratio: [0.75, 4 / 3] }, horizontalFlip: 0.5, colorJitter: { brightness: 0.2, contrast: 0.2, saturation: 0.2, hue: 0.1 } }, 3, 8, 8)!;
  const image = Float32Array.from({ length: 192 }, (_, i) => (i % 17) / 17);
  const a = t(image, new Rng(9));
  const b = t(image, new Rng(9));
  assert.deepEqual(Array.from(a), Array.from(b));
  assert.notDeepEqual(Array.from(t(image, new Rng(10))), Array.from(a));
  assert.equal(trainTransform({}, 3, 8, 8), undefined);
});

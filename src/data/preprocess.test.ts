import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roundHalfEven, scaleSize, resizedSize, centerCropOffsets, crop, resizeAndCrop } from './preprocess.js';
import type { RgbImage } from './image.js';
import { toFloatImage, toRgbImage, writeChw } from './image.js';
import { modelResizer } from './resize.js';
import type { Resizer } from './seams.js';

test('roundHalfEven follows Python round(): halves go to the even neighbour', () => {
  assert.deepEqual([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, 2.4, 2.6, 58.5, 16].map(roundHalfEven), [0, 2, 2, 4, -0, -2, 2, 3, 58, 16]);
});

test('scale size is floor(img_size / crop_pct) as timm computes it', () => {
  assert.deepEqual(scaleSize({ input_size: [3, 224, 224], crop_pct: 0.875, interpolation: 'bicubic' }), { height: 256, width: 256, square: true });
  assert.deepEqual(scaleSize({ input_size: [3, 224, 224], crop_pct: 0.9, interpolation: 'bicubic' }), { height: 248, width: 248, square: true });
  assert.deepEqual(scaleSize({ input_size: [3, 224, 224], crop_pct: 0.95, interpolation: 'bicubic' }), { height: 235, width: 235, square: true });
  assert.deepEqual(scaleSize({ input_size: [3, 384, 384], crop_pct: 1, interpolation: 'bicubic' }), { height: 384, width: 384, square: true });
  assert.deepEqual(scaleSize({ input_size: [3, 32, 32], crop_pct: 0.875, interpolation: 'bicubic' }), { height: 36, width: 36, square: true });
  assert.equal(scaleSize({ input_size: [3, 224, 160], crop_pct: 0.875, interpolation: 'bicubic' }).square, false);
});

test('shorter side resize truncates the longer side as torchvision does', () => {
  assert.deepEqual(resizedSize(500, 375, 256), { width: 341, height: 256 }); // 256*500/375 = 341.33
  assert.deepEqual(resizedSize(375, 500, 256), { width: 256, height: 341 });
  assert.deepEqual(resizedSize(333, 500, 256), { width: 256, height: 384 }); // 384.38
  assert.deepEqual(resizedSize(64, 64, 36), { width: 36, height: 36 });
});

test('center crop offsets use Python rounding of (size - crop) / 2', () => {
  assert.deepEqual(centerCropOffsets(341, 256, 224, 224), { left: 58, top: 16 }); // 58.5 -> 58
  assert.deepEqual(centerCropOffsets(343, 256, 224, 224), { left: 60, top: 16 }); // 59.5 -> 60
  assert.deepEqual(centerCropOffsets(36, 36, 32, 32), { left: 2, top: 2 });
  assert.deepEqual(centerCropOffsets(37, 37, 32, 32), { left: 2, top: 2 }); // 2.5 -> 2
});

function ramp(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x, y, (x + y) % 256], (y * width + x) * 3);
  return { width, height, data };
}

test('crop copies the exact window and pads with zeros beyond the image', () => {
  const image = ramp(10, 8);
  const c = crop(image, 3, 2, 4, 3);
  assert.equal(c.width, 4);
  assert.deepEqual([...c.data.subarray(0, 3)], [3, 2, 5]);
  assert.deepEqual([...c.data.subarray((2 * 4 + 3) * 3, (2 * 4 + 3) * 3 + 3)], [6, 4, 10]);
  const padded = crop(image, -1, 0, 3, 1);
  assert.deepEqual([...padded.data], [0, 0, 0, 0, 0, 0, 1, 0, 1]);
});

test('resizeAndCrop: 500x375 -> 341x256 -> centre 224 crop, sizes and window exact', async () => {
  const calls: [number, number][] = [];
  // A resizer that records the size asked for and fills each pixel with its own coordinates.
  const probe: Resizer = {
    name: 'probe',
    resize: (_img, width, height) => {
      calls.push([width, height]);
      return ramp(width, height);
    },
  };
  const out = await resizeAndCrop(ramp(500, 375), { input_size: [3, 224, 224], crop_pct: 0.875, interpolation: 'bilinear' }, probe);
  assert.deepEqual(calls, [[341, 256]]);
  assert.equal(out.width, 224);
  assert.equal(out.height, 224);
  assert.deepEqual([...out.data.subarray(0, 2)], [58, 16]); // the crop's first pixel is source (58, 16)
});

test('resizeAndCrop skips the resize when the image already has the scale size', async () => {
  let called = false;
  const probe: Resizer = { name: 'probe', resize: (img) => ((called = true), img) };
  const out = await resizeAndCrop(ramp(36, 36), { input_size: [3, 32, 32], crop_pct: 0.875, interpolation: 'bicubic' }, probe);
  assert.equal(called, false);
  assert.deepEqual([...out.data.subarray(0, 2)], [2, 2]);
});

test('the model resizer (Pillow-exact) keeps a constant image constant for every interpolation', async () => {
  const data = new Uint8Array(40 * 30 * 3).fill(137);
  for (const interpolation of ['nearest', 'bilinear', 'bicubic', 'lanczos'] as const) {
    const out = await modelResizer(interpolation).resize({ width: 40, height: 30, data }, 17, 13);
    assert.equal(out.width, 17);
    assert.equal(out.height, 13);
    assert.ok(out.data.every((v) => Math.abs(v - 137) <= 1), interpolation);
  }
});

test('pixels become [0,1] floats (ToTensor) and CHW planes', () => {
  const image: RgbImage = { width: 2, height: 1, data: Uint8Array.from([0, 128, 255, 51, 102, 204]) };
  const f = toFloatImage(image);
  assert.deepEqual([...f.data].map((v) => +v.toFixed(6)), [0, 0.501961, 1, 0.2, 0.4, 0.8]);
  const chw = new Float32Array(6);
  writeChw(f, chw, 0);
  assert.deepEqual([...chw].map((v) => +v.toFixed(6)), [0, 0.2, 0.501961, 0.4, 1, 0.8]);
  assert.deepEqual([...toRgbImage({ width: 2, height: 1, data: Float32Array.from([-0.2, 0.5, 1.3, NaN, 0.999, 0.002]) }).data], [0, 128, 255, 0, 255, 1]);
});

test('Pillow-exact windowed resize equals resize then crop, for every filter and window', async () => {
  const { Rng } = await import('../util/rng.js');
  const { crop: cropImage } = await import('./image.js');
  const rng = new Rng(11);
  const source = { width: 57, height: 43, data: Uint8Array.from({ length: 57 * 43 * 3 }, () => rng.int(256)) };
  const cases: [number, number, { left: number; top: number; width: number; height: number }][] = [
    [40, 30, { left: 5, top: 3, width: 24, height: 20 }],
    [57, 30, { left: 10, top: 0, width: 30, height: 30 }], // width unchanged: vertical pass only
    [31, 43, { left: 0, top: 7, width: 31, height: 20 }], // height unchanged: horizontal pass only
    [90, 70, { left: 20, top: 11, width: 50, height: 48 }], // upscale
  ];
  for (const interpolation of ['nearest', 'bilinear', 'bicubic', 'lanczos', 'box', 'hamming'] as const) {
    const resizer = modelResizer(interpolation);
    for (const [w, h, window] of cases) {
      const full = await resizer.resize(source, w, h);
      const expected = cropImage(full, window.left, window.top, window.width, window.height);
      const got = await resizer.resizeWindow!(source, w, h, window);
      assert.deepEqual(got, expected, `${interpolation} ${w}x${h}`);
    }
  }
});

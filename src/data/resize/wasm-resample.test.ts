import { test } from 'node:test';
import assert from 'node:assert/strict';
import { horizontalRows, verticalRows, type PassCoefficients } from './wasm-resample.js';
import { PIL_FILTERS, pilCoefficients, pilResizer } from './pil.js';
import { Rng } from '../../util/rng.js';

// The passes as plain scalar loops (Pillow's Resample.c, one channel value at a time): the reference the kernels
// must equal byte for byte.
const clip8 = (acc: number) => Math.min(255, Math.max(0, acc >> 22));

function horizontalReference(data: Uint8Array, width: number, rows: number, c: PassCoefficients, x0: number, x1: number): Uint8Array {
  const out = new Uint8Array(rows * (x1 - x0) * 3);
  let o = 0;
  for (let y = 0; y < rows; y++) {
    for (let xx = x0; xx < x1; xx++) {
      for (let ch = 0; ch < 3; ch++) {
        let acc = 1 << 21;
        for (let k = 0; k < c.count[xx]; k++) acc += data[(y * width + c.start[xx] + k) * 3 + ch] * c.weights[xx * c.taps + k];
        out[o++] = clip8(acc);
      }
    }
  }
  return out;
}

function verticalReference(data: Uint8Array, width: number, firstRow: number, c: PassCoefficients, yy0: number, yy1: number): Uint8Array {
  const stride = width * 3;
  const out = new Uint8Array((yy1 - yy0) * stride);
  for (let yy = yy0; yy < yy1; yy++) {
    for (let i = 0; i < stride; i++) {
      let acc = 1 << 21;
      for (let k = 0; k < c.count[yy]; k++) acc += data[(c.start[yy] + k - firstRow) * stride + i] * c.weights[yy * c.taps + k];
      out[(yy - yy0) * stride + i] = clip8(acc);
    }
  }
  return out;
}

test('the SIMD passes equal the scalar loops byte for byte: every filter, up and down, odd widths, windows', () => {
  const rng = new Rng(3);
  for (const filter of Object.values(PIL_FILTERS)) {
    for (const [inSize, outSize] of [[37, 11], [11, 37], [50, 49], [7, 1], [1, 5], [64, 64 * 3 + 1]]) {
      const rows = 5;
      // Extreme bytes (0 and 255 runs) drive the negative lobes of bicubic and lanczos to the clamps.
      const data = Uint8Array.from({ length: inSize * rows * 3 }, () => (rng.uniform() < 0.3 ? (rng.uniform() < 0.5 ? 0 : 255) : rng.int(256)));
      const c = pilCoefficients(inSize, outSize, filter);
      const x0 = outSize > 3 ? 1 : 0;
      assert.deepEqual(horizontalRows(data, inSize, rows, c, x0, outSize), horizontalReference(data, inSize, rows, c, x0, outSize));
      // Vertical: `inSize` rows of a 7-pixel-wide image (21 bytes a row: not a multiple of 16).
      const column = Uint8Array.from({ length: inSize * 21 }, () => rng.int(256));
      assert.deepEqual(verticalRows(column, 7, inSize, 0, c, 0, outSize), verticalReference(column, 7, 0, c, 0, outSize));
      // Input rows starting later than row 0, as a windowed resize passes them.
      const from = c.start[outSize - 1];
      assert.deepEqual(verticalRows(column.subarray(from * 21), 7, inSize - from, from, c, outSize - 1, outSize), verticalReference(column.subarray(from * 21), 7, from, c, outSize - 1, outSize));
    }
  }
});

test('an ImageNet-sized resize equals the scalar passes (500x375 -> 341x256, bicubic)', () => {
  const rng = new Rng(5);
  const image = { width: 500, height: 375, data: Uint8Array.from({ length: 500 * 375 * 3 }, () => rng.int(256)) };
  const got = pilResizer('bicubic').resize(image, 341, 256) as { data: Uint8Array };
  const h = pilCoefficients(500, 341, PIL_FILTERS.bicubic);
  const v = pilCoefficients(375, 256, PIL_FILTERS.bicubic);
  const expected = verticalReference(horizontalReference(image.data, 500, 375, h, 0, 341), 341, 0, v, 0, 256);
  assert.deepEqual(got.data, expected);
});

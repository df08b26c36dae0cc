import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toLevel } from '../../data/image.js';
import { FIX16, ONE_HALF } from './jpeg-kernel.js';
import { Rng } from '../../util/rng.js';
import { heap, rgbToYccOnHeap, upsampleRowOnHeap, yccToRgbOnHeap } from './wasm-kernels.js';

// The colour conversion kernel against toLevel and rgb_ycc_convert's sums in JavaScript, on samples where the
// rounding is closest to a tie, outside [0, 1], NaN, infinite, negative zero and subnormal.
test('rgbToYcc equals toLevel and the fixed-point rgb_ycc_convert sums on every level and edge sample', () => {
  const samples: number[] = [NaN, -0, 0, 1e-45, -1e-45, 1, 1.0000001, 7, -7, Infinity, -Infinity];
  for (let k = 0; k < 256; k++) {
    for (const v of [k / 255, (k + 0.5) / 255, (k - 0.5) / 255]) {
      const f = Math.fround(v);
      samples.push(f, Math.fround(f * (1 + 2 ** -23)), Math.fround(f * (1 - 2 ** -24)));
    }
  }
  // Pixels with every sample in every channel position, the count a multiple of 4.
  const rgb = Float32Array.from({ length: Math.ceil((samples.length * 3) / 12) * 12 }, (_, i) => samples[(i * 7) % samples.length]);
  const n = rgb.length / 3;
  const mark = heap.mark();
  try {
    const at = heap.load(rgb), y = heap.alloc(n), cb = heap.alloc(n), cr = heap.alloc(n);
    rgbToYccOnHeap(at, n, y, cb, cr);
    const h = heap.i32();
    const offset = (128 << 16) + ONE_HALF - 1;
    for (let i = 0; i < n; i++) {
      const [r, g, b] = [rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]].map(toLevel);
      const expected = [
        (FIX16(0.299) * r + FIX16(0.587) * g + FIX16(0.114) * b + ONE_HALF) >> 16,
        (-FIX16(0.16874) * r - FIX16(0.33126) * g + FIX16(0.5) * b + offset) >> 16,
        (FIX16(0.5) * r - FIX16(0.41869) * g - FIX16(0.08131) * b + offset) >> 16,
      ];
      assert.deepEqual([h[(y >> 2) + i], h[(cb >> 2) + i], h[(cr >> 2) + i]], expected, `pixel ${i}: ${rgb.subarray(3 * i, 3 * i + 3).join(', ')}`);
    }
  } finally {
    heap.release(mark);
  }
});

test('yccToRgb equals ycc_rgb_convert with its clipping, levels as float32 k / 255', () => {
  const chroma = [0, 1, 2, 3, 64, 100, 127, 128, 129, 160, 200, 252, 253, 254, 255];
  const pixels: number[][] = [];
  for (let y = 0; y < 256; y++) for (const u of chroma) for (const v of chroma) pixels.push([y, u, v]);
  const n = pixels.length; // a multiple of 4
  const mark = heap.mark();
  try {
    const [y, cb, cr] = [0, 1, 2].map(() => heap.alloc(n / 4));
    const out = heap.alloc(3 * n);
    const h = heap.u8();
    pixels.forEach((p, i) => [y, cb, cr].forEach((at, k) => (h[at + i] = p[k])));
    yccToRgbOnHeap(y, cb, cr, out, n);
    const f = heap.f32();
    const level = (x: number) => Math.fround((x < 0 ? 0 : x > 255 ? 255 : x) / 255);
    pixels.forEach(([l, u, v], i) => {
      const r = l + ((FIX16(1.402) * (v - 128) + ONE_HALF) >> 16);
      const g = l + ((-FIX16(0.34414) * (u - 128) + ONE_HALF - FIX16(0.71414) * (v - 128)) >> 16);
      const b = l + ((FIX16(1.772) * (u - 128) + ONE_HALF) >> 16);
      assert.deepEqual(Array.from(f.subarray((out >> 2) + 3 * i, (out >> 2) + 3 * i + 3)), [r, g, b].map(level), `Y ${l} Cb ${u} Cr ${v}`);
    });
  } finally {
    heap.release(mark);
  }
});

test('upsampleRow equals h2v2_fancy_upsample on a row, edges included, for every width from 3 to 40', () => {
  const rng = new Rng(3);
  for (let n = 3; n <= 40; n++) {
    const near = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 255 : rng.int(256)));
    const far = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : rng.int(256)));
    const mark = heap.mark();
    try {
      // Bordered rows (first and last sample repeated) and the output, with room for the last step's overrun.
      const [a, b] = [near, far].map((row) => heap.load(Float32Array.from({ length: (n + 2 + 16) / 4 + 1 })));
      const out = heap.alloc((2 * n + 16) / 4 + 1);
      const h = heap.u8();
      h.set([near[0], ...near, near[n - 1]], a);
      h.set([far[0], ...far, far[n - 1]], b);
      upsampleRowOnHeap(a, b, out, n);
      const sum = (x: number) => 3 * near[Math.min(Math.max(x, 0), n - 1)] + far[Math.min(Math.max(x, 0), n - 1)];
      const expected = Array.from({ length: 2 * n }, (_, k) => {
        const x = k >> 1;
        return k & 1 ? (3 * sum(x) + sum(x + 1) + 7) >> 4 : (3 * sum(x) + sum(x - 1) + 8) >> 4;
      });
      assert.deepEqual(Array.from(heap.u8().subarray(out, out + 2 * n)), expected, `width ${n}`);
    } finally {
      heap.release(mark);
    }
  }
});

test('jccolor.c and jdcolor.c constants: FIX(0.299) and friends at 16 fractional bits', () => {
  assert.deepEqual([0.299, 0.587, 0.114, 0.16874, 0.33126, 0.5, 0.41869, 0.08131].map(FIX16), [19595, 38470, 7471, 11059, 21709, 32768, 27439, 5329]);
  assert.deepEqual([1.402, 1.772, 0.71414, 0.34414].map(FIX16), [91881, 116130, 46802, 22554]);
});

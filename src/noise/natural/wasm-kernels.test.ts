import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../util/rng.js';
import { axpy, axpy2, diff64Add, gatherLerp, heap, lerp, lerpAdd, scale } from './wasm-kernels.js';

// Each kernel against the JavaScript expression it replaces, computed on float32 arrays in double and rounded
// once on store: equal bit for bit, for even and odd lengths and for lines at any float32 offset.
test('every kernel equals its JavaScript loop bit for bit (odd lengths, unaligned lines, extreme weights)', () => {
  const rng = new Rng(7);
  for (const n of [0, 1, 2, 3, 17, 672, 1001]) {
    for (const w of [0.3183098861837907, 1 / 3, -2.5e-8, 12345.678]) {
      const mark = heap.mark();
      const values = () => Float32Array.from({ length: n }, () => rng.normal() * 10 ** rng.int(7) * 1e-3);
      const [dst, a, b] = [values(), values(), values()];
      const a64 = Float64Array.from({ length: n }, () => rng.normal() * 1e3);
      const b64 = Float64Array.from({ length: n }, () => rng.normal() * 1e3);
      heap.alloc(1); // lines one float past a 16-byte boundary
      const at = { dst: heap.load(dst), a: heap.load(a), b: heap.load(b) };
      const a64At = heap.alloc(2 * n + 2);
      const b64At = heap.alloc(2 * n + 2);
      heap.f64().set(a64, a64At >> 3);
      heap.f64().set(b64, b64At >> 3);
      const run = (kernel: () => void, expected: (i: number) => number, what: string) => {
        heap.f32().set(dst, at.dst >> 2);
        kernel();
        const got = heap.read(at.dst, n);
        const want = Float32Array.from({ length: n }, (_, i) => expected(i));
        assert.deepEqual(new Uint32Array(got.buffer), new Uint32Array(want.buffer), `${what} n=${n} w=${w}`);
      };
      run(() => scale(at.dst, at.a, w, n), (i) => w * a[i], 'scale');
      run(() => axpy(at.dst, at.a, w, n), (i) => dst[i] + w * a[i], 'axpy');
      run(() => axpy2(at.dst, at.a, at.b, w, n), (i) => dst[i] + w * (a[i] + b[i]), 'axpy2');
      run(() => lerp(at.dst, at.a, at.b, w, n), (i) => a[i] + w * (b[i] - a[i]), 'lerp');
      run(() => lerpAdd(at.dst, at.a, at.b, w, 0.09090909090909091, n), (i) => dst[i] + 0.09090909090909091 * (a[i] + w * (b[i] - a[i])), 'lerpAdd');
      // Gather: element j reads a[lower[j]] and a[upper[j]] (byte offsets from a's start).
      const lower = Int32Array.from({ length: n }, () => rng.int(Math.max(n, 1)));
      const upper = Int32Array.from(lower, (l) => Math.min(l + 1, Math.max(n - 1, 0)));
      const weights = Float32Array.from({ length: n }, () => rng.uniform());
      const lowerAt = heap.alloc(n);
      const upperAt = heap.alloc(n);
      heap.i32().set(lower.map((l) => 4 * l), lowerAt >> 2);
      heap.i32().set(upper.map((u) => 4 * u), upperAt >> 2);
      const weightsAt = heap.load(weights);
      run(() => gatherLerp(at.dst, at.a, lowerAt, upperAt, weightsAt, n), (j) => a[lower[j]] + weights[j] * (a[upper[j]] - a[lower[j]]), 'gatherLerp');
      run(() => diff64Add(at.dst, a64At, b64At, w, n), (i) => dst[i] + w * (b64[i] - a64[i]), 'diff64Add');
      heap.release(mark);
    }
  }
});

test('the heap grows past its first page and keeps what it held', () => {
  const mark = heap.mark();
  const first = heap.load(Float32Array.of(1.5, -2.25, 3));
  const big = heap.alloc(3_000_000); // 12 MB: several grows
  heap.f32()[(big >> 2) + 2_999_999] = 7;
  assert.deepEqual(Array.from(heap.read(first, 3)), [1.5, -2.25, 3]);
  assert.equal(heap.read(big + 4 * 2_999_999, 1)[0], 7);
  heap.release(mark);
  assert.equal(heap.mark(), mark);
});

test('convolveRows and convolveColumns equal a direct per-pixel sum in every border mode, symmetric or not', async () => {
  const { borderIndex, convolveColumns, convolveRows } = await import('./filters.js');
  const rng = new Rng(3);
  const width = 9;
  const height = 7;
  const channels = 3;
  const src = Float32Array.from({ length: width * height * channels }, () => rng.uniform());
  for (const kernel of [[0.25, 0.5, 0.25], [0.1, 0.2, 0.4, 0.2, 0.1], [0.5, 0.3, 0.2], [0.05, 0.1, 0.15, 0.4, 0.1, 0.1, 0.1]]) {
    const radius = (kernel.length - 1) >> 1;
    for (const mode of ['nearest', 'reflect', 'reflect101'] as const) {
      const rows = convolveRows(src, width, height, channels, kernel, mode);
      const columns = convolveColumns(src, width, height, channels, kernel, mode);
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) {
        let r = 0;
        let v = 0;
        for (let k = -radius; k <= radius; k++) {
          r += kernel[k + radius] * src[(y * width + borderIndex(x + k, width, mode)) * channels + c];
          v += kernel[k + radius] * src[(borderIndex(y + k, height, mode) * width + x) * channels + c];
        }
        const i = (y * width + x) * channels + c;
        assert.ok(Math.abs(rows[i] - r) < 1e-6 && Math.abs(columns[i] - v) < 1e-6, `${mode} [${kernel}] at ${x},${y},${c}`);
      }
    }
  }
});

/** The two-pass 5x5 chamfer pixel by pixel: each pixel's minimum over its mask in double, stored as float32. */
function chamferByPixel(edges: Uint8Array, width: number, height: number): Float32Array {
  const pw = width + 4;
  const d = new Float32Array(pw * (height + 4)).fill(1e6);
  for (let i = 0; i < width * height; i++) if (edges[i]) d[(Math.floor(i / width) + 2) * pw + (i % width) + 2] = 0;
  const mask: [number, number, number][] = [[-2, -1, 2.1969], [-2, 1, 2.1969], [-1, -2, 2.1969], [-1, -1, 1.4], [-1, 0, 1], [-1, 1, 1.4], [-1, 2, 2.1969], [0, -1, 1]];
  const pass = (sign: number, y: number, x: number) => {
    const i = (y + 2) * pw + x + 2;
    let best = d[i];
    for (const [dy, dx, w] of mask) best = Math.min(best, d[i + sign * (dy * pw + dx)] + w);
    d[i] = best;
  };
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pass(1, y, x);
  for (let y = height - 1; y >= 0; y--) for (let x = width - 1; x >= 0; x--) pass(-1, y, x);
  return Float32Array.from({ length: width * height }, (_, i) => d[(Math.floor(i / width) + 2) * pw + (i % width) + 2]);
}

test('the distance transform (chamferMin lines, then along each line) equals the chamfer pixel by pixel', async () => {
  const { distanceTransformL2 } = await import('./vision.js');
  const rng = new Rng(11);
  for (const [width, height, density] of [[1, 1, 1], [2, 3, 0.5], [17, 9, 0.05], [40, 31, 0.01], [33, 20, 0]] as const) {
    const edges = Uint8Array.from({ length: width * height }, () => (rng.uniform() < density ? 255 : 0));
    const got = distanceTransformL2(edges, width, height);
    assert.deepEqual(new Uint32Array(got.buffer), new Uint32Array(chamferByPixel(edges, width, height).buffer), `${width}x${height}`);
  }
});

test('clip01 equals v < 0 ? 0 : v > 1 ? 1 : v bit for bit, NaN and -0 included, at every length', async () => {
  const { clip01 } = await import('./filters.js');
  const rng = new Rng(13);
  for (const n of [0, 1, 3, 4, 5, 7, 8, 1001]) {
    const special = [NaN, -0, 0, 1, -1e-30, 1 + 2 ** -23, Infinity, -Infinity, 0.5];
    const data = Float32Array.from({ length: n }, (_, i) => (i < special.length ? special[(i + n) % special.length] : rng.normal()));
    const want = data.map((v) => (v < 0 ? 0 : v > 1 ? 1 : v));
    assert.deepEqual(new Uint32Array(clip01(data).buffer), new Uint32Array(want.buffer), `n=${n}`);
  }
});

test("a blur's clip flag gives its unclipped result clipped to [0, 1] bit for bit (values outside, NaN, odd lengths)", async () => {
  const { clippedZoomMean, gaussianBlur } = await import('./filters.js');
  const { motionBlur } = await import('./motion.js');
  const rng = new Rng(17);
  const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
  for (const [width, height] of [[7, 5], [16, 9]]) {
    // Values spread wide around 0.5 so the blurs leave some outside [0, 1]; one NaN, which the blurs spread.
    const image = Float32Array.from({ length: width * height * 3 }, () => 0.5 + 4 * rng.normal());
    image[4] = NaN;
    const cases = [
      ['gaussianBlur', (clip: boolean) => gaussianBlur(image, width, height, 3, 1.5, 'nearest', 4, 1.5, undefined, clip)],
      ['motionBlur', (clip: boolean) => motionBlur(image, width, height, 3, 4, 2, 30, clip)],
      ['clippedZoomMean', (clip: boolean) => clippedZoomMean(image, width, height, 3, [1, 1.11, 1.21], 0.25, clip)],
    ] as const;
    for (const [name, blur] of cases) {
      const unclipped = blur(false);
      assert.ok(unclipped.some((v) => v < 0) && unclipped.some((v) => v > 1), `${name} leaves values outside [0, 1] to clip`);
      const want = unclipped.map((v) => (v < 0 ? 0 : v > 1 ? 1 : v));
      assert.deepEqual(bits(blur(true)), bits(want), `${name} ${width}x${height}`);
    }
  }
});

// The filters' inner loops (a weighted sum of float32 lines into a float32 line) as WebAssembly SIMD, two
// doubles at a time. Each lane does the same IEEE double operations in the same order as the JavaScript loop
// it replaces (widen the float32 inputs, multiply and add in double, round once to float32 on store), and
// WebAssembly fuses nothing, so the results are bit-identical to that loop, only 4-7x faster on V8.
// The module is a few hundred bytes, emitted here rather than shipped as a binary. Its memory is a scratch
// heap: callers copy their lines in, run kernels on byte offsets, and copy the result out.

import { F64, I32, V128, f32Const, get, i32Const, op, set, tee, wasmFunction, wasmModule, whileBelow, type WasmFunction } from '../../util/wasm.js';
import { rgbToYccKernel, roundTripBlocksKernel, upsampleRowKernel, yccToRgbKernel } from './jpeg-kernel.js';

/**
 * One kernel: pointer params (byte offsets) then f64 weights then the element count n; it processes the first
 * n & ~1 elements, two per step. `body` leaves the f64x2 result on the stack; `line(p)` loads pointer param p's
 * two floats widened to f64x2, `weight(w)` the splat of weight param w.
 */
function kernel(pointers: number, weights: number, body: (line: (p: number) => number[], weight: (w: number) => number[], line64: (p: number) => number[]) => number[]): WasmFunction {
  const n = pointers + weights;
  const offset = n + 1; // i32 local: byte offset of the current pair
  const end = n + 2; // i32 local: byte offset where pairs end
  const splat0 = n + 3; // v128 locals: splatted weights
  const line = (p: number) => [...get(p), ...get(offset), ...op['i32.add'], ...op['v128.load64_zero'], 0, 0, ...op['f64x2.promote_low_f32x4']];
  const weight = (w: number) => get(splat0 + w);
  // A line of float64 values: two of them at byte offset 2 * offset.
  const line64 = (p: number) => [...get(p), ...get(offset), ...i32Const(1), ...op['i32.shl'], ...op['i32.add'], ...op['v128.load'], 0, 0];
  const code = [
    ...Array.from({ length: weights }, (_, w) => [...get(pointers + w), ...op['f64x2.splat'], ...set(splat0 + w)]).flat(),
    ...get(n), ...i32Const(1), ...op['i32.shr_u'], ...i32Const(3), ...op['i32.shl'], ...set(end), // end = (n >> 1) << 3
    ...whileBelow(offset, 8, end, [
      ...get(0), ...get(offset), ...op['i32.add'], // store address: dst + offset
      ...body(line, weight, line64),
      ...op['f32x4.demote_f64x2_zero'], ...op['v128.store64_lane'], 0, 0, 0, // store the two float32s
    ]),
  ];
  return wasmFunction([...Array<number>(pointers).fill(I32), ...Array<number>(weights).fill(F64), I32], [[2, I32], [weights, V128]], code);
}

const KERNELS = {
  /** dst = w * a */
  scale: kernel(2, 1, (line, weight) => [...weight(0), ...line(1), ...op['f64x2.mul']]),
  /** dst = dst + w * a */
  axpy: kernel(2, 1, (line, weight) => [...line(0), ...weight(0), ...line(1), ...op['f64x2.mul'], ...op['f64x2.add']]),
  /** dst = dst + w * (a + b) */
  axpy2: kernel(3, 1, (line, weight) => [...line(0), ...weight(0), ...line(1), ...line(2), ...op['f64x2.add'], ...op['f64x2.mul'], ...op['f64x2.add']]),
  /** dst = dst + s * (b - a), a and b float64 lines */
  diff64Add: kernel(3, 1, (line, weight, line64) => [...line(0), ...weight(0), ...line64(2), ...line64(1), ...op['f64x2.sub'], ...op['f64x2.mul'], ...op['f64x2.add']]),
  /** dst = a + t * (b - a) */
  lerp: kernel(3, 1, (line, weight) => [...line(1), ...weight(0), ...line(2), ...line(1), ...op['f64x2.sub'], ...op['f64x2.mul'], ...op['f64x2.add']]),
  /** dst = dst + s * (a + t * (b - a)) */
  lerpAdd: kernel(3, 2, (line, weight) => [...line(0), ...weight(1), ...line(1), ...weight(0), ...line(2), ...line(1), ...op['f64x2.sub'], ...op['f64x2.mul'], ...op['f64x2.add'], ...op['f64x2.mul'], ...op['f64x2.add']]),
  /**
   * dst = min(a0, a1 + w2, a2 + w2, a3 + w2, a4 + w1, a5 + w0, a6 + w1, a7 + w2): one chamfer step over the
   * already final neighbours of a line (the distance transform's 5x5 mask without the in-line neighbour).
   */
  chamferMin: kernel(9, 3, (line, weight) => [
    ...line(1),
    ...[[2, 2], [3, 2], [4, 2], [5, 1], [6, 0], [7, 1], [8, 2]].flatMap(([p, w]) => [...line(p), ...weight(w), ...op['f64x2.add'], ...op['f64x2.min']]),
  ]),
};

/**
 * gatherLerp(dst, src, lowerOffsets, upperOffsets, weights, n): dst[j] = a + w[j] * (b - a) with a, b the float32s
 * at src + lowerOffsets[j] and src + upperOffsets[j] (int32 byte offsets), one element per step (a gather).
 */
function gatherLerpKernel(): WasmFunction {
  const [dst, src, lower, upper, weights, n, offset, end, a] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const at = (line: number) => [...get(line), ...get(offset), ...op['i32.add']];
  const i32Load = [...op['i32.load'], 2, 0];
  const f32Load = [...op['f32.load'], 2, 0];
  const code = [
    ...get(n), ...i32Const(2), ...op['i32.shl'], ...set(end),
    ...whileBelow(offset, 4, end, [
      ...at(dst),
      ...get(src), ...at(lower), ...i32Load, ...op['i32.add'], ...f32Load, ...op['f64.promote_f32'], ...tee(a),
      ...at(weights), ...f32Load, ...op['f64.promote_f32'],
      ...get(src), ...at(upper), ...i32Load, ...op['i32.add'], ...f32Load, ...op['f64.promote_f32'],
      ...get(a), ...op['f64.sub'], ...op['f64.mul'], ...op['f64.add'], ...op['f32.demote_f64'], ...op['f32.store'], 2, 0,
    ]),
  ];
  return wasmFunction(Array<number>(6).fill(I32), [[2, I32], [1, F64]], code);
}

/**
 * clip01(at, n): the float32s at byte offset `at` clipped to [0, 1] in place, four per step, n & ~3 of them.
 * f32x4.pmax(v, 0) is v < 0 ? 0 : v and f32x4.pmin(v, 1) is 1 < v ? 1 : v: JavaScript's comparisons exactly
 * (NaN and -0 pass unchanged), unlike min/max.
 */
function clip01Kernel(): WasmFunction {
  const [at, n, offset, end] = [0, 1, 2, 3];
  const splat = (x: number) => [...f32Const(x), ...op['f32x4.splat']];
  const code = [
    ...get(n), ...i32Const(2), ...op['i32.shr_u'], ...i32Const(4), ...op['i32.shl'], ...set(end), // end = (n >> 2) << 4
    ...whileBelow(offset, 16, end, [
      ...get(at), ...get(offset), ...op['i32.add'],
      ...get(at), ...get(offset), ...op['i32.add'], ...op['v128.load'], 0, 0,
      ...splat(0), ...op['f32x4.pmax'], ...splat(1), ...op['f32x4.pmin'],
      ...op['v128.store'], 0, 0,
    ]),
  ];
  return wasmFunction([I32, I32], [[2, I32]], code);
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  return wasmModule({ ...KERNELS, gatherLerp: gatherLerpKernel(), clip01: clip01Kernel(), roundTripBlocks: roundTripBlocksKernel(), rgbToYcc: rgbToYccKernel(), yccToRgb: yccToRgbKernel(), upsampleRow: upsampleRowKernel() });
}

interface Exports {
  readonly memory: WebAssembly.Memory;
  scale(dst: number, a: number, w: number, n: number): void;
  axpy(dst: number, a: number, w: number, n: number): void;
  axpy2(dst: number, a: number, b: number, w: number, n: number): void;
  diff64Add(dst: number, a: number, b: number, s: number, n: number): void;
  lerp(dst: number, a: number, b: number, t: number, n: number): void;
  lerpAdd(dst: number, a: number, b: number, t: number, s: number, n: number): void;
  gatherLerp(dst: number, src: number, lower: number, upper: number, weights: number, n: number): void;
  clip01(at: number, n: number): void;
  roundTripBlocks(plane: number, stride: number, rows: number, tables: number): void;
  rgbToYcc(rgb: number, n: number, y: number, cb: number, cr: number): void;
  yccToRgb(y: number, cb: number, cr: number, out: number, n: number): void;
  upsampleRow(near: number, far: number, out: number, n: number): void;
  chamferMin(dst: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6: number, a7: number, w0: number, w1: number, w2: number, n: number): void;
}

let instance: Exports | undefined;
function exports(): Exports {
  // Synchronous instantiation: the module is tiny, and every worker thread gets its own.
  instance ??= new WebAssembly.Instance(new WebAssembly.Module(moduleBytes())).exports as unknown as Exports;
  return instance;
}

/**
 * The scratch heap: float32 regions allocated stack-wise (mark, alloc, release) in the module's memory.
 * Byte offsets stay valid across growth; typed-array views do not, so take `f32()` again after an alloc.
 */
class Heap {
  private top = 0;
  private view?: Float32Array;
  private view64?: Float64Array;
  private view32?: Int32Array;
  private view8?: Uint8Array;

  /** A region of `floats` float32 values; returns its byte offset (16-byte aligned). */
  alloc(floats: number): number {
    const start = this.top;
    this.top = start + ((floats * 4 + 15) & ~15);
    const memory = exports().memory;
    if (this.top > memory.buffer.byteLength) memory.grow(Math.ceil((this.top - memory.buffer.byteLength) / 65536));
    return start;
  }

  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    this.top = mark;
  }

  /** The heap as int32 (index = byte offset / 4). */
  i32(): Int32Array {
    const buffer = exports().memory.buffer;
    if (!this.view32 || this.view32.buffer !== buffer) this.view32 = new Int32Array(buffer);
    return this.view32;
  }

  /** The heap as bytes. */
  u8(): Uint8Array {
    const buffer = exports().memory.buffer;
    if (!this.view8 || this.view8.buffer !== buffer) this.view8 = new Uint8Array(buffer);
    return this.view8;
  }

  /** The heap as float64 (index = byte offset / 8). */
  f64(): Float64Array {
    const buffer = exports().memory.buffer;
    if (!this.view64 || this.view64.buffer !== buffer) this.view64 = new Float64Array(buffer);
    return this.view64;
  }

  /** The heap as float32 (index = byte offset / 4). */
  f32(): Float32Array {
    const buffer = exports().memory.buffer;
    if (!this.view || this.view.buffer !== buffer) this.view = new Float32Array(buffer);
    return this.view;
  }

  /** Copies `data` into a new region; returns its byte offset. */
  load(data: Float32Array): number {
    const at = this.alloc(data.length);
    this.f32().set(data, at >> 2);
    return at;
  }

  /** A copy of `floats` values at byte offset `at`, into `dst` when given. */
  read(at: number, floats: number, dst: Float32Array = new Float32Array(floats)): Float32Array {
    dst.set(this.f32().subarray(at >> 2, (at >> 2) + floats));
    return dst;
  }
}

export const heap = new Heap();

// Wrappers: the kernel on the even prefix, the same double expression in JavaScript for an odd last element.

/** dst[i] = w * a[i], i < n (byte offsets into the heap). */
export function scale(dst: number, a: number, w: number, n: number): void {
  exports().scale(dst, a, w, n);
  if (n & 1) {
    const h = heap.f32();
    h[(dst >> 2) + n - 1] = w * h[(a >> 2) + n - 1];
  }
}

/** dst[i] += w * a[i], i < n. */
export function axpy(dst: number, a: number, w: number, n: number): void {
  exports().axpy(dst, a, w, n);
  if (n & 1) {
    const h = heap.f32();
    h[(dst >> 2) + n - 1] += w * h[(a >> 2) + n - 1];
  }
}

/** dst[i] += w * (a[i] + b[i]), i < n. */
export function axpy2(dst: number, a: number, b: number, w: number, n: number): void {
  exports().axpy2(dst, a, b, w, n);
  if (n & 1) {
    const h = heap.f32();
    h[(dst >> 2) + n - 1] += w * (h[(a >> 2) + n - 1] + h[(b >> 2) + n - 1]);
  }
}

/** dst[i] += s * (b[i] - a[i]), i < n, where a and b are byte offsets of float64 lines. */
export function diff64Add(dst: number, a: number, b: number, s: number, n: number): void {
  exports().diff64Add(dst, a, b, s, n);
  if (n & 1) {
    const h = heap.f32();
    const d = heap.f64();
    h[(dst >> 2) + n - 1] += s * (d[(b >> 3) + n - 1] - d[(a >> 3) + n - 1]);
  }
}

/** dst[i] = a[i] + t * (b[i] - a[i]), i < n. */
export function lerp(dst: number, a: number, b: number, t: number, n: number): void {
  exports().lerp(dst, a, b, t, n);
  if (n & 1) {
    const h = heap.f32();
    const v0 = h[(a >> 2) + n - 1];
    h[(dst >> 2) + n - 1] = v0 + t * (h[(b >> 2) + n - 1] - v0);
  }
}

/** dst[i] += s * (a[i] + t * (b[i] - a[i])), i < n. */
export function lerpAdd(dst: number, a: number, b: number, t: number, s: number, n: number): void {
  exports().lerpAdd(dst, a, b, t, s, n);
  if (n & 1) {
    const h = heap.f32();
    const v0 = h[(a >> 2) + n - 1];
    h[(dst >> 2) + n - 1] += s * (v0 + t * (h[(b >> 2) + n - 1] - v0));
  }
}

/**
 * dst[j] = a + weights[j] * (b - a), a and b the float32s at byte offsets src + lower[j] and src + upper[j];
 * lower, upper (int32) and weights (float32) are lines on the heap, like dst and src.
 */
export function gatherLerp(dst: number, src: number, lower: number, upper: number, weights: number, n: number): void {
  exports().gatherLerp(dst, src, lower, upper, weights, n);
}

/**
 * dst[i] = min(line[i], line[i + delta_k] + w_k for k = 0..6) as float32, i < n, with the weights (w2, w2, w2, w1,
 * w0, w1, w2) of the chamfer mask's neighbours in the order of `deltas` (byte offsets from the line's element).
 */
export function chamferMin(dst: number, line: number, deltas: readonly number[], w0: number, w1: number, w2: number, n: number): void {
  const [d1, d2, d3, d4, d5, d6, d7] = deltas;
  exports().chamferMin(dst, line, line + d1, line + d2, line + d3, line + d4, line + d5, line + d6, line + d7, w0, w1, w2, n);
  if (n & 1) {
    const h = heap.f32();
    const at = line + 4 * (n - 1);
    const weights = [w2, w2, w2, w1, w0, w1, w2];
    let best = h[at >> 2];
    deltas.forEach((delta, k) => {
      const v = h[(at + delta) >> 2] + weights[k];
      if (v < best) best = v;
    });
    h[(dst >> 2) + n - 1] = best;
  }
}

/** Clips the n float32s at byte offset `at` to [0, 1] in place (v < 0 ? 0 : v > 1 ? 1 : v). */
export function clip01OnHeap(at: number, n: number): void {
  exports().clip01(at, n);
  const h = heap.f32();
  for (let i = (at >> 2) + (n & ~3); i < (at >> 2) + n; i++) {
    const v = h[i];
    h[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
}

/**
 * A copy of the n float32s at byte offset `at` (into `dst` when given), clipped to [0, 1] on the heap first when
 * `clip`: a filter that ends in a clip reads its result out once instead of clip01's copy in and out.
 */
export function readResult(at: number, n: number, clip: boolean, dst?: Float32Array): Float32Array {
  if (clip) clip01OnHeap(at, n);
  return heap.read(at, n, dst);
}

/**
 * Every 8x8 block of the 8-bit plane at byte offset `plane` (`stride` x `rows`, multiples of 8) through the JPEG
 * FDCT, quantisation and IDCT in place; `tables` is the byte offset of the four int32 tables roundTripBlocks reads
 * (jpeg-kernel.ts).
 */
export function roundTripBlocksOnHeap(plane: number, stride: number, rows: number, tables: number): void {
  exports().roundTripBlocks(plane, stride, rows, tables);
}

/** rgb_ycc_convert of n pixels (a multiple of 4) of float32 RGB at byte offset `rgb` to int32 Y, Cb, Cr lines. */
export function rgbToYccOnHeap(rgb: number, n: number, y: number, cb: number, cr: number): void {
  exports().rgbToYcc(rgb, n, y, cb, cr);
}

/** ycc_rgb_convert of n pixels (a multiple of 4) of 8-bit Y, Cb, Cr to interleaved float32 RGB levels at `out`. */
export function yccToRgbOnHeap(y: number, cb: number, cr: number, out: number, n: number): void {
  exports().yccToRgb(y, cb, cr, out, n);
}

/** One output row of h2v2_fancy_upsample from bordered chroma rows (jpeg-kernel.ts upsampleRow). */
export function upsampleRowOnHeap(near: number, far: number, out: number, n: number): void {
  exports().upsampleRow(near, far, out, n);
}

// The two passes of Pillow's fixed-point convolution resize (pil.ts) as WebAssembly SIMD kernels. The arithmetic
// is integer and exact in both: bytes widened to int32, times the 22-bit fixed-point weights, summed from 1 << 21
// (int32; the sums stay far inside it, as in Pillow's C), shifted right by 22 and saturated to a byte. Integer
// sums do not depend on their order, so the bytes equal the JavaScript loops' exactly.
//  - hrow: one output row of the horizontal pass, a pixel at a time: R, G, B (and a fourth byte, unused) of every
//    tap in one int32x4 accumulator; each pixel stores four bytes, the fourth overwritten by the next pixel.
//  - vrow: one output row of the vertical pass, 16 bytes at a time: each tap's input row widened to four int32x4.
import { I32, V128, VOID, get, i32Const, op, set, tee, wasmFunction, wasmModule } from '../../util/wasm.js';

const PRECISION_BITS = 22;
const HALF = 1 << (PRECISION_BITS - 1);

/** hrow(src, starts, counts, weights, taps, out, width): starts are byte offsets from src, weights `taps` per pixel. */
function hrow() {
  const [src, starts, counts, weights, taps, out, width, x, n, p, wp, acc, half] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const at = (base: number) => [...get(base), ...get(x), ...i32Const(2), ...op['i32.shl'], ...op['i32.add']];
  return wasmFunction(Array<number>(7).fill(I32), [[4, I32], [2, V128]], [
    ...i32Const(HALF), ...op['i32x4.splat'], ...set(half),
    ...op.loop, VOID,
    ...get(half), ...set(acc),
    ...get(src), ...at(starts), ...op['i32.load'], 2, 0, ...op['i32.add'], ...set(p),
    ...at(counts), ...op['i32.load'], 2, 0, ...set(n),
    ...get(weights), ...get(x), ...get(taps), ...op['i32.mul'], ...i32Const(2), ...op['i32.shl'], ...op['i32.add'], ...set(wp),
    ...op.block, VOID, ...op.loop, VOID,
    ...get(n), ...op['i32.eqz'], ...op.br_if, 1,
    ...get(acc), ...get(p), ...op['v128.load32_zero'], 0, 0, ...op['i16x8.extend_low_i8x16_u'], ...op['i32x4.extend_low_i16x8_u'], ...get(wp), ...op['i32.load'], 2, 0, ...op['i32x4.splat'], ...op['i32x4.mul'], ...op['i32x4.add'], ...set(acc),
    ...get(p), ...i32Const(3), ...op['i32.add'], ...set(p),
    ...get(wp), ...i32Const(4), ...op['i32.add'], ...set(wp),
    ...get(n), ...i32Const(-1), ...op['i32.add'], ...set(n),
    ...op.br, 0,
    ...op.end, ...op.end,
    ...get(out), ...get(x), ...i32Const(3), ...op['i32.mul'], ...op['i32.add'],
    // The shift, then two saturating narrows (Pillow's clip8): int32 to int16, int16 to unsigned bytes.
    ...get(acc), ...i32Const(PRECISION_BITS), ...op['i32x4.shr_s'], ...tee(acc), ...get(acc), ...op['i16x8.narrow_i32x4_s'], ...tee(acc), ...get(acc), ...op['i8x16.narrow_i16x8_u'],
    ...op['v128.store32_lane'], 0, 0, 0,
    ...get(x), ...i32Const(1), ...op['i32.add'], ...tee(x), ...get(width), ...op['i32.lt_s'], ...op.br_if, 0,
    ...op.end,
  ]);
}

/** vrow(src, stride, weights, taps, out, bytes): out[i] = clip8(sum over taps t of src[t * stride + i] * weights[t]). */
function vrow() {
  const [src, stride, weights, taps, out, bytes, i, t, p, w, v, a0, a1, a2, a3, half] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
  const accumulate = (acc: number, widen8: readonly number[], widen16: readonly number[]) => [...get(acc), ...get(v), ...widen8, ...widen16, ...get(w), ...op['i32x4.mul'], ...op['i32x4.add'], ...set(acc)];
  const shifted = (acc: number) => [...get(acc), ...i32Const(PRECISION_BITS), ...op['i32x4.shr_s']];
  return wasmFunction(Array<number>(6).fill(I32), [[3, I32], [7, V128]], [
    ...i32Const(HALF), ...op['i32x4.splat'], ...set(half),
    ...op.loop, VOID,
    ...[a0, a1, a2, a3].flatMap((a) => [...get(half), ...set(a)]),
    ...get(src), ...get(i), ...op['i32.add'], ...set(p),
    ...i32Const(0), ...set(t),
    ...op.block, VOID, ...op.loop, VOID,
    ...get(t), ...get(taps), ...op['i32.lt_s'], ...op['i32.eqz'], ...op.br_if, 1,
    ...get(weights), ...get(t), ...i32Const(2), ...op['i32.shl'], ...op['i32.add'], ...op['i32.load'], 2, 0, ...op['i32x4.splat'], ...set(w),
    ...get(p), ...op['v128.load'], 0, 0, ...set(v),
    ...accumulate(a0, op['i16x8.extend_low_i8x16_u'], op['i32x4.extend_low_i16x8_u']),
    ...accumulate(a1, op['i16x8.extend_low_i8x16_u'], op['i32x4.extend_high_i16x8_u']),
    ...accumulate(a2, op['i16x8.extend_high_i8x16_u'], op['i32x4.extend_low_i16x8_u']),
    ...accumulate(a3, op['i16x8.extend_high_i8x16_u'], op['i32x4.extend_high_i16x8_u']),
    ...get(p), ...get(stride), ...op['i32.add'], ...set(p),
    ...get(t), ...i32Const(1), ...op['i32.add'], ...set(t),
    ...op.br, 0,
    ...op.end, ...op.end,
    ...get(out), ...get(i), ...op['i32.add'],
    ...shifted(a0), ...shifted(a1), ...op['i16x8.narrow_i32x4_s'], ...shifted(a2), ...shifted(a3), ...op['i16x8.narrow_i32x4_s'], ...op['i8x16.narrow_i16x8_u'],
    ...op['v128.store'], 0, 0,
    ...get(i), ...i32Const(16), ...op['i32.add'], ...tee(i), ...get(bytes), ...op['i32.lt_s'], ...op.br_if, 0,
    ...op.end,
  ]);
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  return wasmModule({ hrow: hrow(), vrow: vrow() });
}

interface Exports {
  readonly memory: WebAssembly.Memory;
  hrow(src: number, starts: number, counts: number, weights: number, taps: number, out: number, width: number): void;
  vrow(src: number, stride: number, weights: number, taps: number, out: number, bytes: number): void;
}

let instance: Exports | undefined;
function kernels(): Exports {
  instance ??= new WebAssembly.Instance(new WebAssembly.Module(moduleBytes())).exports as unknown as Exports;
  return instance;
}

/** Bytes read or written past a region's end by the kernels (a 16-byte load or store). */
const SLACK = 16;

/** Byte regions of the module memory laid out one after another for one call; grows the memory as needed. */
function layout(sizes: readonly number[]): number[] {
  const offsets: number[] = [];
  let top = 0;
  for (const size of sizes) {
    offsets.push(top);
    top += (size + SLACK + 15) & ~15;
  }
  const memory = kernels().memory;
  if (top > memory.buffer.byteLength) memory.grow(Math.ceil((top - memory.buffer.byteLength) / 65536));
  return offsets;
}

/** Per output pixel of a pass: first input index, tap count, `taps` fixed-point weights each. */
export interface PassCoefficients {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly taps: number;
  readonly weights: Int32Array;
}

/**
 * Horizontal pass over `rows` RGB rows of `width` pixels (`data`): output columns [x0, x1), `c` indexed by output
 * column. Returns rows x (x1 - x0) RGB pixels.
 */
export function horizontalRows(data: Uint8Array, width: number, rows: number, c: PassCoefficients, x0: number, x1: number): Uint8Array {
  const outWidth = x1 - x0;
  const inStride = width * 3;
  const outStride = outWidth * 3;
  const [src, starts, counts, weights, out] = layout([rows * inStride, outWidth * 4, outWidth * 4, outWidth * c.taps * 4, rows * outStride]);
  const k = kernels();
  const bytes = new Uint8Array(k.memory.buffer);
  const ints = new Int32Array(k.memory.buffer);
  bytes.set(data.subarray(0, rows * inStride), src);
  for (let x = 0; x < outWidth; x++) ints[(starts >> 2) + x] = c.start[x0 + x] * 3;
  ints.set(c.count.subarray(x0, x1), counts >> 2);
  ints.set(c.weights.subarray(x0 * c.taps, x1 * c.taps), weights >> 2);
  for (let y = 0; y < rows; y++) k.hrow(src + y * inStride, starts, counts, weights, c.taps, out + y * outStride, outWidth);
  return new Uint8Array(k.memory.buffer, out, rows * outStride).slice();
}

/**
 * Vertical pass: output rows [yy0, yy1) of RGB rows `width` pixels wide; `data` holds input rows from `firstRow` on
 * (`rows` of them), `c` is indexed by output row.
 */
export function verticalRows(data: Uint8Array, width: number, rows: number, firstRow: number, c: PassCoefficients, yy0: number, yy1: number): Uint8Array {
  const stride = width * 3;
  const [src, weights, out] = layout([rows * stride, c.weights.length * 4, (yy1 - yy0) * stride]);
  const k = kernels();
  new Uint8Array(k.memory.buffer).set(data.subarray(0, rows * stride), src);
  new Int32Array(k.memory.buffer).set(c.weights, weights >> 2);
  for (let yy = yy0; yy < yy1; yy++) {
    k.vrow(src + (c.start[yy] - firstRow) * stride, stride, weights + yy * c.taps * 4, c.count[yy], out + (yy - yy0) * stride, stride);
  }
  return new Uint8Array(k.memory.buffer, out, (yy1 - yy0) * stride).slice();
}

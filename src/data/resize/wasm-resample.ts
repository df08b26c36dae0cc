// The two passes of Pillow's fixed-point convolution resize (pil.ts) as WebAssembly SIMD kernels. The arithmetic
// is integer and exact in both: bytes widened to int32, times the 22-bit fixed-point weights, summed from 1 << 21
// (int32; the sums stay far inside it, as in Pillow's C), shifted right by 22 and saturated to a byte. Integer
// sums do not depend on their order, so the bytes equal the JavaScript loops' exactly.
//  - hrow: one output row of the horizontal pass, a pixel at a time: R, G, B (and a fourth byte, unused) of every
//    tap in one int32x4 accumulator; each pixel stores four bytes, the fourth overwritten by the next pixel.
//  - vrow: one output row of the vertical pass, 16 bytes at a time: each tap's input row widened to four int32x4.
import { I32, V128, get, set, simd, sleb, tee, wasmFunction, wasmModule } from '../../util/wasm.js';

// Opcodes: core (i32.load, add, mul, shl, lt_s, eqz, tee, br, br_if) and SIMD.
const I32_LOAD = [0x28, 2, 0];
const I32_CONST = (n: number) => [0x41, ...sleb(n)];
const ADD = 0x6a;
const MUL = 0x6c;
const SHL = 0x74;
const LT_S = 0x48;
const EQZ = 0x45;
const BR_IF = (depth: number) => [0x0d, depth];
const BR = (depth: number) => [0x0c, depth];
const LOOP = [0x03, 0x40];
const BLOCK = [0x02, 0x40];
const END = 0x0b;
const V128_LOAD = [...simd(0x00), 0, 0];
const V128_STORE = [...simd(0x0b), 0, 0];
const LOAD32_ZERO = [...simd(0x5c), 0, 0];
const STORE32_LANE0 = [...simd(0x5a), 0, 0, 0];
const I32X4_SPLAT = simd(0x11);
const WIDEN_LOW_8 = simd(0x89); // i16x8.extend_low_i8x16_u
const WIDEN_HIGH_8 = simd(0x8a); // i16x8.extend_high_i8x16_u
const WIDEN_LOW_16 = simd(0xa9); // i32x4.extend_low_i16x8_u
const WIDEN_HIGH_16 = simd(0xaa); // i32x4.extend_high_i16x8_u
const I32X4_ADD = simd(0xae);
const I32X4_MUL = simd(0xb5);
const I32X4_SHR_S = simd(0xac);
const NARROW_32_S = simd(0x85); // i16x8.narrow_i32x4_s (saturating)
const NARROW_16_U = simd(0x66); // i8x16.narrow_i16x8_u (saturating: Pillow's clip8 after the shift)

const PRECISION_BITS = 22;
const HALF = 1 << (PRECISION_BITS - 1);

/** hrow(src, starts, counts, weights, taps, out, width): starts are byte offsets from src, weights `taps` per pixel. */
function hrow() {
  const [src, starts, counts, weights, taps, out, width, x, n, p, wp, acc, half] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const at = (base: number) => [...get(base), ...get(x), ...I32_CONST(2), SHL, ADD];
  return wasmFunction(Array<number>(7).fill(I32), [[4, I32], [2, V128]], [
    ...I32_CONST(HALF), ...I32X4_SPLAT, ...set(half),
    ...LOOP,
    ...get(half), ...set(acc),
    ...get(src), ...at(starts), ...I32_LOAD, ADD, ...set(p),
    ...at(counts), ...I32_LOAD, ...set(n),
    ...get(weights), ...get(x), ...get(taps), MUL, ...I32_CONST(2), SHL, ADD, ...set(wp),
    ...BLOCK, ...LOOP,
    ...get(n), EQZ, ...BR_IF(1),
    ...get(acc), ...get(p), ...LOAD32_ZERO, ...WIDEN_LOW_8, ...WIDEN_LOW_16, ...get(wp), ...I32_LOAD, ...I32X4_SPLAT, ...I32X4_MUL, ...I32X4_ADD, ...set(acc),
    ...get(p), ...I32_CONST(3), ADD, ...set(p),
    ...get(wp), ...I32_CONST(4), ADD, ...set(wp),
    ...get(n), ...I32_CONST(-1), ADD, ...set(n),
    ...BR(0),
    END, END,
    ...get(out), ...get(x), ...I32_CONST(3), MUL, ADD,
    ...get(acc), ...I32_CONST(PRECISION_BITS), ...I32X4_SHR_S, ...tee(acc), ...get(acc), ...NARROW_32_S, ...tee(acc), ...get(acc), ...NARROW_16_U,
    ...STORE32_LANE0,
    ...get(x), ...I32_CONST(1), ADD, ...tee(x), ...get(width), LT_S, ...BR_IF(0),
    END,
  ]);
}

/** vrow(src, stride, weights, taps, out, bytes): out[i] = clip8(sum over taps t of src[t * stride + i] * weights[t]). */
function vrow() {
  const [src, stride, weights, taps, out, bytes, i, t, p, w, v, a0, a1, a2, a3, half] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
  const accumulate = (acc: number, widen8: number[], widen16: number[]) => [...get(acc), ...get(v), ...widen8, ...widen16, ...get(w), ...I32X4_MUL, ...I32X4_ADD, ...set(acc)];
  const shifted = (acc: number) => [...get(acc), ...I32_CONST(PRECISION_BITS), ...I32X4_SHR_S];
  return wasmFunction(Array<number>(6).fill(I32), [[3, I32], [7, V128]], [
    ...I32_CONST(HALF), ...I32X4_SPLAT, ...set(half),
    ...LOOP,
    ...[a0, a1, a2, a3].flatMap((a) => [...get(half), ...set(a)]),
    ...get(src), ...get(i), ADD, ...set(p),
    ...I32_CONST(0), ...set(t),
    ...BLOCK, ...LOOP,
    ...get(t), ...get(taps), LT_S, EQZ, ...BR_IF(1),
    ...get(weights), ...get(t), ...I32_CONST(2), SHL, ADD, ...I32_LOAD, ...I32X4_SPLAT, ...set(w),
    ...get(p), ...V128_LOAD, ...set(v),
    ...accumulate(a0, WIDEN_LOW_8, WIDEN_LOW_16),
    ...accumulate(a1, WIDEN_LOW_8, WIDEN_HIGH_16),
    ...accumulate(a2, WIDEN_HIGH_8, WIDEN_LOW_16),
    ...accumulate(a3, WIDEN_HIGH_8, WIDEN_HIGH_16),
    ...get(p), ...get(stride), ADD, ...set(p),
    ...get(t), ...I32_CONST(1), ADD, ...set(t),
    ...BR(0),
    END, END,
    ...get(out), ...get(i), ADD,
    ...shifted(a0), ...shifted(a1), ...NARROW_32_S, ...shifted(a2), ...shifted(a3), ...NARROW_32_S, ...NARROW_16_U,
    ...V128_STORE,
    ...get(i), ...I32_CONST(16), ADD, ...tee(i), ...get(bytes), LT_S, ...BR_IF(0),
    END,
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

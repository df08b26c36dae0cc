// The second half of the Marsaglia polar method as WebAssembly SIMD, two pairs at a time: from accepted (u, v) with
// q = u^2 + v^2, m = sqrt(-2 ln(q) / q) and the draws mean + std * u * m, mean + std * v * m rounded to float32.
// The logarithm is fdlibm's __ieee754_log (e_log.c), the one V8's Math.log runs, step for step in IEEE doubles
// with its branches taken as lane selects, so every draw is bit-identical to Rng.fillNormal's JavaScript formula. It is
// written for q in (0, 1) as the polar method makes it (never zero, subnormal, infinite or NaN).
// The module is emitted here (a few hundred bytes); its memory holds one block of pairs and its draws.
import { F64, I32, V128, binary, get, i32Const, op, set, wasmFunction, wasmModule, whileBelow, type WasmFunction } from './wasm.js';

/** Pairs per block: the caller fills U, V and Q for up to this many pairs, then calls transform. */
export const POLAR_BLOCK = 512;

// Byte offsets in the module's memory: u, v and q as float64 (one spare pair each, as the kernel works on
// two pairs at a time), then the draws as float32.
const U_AT = 0;
const V_AT = U_AT + 8 * (POLAR_BLOCK + 1);
const Q_AT = V_AT + 8 * (POLAR_BLOCK + 1);
const OUT_AT = Q_AT + 8 * (POLAR_BLOCK + 1);

// e_log.c's constants.
const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;
const LG = [6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01, 2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01, 1.479819860511658591e-01];

const constBytes = (bytes: Uint8Array): number[] => [...op['v128.const'], ...bytes];
const f64s = (x: number): number[] => constBytes(new Uint8Array(Float64Array.of(x, x).buffer));
const i64s = (x: number): number[] => constBytes(new Uint8Array(BigInt64Array.of(BigInt(x), BigInt(x)).buffer));

/**
 * transform(pairs, mean, std): for pairs p = 0, 2, 4, ... < pairs, two at a time, writes the float32 draws
 * (u_p m_p, v_p m_p, u_p+1 m_p+1, v_p+1 m_p+1) scaled and shifted, at OUT_AT + 8p. With `logOnly`, the
 * kernel logs(pairs, 0, 0) instead writes ln(q_p) as float64 at OUT_AT + 8p (the logarithm alone, for tests).
 */
function polarKernel(logOnly: boolean): WasmFunction {
  const [pairs, mean, std] = [0, 1, 2];
  const [offset, end] = [3, 4];
  const [q, hx, hxm, i, k, f, dk, s, z, w, r, hfsq, rare, positive, m] = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
  const load = (base: number) => [...i32Const(base), ...get(offset), ...op['i32.add'], ...op['v128.load'], 4, 0];
  const mul = binary(op['f64x2.mul']);
  const add = binary(op['f64x2.add']);
  const sub = binary(op['f64x2.sub']);
  const shiftRight = (a: number[], bits: number) => [...a, ...i32Const(bits), ...op['i64x2.shr_u']];
  const dkTimes = (c: number) => mul(get(dk), f64s(c));
  // Low 32 bits of each 64-bit lane into lanes 0 and 1, for f64x2.convert_low_i32x4_s.
  const LOW_WORDS = [0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11];
  // The two draws of each of the two pairs, interleaved: u0, v0, u1, v1.
  const INTERLEAVE = [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23];
  /** mean + std * x * m rounded to float32 (two lanes, in the low half). */
  const splat = (scalar: number) => [...get(scalar), ...op['f64x2.splat']];
  const draw = (base: number) => [...add(splat(mean), mul(mul(splat(std), load(base)), get(m))), ...op['f32x4.demote_f64x2_zero']];
  const body = [
    ...load(Q_AT), ...set(q),
    // hx: the high word of q; hxm = hx & 0xfffff; i = (hxm + 0x95f64) & 0x100000; k = (hx >> 20) - 1023 + (i >> 20).
    ...shiftRight(get(q), 32), ...set(hx),
    ...binary(op['v128.and'])(get(hx), i64s(0xfffff)), ...set(hxm),
    ...binary(op['v128.and'])(binary(op['i64x2.add'])(get(hxm), i64s(0x95f64)), i64s(0x100000)), ...set(i),
    ...binary(op['i64x2.add'])(binary(op['i64x2.sub'])(shiftRight(get(hx), 20), i64s(1023)), shiftRight(get(i), 20)), ...set(k),
    ...get(k), ...get(k), ...op['i8x16.shuffle'], ...LOW_WORDS, ...op['f64x2.convert_low_i32x4_s'], ...set(dk),
    // f = x - 1, x being q with the high word hxm | (i ^ 0x3ff00000) (q or q / 2 scaled into [sqrt(2)/2, sqrt(2))).
    ...sub(binary(op['v128.or'])(binary(op['v128.and'])(get(q), i64s(0xffffffff)), [...binary(op['v128.or'])(get(hxm), binary(op['v128.xor'])(get(i), i64s(0x3ff00000))), ...i32Const(32), ...op['i64x2.shl']]), f64s(1)), ...set(f),
    // |f| < 2^-20: (0x000fffff & (2 + hxm)) < 3.
    ...binary(op['i64x2.lt_s'])(binary(op['v128.and'])(binary(op['i64x2.add'])(get(hxm), i64s(2)), i64s(0xfffff)), i64s(3)), ...set(rare),
    // ((hxm - 0x6147a) | (0x6b851 - hxm)) > 0.
    ...binary(op['i64x2.gt_s'])(binary(op['v128.or'])(binary(op['i64x2.sub'])(get(hxm), i64s(0x6147a)), binary(op['i64x2.sub'])(i64s(0x6b851), get(hxm))), i64s(0)), ...set(positive),
    ...binary(op['f64x2.div'])(get(f), add(f64s(2), get(f))), ...set(s),
    ...mul(get(s), get(s)), ...set(z),
    ...mul(get(z), get(z)), ...set(w),
    // R = t2 + t1, t1 = w (Lg2 + w (Lg4 + w Lg6)), t2 = z (Lg1 + w (Lg3 + w (Lg5 + w Lg7))).
    ...add(
      mul(get(z), add(f64s(LG[0]), mul(get(w), add(f64s(LG[2]), mul(get(w), add(f64s(LG[4]), mul(get(w), f64s(LG[6])))))))),
      mul(get(w), add(f64s(LG[1]), mul(get(w), add(f64s(LG[3]), mul(get(w), f64s(LG[5])))))),
    ), ...set(r),
    ...mul(mul(f64s(0.5), get(f)), get(f)), ...set(hfsq),
    // rare ? dk ln2_hi - ((f f (0.5 - 0.333.. f) - dk ln2_lo) - f)
    //      : positive ? dk ln2_hi - ((hfsq - (s (hfsq + R) + dk ln2_lo)) - f)
    //                 : dk ln2_hi - ((s (f - R) - dk ln2_lo) - f)
    // With k = 0 these equal fdlibm's f - R, f - (hfsq - s (hfsq + R)) and f - s (f - R) bit for bit (0 - (a - b)
    // is b - a exactly), and with f = 0 the first is its dk ln2_hi + dk ln2_lo.
    ...sub(dkTimes(LN2_HI), sub(sub(mul(mul(get(f), get(f)), sub(f64s(0.5), mul(f64s(0.33333333333333333), get(f)))), dkTimes(LN2_LO)), get(f))),
    ...sub(dkTimes(LN2_HI), sub(sub(get(hfsq), add(mul(get(s), add(get(hfsq), get(r))), dkTimes(LN2_LO))), get(f))),
    ...sub(dkTimes(LN2_HI), sub(sub(mul(get(s), sub(get(f), get(r))), dkTimes(LN2_LO)), get(f))),
    ...get(positive), ...op['v128.bitselect'],
    ...get(rare), ...op['v128.bitselect'],
    ...(logOnly
      ? [...set(m), ...i32Const(OUT_AT), ...get(offset), ...op['i32.add'], ...get(m), ...op['v128.store'], 4, 0]
      : [
          // m = sqrt(-2 ln(q) / q)
          ...f64s(-2), ...op['f64x2.mul'], ...get(q), ...op['f64x2.div'], ...op['f64x2.sqrt'], ...set(m),
          ...i32Const(OUT_AT), ...get(offset), ...op['i32.add'],
          ...draw(U_AT), ...draw(V_AT), ...op['i8x16.shuffle'], ...INTERLEAVE,
          ...op['v128.store'], 4, 0,
        ]),
  ];
  const code = [
    ...get(pairs), ...i32Const(1), ...op['i32.add'], ...i32Const(1), ...op['i32.shr_u'], ...i32Const(4), ...op['i32.shl'], ...set(end), // end = ((pairs + 1) >> 1) << 4
    ...whileBelow(offset, 16, end, body),
  ];
  return wasmFunction([I32, F64, F64], [[2, I32], [15, V128]], code);
}

interface Exports {
  readonly memory: WebAssembly.Memory;
  readonly transform: (pairs: number, mean: number, std: number) => void;
  readonly logs: (pairs: number, mean: number, std: number) => void;
}

/**
 * The polar transform's block: fill u, v and q (float64 views on the module's memory) for up to POLAR_BLOCK pairs,
 * call transform(pairs, mean, std), read the float32 draws from out (u_0 draw, v_0 draw, u_1 draw, ...).
 */
export interface PolarBlock {
  readonly u: Float64Array;
  readonly v: Float64Array;
  readonly q: Float64Array;
  readonly out: Float32Array;
  transform(pairs: number, mean: number, std: number): void;
  /** ln(q) of the first `pairs` entries of q, as float64 into outLogs (the kernel's logarithm alone). */
  logs(pairs: number): Float64Array;
}

let block: PolarBlock | undefined;

export function polarBlock(): PolarBlock {
  if (!block) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(wasmModule({ transform: polarKernel(false), logs: polarKernel(true) }))).exports as unknown as Exports;
    const buffer = instance.memory.buffer;
    const { transform, logs } = instance;
    const outLogs = new Float64Array(buffer, OUT_AT, POLAR_BLOCK + 1);
    block = {
      u: new Float64Array(buffer, U_AT, POLAR_BLOCK + 1),
      v: new Float64Array(buffer, V_AT, POLAR_BLOCK + 1),
      q: new Float64Array(buffer, Q_AT, POLAR_BLOCK + 1),
      out: new Float32Array(buffer, OUT_AT, 2 * (POLAR_BLOCK + 1)),
      transform,
      logs: (pairs) => {
        logs(pairs, 0, 0);
        return outLogs.subarray(0, pairs);
      },
    };
  }
  return block;
}

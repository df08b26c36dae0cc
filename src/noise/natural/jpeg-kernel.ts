// jpeg-pixels.ts's hot loops as WebAssembly SIMD functions (added to wasm-kernels.ts's module, on its heap):
// the encoder's colour conversion, the per-block work (centre, islow FDCT, quantisation by reciprocal,
// dequantisation, islow IDCT, range limit) over a whole padded plane, fancy upsampling and the decoder's colour
// conversion.
// An 8x8 block is 16 i32x4 vectors (two per row); each 1-D pass runs on four rows or columns at once, with 4x4
// shuffle transposes between the passes. Every operation is libjpeg-turbo's int32 arithmetic (wrapping add, sub,
// mul; arithmetic shifts), so the samples are bit-identical to the JavaScript they replaced and to sharp's
// round trip (jpeg.test.ts).
import { I32, V128, binary, f64Const, get, i32Const, op, set, tee, uleb, wasmFunction, whileBelow, type WasmFunction } from '../../util/wasm.js';

// jfdctint.c / jidctint.c fixed-point constants (CONST_BITS 13, PASS1_BITS 2), FIX(x) = round(x * 2^13);
// jpeg.test.ts pins them through sharp's round trip.
const FIX_0_298631336 = 2446;
const FIX_0_390180644 = 3196;
const FIX_0_541196100 = 4433;
const FIX_0_765366865 = 6270;
const FIX_0_899976223 = 7373;
const FIX_1_175875602 = 9633;
const FIX_1_501321110 = 12299;
const FIX_1_847759065 = 15137;
const FIX_1_961570560 = 16069;
const FIX_2_053119869 = 16819;
const FIX_2_562915447 = 20995;
const FIX_3_072711026 = 25172;

type Expr = number[];
/** An 8x8 block: [row or column][half] (lanes 0-3 or 4-7 of the other index). */
type Block = Expr[][];

/** Straight-line code with one fresh v128 local per named value. */
class Emitter {
  readonly code: number[] = [];
  private readonly constants = new Map<number, Expr>();
  constructor(private next: number) {}

  get locals(): number {
    return this.next;
  }

  let(expr: Expr): Expr {
    const i = this.next++;
    this.code.push(...expr, ...set(i));
    return get(i);
  }

  /** The splat of an int32 constant, emitted once at the function's start (see `prelude`). */
  splat(c: number): Expr {
    let local = this.constants.get(c);
    if (!local) {
      local = this.let([...i32Const(c), ...op['i32x4.splat']]);
      this.constants.set(c, local);
    }
    return local;
  }
}

const add = binary(op['i32x4.add']);
const sub = binary(op['i32x4.sub']);
const mul = binary(op['i32x4.mul']);
const xor = binary(op['v128.xor']);
const and = binary(op['v128.and']);
const shrS = (a: Expr, n: number): Expr => [...a, ...i32Const(n), ...op['i32x4.shr_s']];
const shl = (a: Expr, n: number): Expr => [...a, ...i32Const(n), ...op['i32x4.shl']];
/** i8x16.shuffle picking i32 lanes (0-3 from a, 4-7 from b). */
const shuffle32 = (a: Expr, b: Expr, lanes: number[]): Expr => [...a, ...b, ...op['i8x16.shuffle'], ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])];

/** The f64x2 splat of a constant. */
const f64Splat = (x: number): Expr => [...f64Const(x), ...op['f64x2.splat']];

/** The transpose of a block (rows of column halves to columns of row halves). */
function transpose(e: Emitter, m: Block): Block {
  const t: Block = Array.from({ length: 8 }, () => [[], []]);
  for (let g = 0; g < 2; g++) {
    for (let h = 0; h < 2; h++) {
      const [a, b, c, d] = [0, 1, 2, 3].map((i) => m[4 * g + i][h]);
      const t0 = e.let(shuffle32(a, b, [0, 4, 1, 5])), t1 = e.let(shuffle32(a, b, [2, 6, 3, 7]));
      const t2 = e.let(shuffle32(c, d, [0, 4, 1, 5])), t3 = e.let(shuffle32(c, d, [2, 6, 3, 7]));
      t[4 * h][g] = e.let(shuffle32(t0, t2, [0, 1, 4, 5]));
      t[4 * h + 1][g] = e.let(shuffle32(t0, t2, [2, 3, 6, 7]));
      t[4 * h + 2][g] = e.let(shuffle32(t1, t3, [0, 1, 4, 5]));
      t[4 * h + 3][g] = e.let(shuffle32(t1, t3, [2, 3, 6, 7]));
    }
  }
  return t;
}

/** One 1-D pass of jpeg_fdct_islow on vectors x[0..7]: the first (rows) pass or the second (columns). */
function forwardPass(e: Emitter, x: Expr[], first: boolean): Expr[] {
  const t0 = e.let(add(x[0], x[7])), t7 = e.let(sub(x[0], x[7]));
  const t1 = e.let(add(x[1], x[6])), t6 = e.let(sub(x[1], x[6]));
  const t2 = e.let(add(x[2], x[5])), t5 = e.let(sub(x[2], x[5]));
  const t3 = e.let(add(x[3], x[4])), t4 = e.let(sub(x[3], x[4]));
  const t10 = e.let(add(t0, t3)), t13 = e.let(sub(t0, t3)), t11 = e.let(add(t1, t2)), t12 = e.let(sub(t1, t2));
  const y: Expr[] = [];
  const bits = first ? 11 : 15;
  const round = e.splat(1 << (bits - 1));
  const descale = (v: Expr) => e.let(shrS(add(v, round), bits));
  if (first) {
    y[0] = e.let(shl(add(t10, t11), 2));
    y[4] = e.let(shl(sub(t10, t11), 2));
  } else {
    y[0] = e.let(shrS(add(add(t10, t11), e.splat(2)), 2));
    y[4] = e.let(shrS(add(sub(t10, t11), e.splat(2)), 2));
  }
  const z1 = e.let(mul(add(t12, t13), e.splat(FIX_0_541196100)));
  y[2] = descale(add(z1, mul(t13, e.splat(FIX_0_765366865))));
  y[6] = descale(sub(z1, mul(t12, e.splat(FIX_1_847759065))));
  const z5 = e.let(mul(add(add(add(t4, t6), t5), t7), e.splat(FIX_1_175875602)));
  const o1 = e.let(mul(add(t4, t7), e.splat(-FIX_0_899976223)));
  const o2 = e.let(mul(add(t5, t6), e.splat(-FIX_2_562915447)));
  const o3 = e.let(add(mul(add(t4, t6), e.splat(-FIX_1_961570560)), z5));
  const o4 = e.let(add(mul(add(t5, t7), e.splat(-FIX_0_390180644)), z5));
  y[7] = descale(add(add(mul(t4, e.splat(FIX_0_298631336)), o1), o3));
  y[5] = descale(add(add(mul(t5, e.splat(FIX_2_053119869)), o2), o4));
  y[3] = descale(add(add(mul(t6, e.splat(FIX_3_072711026)), o2), o3));
  y[1] = descale(add(add(mul(t7, e.splat(FIX_1_501321110)), o1), o4));
  return y;
}

/** One 1-D pass of jpeg_idct_islow on vectors x[0..7], descaled by `bits` with rounding. */
function inversePass(e: Emitter, x: Expr[], bits: number): Expr[] {
  const z1 = e.let(mul(add(x[2], x[6]), e.splat(FIX_0_541196100)));
  const tmp2 = e.let(sub(z1, mul(x[6], e.splat(FIX_1_847759065))));
  const tmp3 = e.let(add(z1, mul(x[2], e.splat(FIX_0_765366865))));
  const tmp0 = e.let(shl(add(x[0], x[4]), 13));
  const tmp1 = e.let(shl(sub(x[0], x[4]), 13));
  const tmp10 = e.let(add(tmp0, tmp3)), tmp13 = e.let(sub(tmp0, tmp3));
  const tmp11 = e.let(add(tmp1, tmp2)), tmp12 = e.let(sub(tmp1, tmp2));
  const [a0, a1, a2, a3] = [x[7], x[5], x[3], x[1]];
  const z5 = e.let(mul(add(add(a0, a2), add(a1, a3)), e.splat(FIX_1_175875602)));
  const y1 = e.let(mul(add(a0, a3), e.splat(-FIX_0_899976223)));
  const y2 = e.let(mul(add(a1, a2), e.splat(-FIX_2_562915447)));
  const y3 = e.let(add(mul(add(a0, a2), e.splat(-FIX_1_961570560)), z5));
  const y4 = e.let(add(mul(add(a1, a3), e.splat(-FIX_0_390180644)), z5));
  const b0 = e.let(add(add(mul(a0, e.splat(FIX_0_298631336)), y1), y3));
  const b1 = e.let(add(add(mul(a1, e.splat(FIX_2_053119869)), y2), y4));
  const b2 = e.let(add(add(mul(a2, e.splat(FIX_3_072711026)), y2), y3));
  const b3 = e.let(add(add(mul(a3, e.splat(FIX_1_501321110)), y1), y4));
  const round = e.splat(1 << (bits - 1));
  const descale = (v: Expr) => e.let(shrS(add(v, round), bits));
  return [
    descale(add(tmp10, b3)), descale(add(tmp11, b2)), descale(add(tmp12, b1)), descale(add(tmp13, b0)),
    descale(sub(tmp13, b0)), descale(sub(tmp12, b1)), descale(sub(tmp11, b2)), descale(sub(tmp10, b3)),
  ];
}

/** Applies a 1-D pass to both halves of a block. */
const bothHalves = (m: Block, pass: (x: Expr[]) => Expr[]): Block => {
  const lo = pass(m.map((v) => v[0])), hi = pass(m.map((v) => v[1]));
  return lo.map((v, i) => [v, hi[i]]);
};

/**
 * roundTripBlocks(plane, stride, rows, tables): every 8x8 block of the 8-bit plane at byte offset `plane`
 * (`stride` x `rows`, both multiples of 8) encoded and decoded in place. `tables` points at four int32 tables
 * of 64 in natural order: the quantisation table, the reciprocals, the rounding corrections, and the
 * multipliers 2^(26 - shift) that finish each coefficient's shift after a common shift by 18 (jpeg-pixels.ts).
 */
export function roundTripBlocksKernel(): WasmFunction {
  const [plane, stride, rows, tables, by, bx, at] = [0, 1, 2, 3, 4, 5, 6];
  const e = new Emitter(7);
  const memarg = [0, 0];
  const load = (address: Expr): Expr => [...address, ...op['v128.load'], ...memarg];
  const table = (t: number, i: number) => e.let(load([...get(tables), ...i32Const(256 * t + 16 * i), ...op['i32.add']]));
  // Tables as vectors, row u's halves at [2u], [2u + 1].
  const [quant, reciprocal, correction, multiplier] = [0, 1, 2, 3].map((t) => Array.from({ length: 16 }, (_, i) => table(t, i)));
  const centre = e.splat(128);
  const prelude = e.code.splice(0); // tables and the centring constant, hoisted out of the loops

  // The block's rows, widened to int32 and centred on 0.
  const rowAddress = (r: number): Expr => [...get(at), ...get(stride), ...i32Const(r), ...op['i32.mul'], ...op['i32.add']];
  const input: Block = Array.from({ length: 8 }, (_, r) => {
    const bytes = e.let([...rowAddress(r), ...op['v128.load64_zero'], ...memarg, ...op['i16x8.extend_low_i8x16_u']]);
    return [e.let(sub([...bytes, ...op['i32x4.extend_low_i16x8_u']], centre)), e.let(sub([...bytes, ...op['i32x4.extend_high_i16x8_u']], centre))];
  });
  const rowPass = transpose(e, bothHalves(transpose(e, input), (x) => forwardPass(e, x, true)));
  const coefficients = bothHalves(rowPass, (x) => forwardPass(e, x, false));
  // Quantise (magnitude by reciprocal, sign restored) and dequantise, coefficient row u's halves.
  const dequantised: Block = coefficients.map((halves, u) => halves.map((v, h) => {
    const k = 2 * u + h;
    const sign = e.let(shrS(v, 31));
    const product = mul(add([...v, ...op['i32x4.abs']], correction[k]), reciprocal[k]);
    const magnitude = e.let(shrS(mul(shrS(product, 18), multiplier[k]), 8));
    return e.let(mul(sub(xor(magnitude, sign), sign), quant[k]));
  }));
  const work = bothHalves(dequantised, (x) => inversePass(e, x, 11));
  const samples = transpose(e, bothHalves(transpose(e, work), (x) => inversePass(e, x, 18)));
  // jidctint.c's range limit: (v + 128) & 1023 read as a signed 10-bit value, then saturated to 0..255 by the narrows.
  const limited = (v: Expr) => sub(xor(and(add(v, centre), e.splat(1023)), e.splat(512)), e.splat(512));
  // Each row: two int32 halves narrowed to 8 int16, then (tee'd into the last local) to bytes; the low 8 stored.
  samples.forEach(([lo, hi], r) => {
    e.code.push(...rowAddress(r), ...limited(lo), ...limited(hi), ...op['i16x8.narrow_i32x4_s']);
    e.code.push(...tee(e.locals), ...get(e.locals), ...op['i8x16.narrow_i16x8_u'], ...op['v128.store64_lane'], ...memarg, 0);
  });
  const narrowLocal = e.locals;
  const blockBody = e.code.splice(0);

  const blocks = whileBelow(bx, 8, stride, [...get(plane), ...get(by), ...get(stride), ...op['i32.mul'], ...op['i32.add'], ...get(bx), ...op['i32.add'], ...set(at), ...blockBody]);
  return wasmFunction(Array<number>(4).fill(I32), [[3, I32], [narrowLocal + 1 - 7, V128]], [...prelude, ...whileBelow(by, 8, rows, [...i32Const(0), ...set(bx), ...blocks])]);
}

// jccolor.c's / jdcolor.c's fixed-point coefficients (SCALEBITS 16): FIX(x) = round(x * 2^16).
export const FIX16 = (x: number) => Math.floor(x * 65536 + 0.5);
export const ONE_HALF = 1 << 15;
const CBCR_OFFSET = 128 << 16;

/**
 * rgbToYcc(rgb, n, y, cb, cr): n pixels (a multiple of 4) of interleaved float32 RGB at byte offset `rgb` to
 * int32 Y, Cb and Cr lines: each sample to its 8-bit level (toLevel: round(v * 255) in double, clipped, NaN to 0),
 * then rgb_ycc_convert's fixed-point sums, four pixels per step.
 */
export function rgbToYccKernel(): WasmFunction {
  const [rgb, n, yOut, cbOut, crOut, p, o, end] = [0, 1, 2, 3, 4, 5, 6, 7];
  const e = new Emitter(8);
  const scale = e.let(f64Splat(255)), half = e.let(f64Splat(0.5));
  const [zero, top] = [e.splat(0), e.splat(255)];
  const coefficients = [
    [FIX16(0.299), FIX16(0.587), FIX16(0.114), ONE_HALF],
    [-FIX16(0.16874), -FIX16(0.33126), FIX16(0.5), CBCR_OFFSET + ONE_HALF - 1],
    [FIX16(0.5), -FIX16(0.41869), -FIX16(0.08131), CBCR_OFFSET + ONE_HALF - 1],
  ].map((row) => row.map((c) => e.splat(c)));
  const prelude = e.code.splice(0);
  const at = (offset: number): Expr => [...get(rgb), ...get(p), ...op['i32.add'], ...op['v128.load'], 0, ...uleb(offset)];
  const [a, b, c] = [0, 16, 32].map((offset) => e.let(at(offset)));
  const channels = [
    [[0, 3, 6, 7], [0, 1, 2, 5]],
    [[1, 4, 7, 7], [0, 1, 2, 6]],
    [[2, 5, 5, 5], [0, 1, 4, 7]],
  ].map(([first, second]) => {
    const v = e.let(shuffle32(shuffle32(a, b, first), c, second));
    // Math.round(x) is floor(x + 0.5), exact here: v * 255 has at most 32 significant bits.
    const rounded = (x: Expr) => [...x, ...op['f64x2.promote_low_f32x4'], ...scale, ...op['f64x2.mul'], ...half, ...op['f64x2.add'], ...op['f64x2.floor'], ...op['i32x4.trunc_sat_f64x2_s_zero']];
    const level = shuffle32(rounded(v), rounded(shuffle32(v, v, [2, 3, 2, 3])), [0, 1, 4, 5]);
    return e.let([...[...level, ...zero, ...op['i32x4.max_s']], ...top, ...op['i32x4.min_s']]);
  });
  const outputs = [yOut, cbOut, crOut];
  coefficients.forEach(([cr, cg, cb, offset], k) => {
    e.code.push(...get(outputs[k]), ...get(o), ...op['i32.add']);
    e.code.push(...shrS(add(add(add(mul(channels[0], cr), mul(channels[1], cg)), mul(channels[2], cb)), offset), 16), ...op['v128.store'], 0, 0);
  });
  const body = e.code.splice(0);
  const end4n = [...get(n), ...i32Const(2), ...op['i32.shl'], ...set(end)]; // end = 4n bytes of int32 output
  return wasmFunction(Array<number>(5).fill(I32), [[3, I32], [e.locals - 8, V128]], [...prelude, ...end4n, ...whileBelow(o, 16, end, [...body, ...get(p), ...i32Const(48), ...op['i32.add'], ...set(p)])]);
}

/**
 * yccToRgb(y, cb, cr, out, n): n pixels (a multiple of 4) of 8-bit Y, Cb, Cr at byte offsets y, cb, cr to
 * interleaved float32 RGB at `out`: ycc_rgb_convert's fixed-point sums (jdcolor.c), clipped to 0..255, each level
 * k stored as k / 255 rounded once to float32.
 */
export function yccToRgbKernel(): WasmFunction {
  const [yIn, cbIn, crIn, out, n, i, o] = [0, 1, 2, 3, 4, 5, 6];
  const e = new Emitter(7);
  const divisor = e.let(f64Splat(255));
  const [zero, top, centre, half] = [0, 255, 128, ONE_HALF].map((c) => e.splat(c));
  const [crR, cbB, crG, cbG] = [FIX16(1.402), FIX16(1.772), -FIX16(0.71414), -FIX16(0.34414)].map((c) => e.splat(c));
  const prelude = e.code.splice(0);
  const bytes = (line: number): Expr => e.let([...get(line), ...get(i), ...op['i32.add'], ...op['v128.load32_zero'], 0, 0, ...op['i16x8.extend_low_i8x16_u'], ...op['i32x4.extend_low_i16x8_u']]);
  const y = bytes(yIn), u = e.let(sub(bytes(cbIn), centre)), v = e.let(sub(bytes(crIn), centre));
  const clip = (x: Expr): Expr => [...x, ...zero, ...op['i32x4.max_s'], ...top, ...op['i32x4.min_s']];
  // The level as float32: k / 255 in double (convert, divide), then demoted once, two lanes at a time.
  const value = (k: Expr): Expr => {
    const level = e.let(clip(k));
    const part = (x: Expr) => [...x, ...op['f64x2.convert_low_i32x4_s'], ...divisor, ...op['f64x2.div'], ...op['f32x4.demote_f64x2_zero']];
    return e.let(shuffle32(part(level), part(shuffle32(level, level, [2, 3, 2, 3])), [0, 1, 4, 5]));
  };
  const r = value(add(y, shrS(add(mul(v, crR), half), 16)));
  const g = value(add(y, shrS(add(add(mul(u, cbG), half), mul(v, crG)), 16)));
  const b = value(add(y, shrS(add(mul(u, cbB), half), 16)));
  // Interleave: R0 G0 B0 R1 | G1 B1 R2 G2 | B2 R3 G3 B3.
  const words = [
    shuffle32(shuffle32(r, g, [0, 4, 1, 5]), b, [0, 1, 4, 2]),
    shuffle32(shuffle32(g, b, [1, 5, 2, 6]), r, [0, 1, 6, 2]),
    shuffle32(shuffle32(r, g, [3, 7, 3, 7]), b, [6, 0, 1, 7]),
  ];
  words.forEach((word, k) => e.code.push(...get(out), ...get(o), ...op['i32.add'], ...word, ...op['v128.store'], 0, ...uleb(16 * k)));
  const body = e.code.splice(0);
  return wasmFunction(Array<number>(5).fill(I32), [[2, I32], [e.locals - 7, V128]], [...prelude, ...whileBelow(i, 4, n, [...body, ...get(o), ...i32Const(48), ...op['i32.add'], ...set(o)])]);
}

/**
 * upsampleRow(near, far, out, n): one output row of h2v2_fancy_upsample (jdsample.c), eight chroma samples a step
 * in i16x8. `near` and `far` are byte offsets of the nearer and farther chroma rows, each starting one sample
 * early with a copy of its first sample and ending with a copy of its last (so the row's edge outputs need no
 * special case); the 2n samples go to `out`. A row's last step may read past the row and write past 2n.
 */
export function upsampleRowKernel(): WasmFunction {
  const [near, far, out, n, x] = [0, 1, 2, 3, 4];
  const e = new Emitter(5);
  const splat16 = (c: number) => e.let([...i32Const(c), ...op['i16x8.splat']]);
  const [three, eight, seven] = [3, 8, 7].map(splat16);
  const prelude = e.code.splice(0);
  const add16 = binary(op['i16x8.add']), mul16 = binary(op['i16x8.mul']);
  const shr16 = (a: Expr, bits: number): Expr => [...a, ...i32Const(bits), ...op['i16x8.shr_u']];
  const samples = (line: number, offset: number): Expr => [...get(line), ...get(x), ...op['i32.add'], ...op['v128.load64_zero'], 0, offset, ...op['i16x8.extend_low_i8x16_u']];
  const [before, here, after] = [0, 1, 2].map((offset) => e.let(add16(mul16(samples(near, offset), three), samples(far, offset))));
  const centre = e.let(mul16(here, three));
  const even = shr16(add16(add16(centre, before), eight), 4);
  const odd = shr16(add16(add16(centre, after), seven), 4);
  const interleaved = e.let([...even, ...odd, ...op['i8x16.narrow_i16x8_u']]);
  e.code.push(...get(out), ...get(x), ...i32Const(1), ...op['i32.shl'], ...op['i32.add'], ...interleaved, ...interleaved, ...op['i8x16.shuffle'], 0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15, ...op['v128.store'], 0, 0);
  const body = e.code.splice(0);
  return wasmFunction(Array<number>(4).fill(I32), [[1, I32], [e.locals - 5, V128]], [...prelude, ...whileBelow(x, 8, n, body)]);
}

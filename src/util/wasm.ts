// Byte-level helpers for WebAssembly modules emitted in code (a few hundred bytes each, so no binary ships):
// LEB128 numbers, vectors, sections, names, the instructions' opcodes and the pieces every kernel repeats.

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

/** Signed LEB128 (the immediates of i32.const). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
export const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
export const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
/** A SIMD instruction: the 0xfd prefix, then its opcode as an unsigned LEB128. */
const simd = (opcode: number): number[] => [0xfd, ...uleb(opcode)];

/**
 * The instructions the kernels use, keyed by their mnemonics in the WebAssembly 2.0 specification (binary format,
 * section 5.4: control, variable, memory, numeric and vector instructions), each as its opcode bytes. Immediates
 * follow where the instruction takes them: a block type, a label depth, a local index, a memarg (alignment
 * exponent, offset), a lane index, a constant or a shuffle's 16 lane numbers.
 */
export const op = {
  block: [0x02],
  loop: [0x03],
  end: [0x0b],
  br: [0x0c],
  br_if: [0x0d],
  'local.get': [0x20],
  'local.set': [0x21],
  'local.tee': [0x22],
  'i32.load': [0x28],
  'f32.load': [0x2a],
  'f32.store': [0x38],
  'i32.const': [0x41],
  'f32.const': [0x43],
  'f64.const': [0x44],
  'i32.eqz': [0x45],
  'i32.lt_s': [0x48],
  'i32.lt_u': [0x49],
  'i32.add': [0x6a],
  'i32.mul': [0x6c],
  'i32.shl': [0x74],
  'i32.shr_u': [0x76],
  'f32.neg': [0x8c],
  'f64.add': [0xa0],
  'f64.sub': [0xa1],
  'f64.mul': [0xa2],
  'f32.demote_f64': [0xb6],
  'f64.promote_f32': [0xbb],
  'v128.load': simd(0x00),
  'v128.store': simd(0x0b),
  'v128.const': simd(0x0c),
  'i8x16.shuffle': simd(0x0d),
  'i16x8.splat': simd(0x10),
  'i32x4.splat': simd(0x11),
  'f32x4.splat': simd(0x13),
  'f64x2.splat': simd(0x14),
  'f32x4.lt': simd(0x43),
  'f32x4.gt': simd(0x44),
  'v128.and': simd(0x4e),
  'v128.or': simd(0x50),
  'v128.xor': simd(0x51),
  'v128.bitselect': simd(0x52),
  'v128.store32_lane': simd(0x5a),
  'v128.store64_lane': simd(0x5b),
  'v128.load32_zero': simd(0x5c),
  'v128.load64_zero': simd(0x5d),
  'f32x4.demote_f64x2_zero': simd(0x5e),
  'f64x2.promote_low_f32x4': simd(0x5f),
  'i8x16.narrow_i16x8_u': simd(0x66),
  'f64x2.floor': simd(0x75),
  'i16x8.narrow_i32x4_s': simd(0x85),
  'i16x8.extend_low_i8x16_u': simd(0x89),
  'i16x8.extend_high_i8x16_u': simd(0x8a),
  'i16x8.shr_u': simd(0x8d),
  'i16x8.add': simd(0x8e),
  'i16x8.mul': simd(0x95),
  'i32x4.abs': simd(0xa0),
  'i32x4.extend_low_i16x8_u': simd(0xa9),
  'i32x4.extend_high_i16x8_u': simd(0xaa),
  'i32x4.shl': simd(0xab),
  'i32x4.shr_s': simd(0xac),
  'i32x4.add': simd(0xae),
  'i32x4.sub': simd(0xb1),
  'i32x4.mul': simd(0xb5),
  'i32x4.min_s': simd(0xb6),
  'i32x4.max_s': simd(0xb8),
  'i64x2.shl': simd(0xcb),
  'i64x2.shr_u': simd(0xcd),
  'i64x2.add': simd(0xce),
  'i64x2.sub': simd(0xd1),
  'i64x2.lt_s': simd(0xd8),
  'i64x2.gt_s': simd(0xd9),
  'f32x4.add': simd(0xe4),
  'f32x4.sub': simd(0xe5),
  'f32x4.mul': simd(0xe6),
  'f32x4.min': simd(0xe8),
  'f32x4.max': simd(0xe9),
  'f32x4.pmin': simd(0xea),
  'f32x4.pmax': simd(0xeb),
  'f64x2.sqrt': simd(0xef),
  'f64x2.add': simd(0xf0),
  'f64x2.sub': simd(0xf1),
  'f64x2.mul': simd(0xf2),
  'f64x2.div': simd(0xf3),
  'f64x2.min': simd(0xf4),
  'i32x4.trunc_sat_f64x2_s_zero': simd(0xfc),
  'f64x2.convert_low_i32x4_s': simd(0xfe),
} as const satisfies Record<string, readonly number[]>;

/** The block type of a block or loop that leaves nothing on the stack. */
export const VOID = 0x40;

/** local.get / local.set / local.tee of local `i`. */
export const get = (i: number): number[] => [...op['local.get'], ...uleb(i)];
export const set = (i: number): number[] => [...op['local.set'], ...uleb(i)];
export const tee = (i: number): number[] => [...op['local.tee'], ...uleb(i)];

/** Constants: i32.const n, f32.const x, f64.const x (the floats as their little-endian IEEE bytes). */
export const i32Const = (n: number): number[] => [...op['i32.const'], ...sleb(n)];
export const f32Const = (x: number): number[] => [...op['f32.const'], ...new Uint8Array(Float32Array.of(x).buffer)];
export const f64Const = (x: number): number[] => [...op['f64.const'], ...new Uint8Array(Float64Array.of(x).buffer)];

/** A binary instruction applied to two operand expressions: both operands, then the instruction. */
export const binary = (instruction: readonly number[]) => (a: readonly number[], b: readonly number[]): number[] => [...a, ...b, ...instruction];

/**
 * `body` repeated while the i32 local `counter`, advanced by `step` after each pass, stays below the i32 local
 * `limit` (unsigned); nothing when `limit` is 0. The kernels' loop over a line: block; br_if limit == 0; loop;
 * body; counter += step; br_if counter < limit; end; end.
 */
export const whileBelow = (counter: number, step: number, limit: number, body: readonly number[]): number[] => [
  ...op.block, VOID, ...get(limit), ...op['i32.eqz'], ...op.br_if, 0,
  ...op.loop, VOID, ...body, ...get(counter), ...i32Const(step), ...op['i32.add'], ...tee(counter), ...get(limit), ...op['i32.lt_u'], ...op.br_if, 0, ...op.end,
  ...op.end,
];

/** Value types (of locals, params and results). */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** A function as wasmModule takes it: its type entry and its code entry. */
export interface WasmFunction {
  readonly type: number[];
  readonly code: number[];
}

/**
 * A function of the given param types returning nothing: its locals declared in [count, type] groups, then `code`
 * (which leaves its own blocks and loops closed), then the function's end.
 */
export function wasmFunction(params: readonly number[], locals: readonly (readonly [count: number, type: number])[], code: readonly number[]): WasmFunction {
  const body = [...vec(locals.map(([count, type]) => [...uleb(count), type])), ...code, ...op.end];
  return { type: [0x60, ...vec(params.map((p) => [p])), 0], code: [...uleb(body.length), ...body] };
}

/**
 * A module of one function per kernel (its type and code body), exported under its key in order, plus one memory
 * (1 page to start, grown on demand) exported as `memory`.
 */
export function wasmModule(kernels: Readonly<Record<string, WasmFunction>>): Uint8Array<ArrayBuffer> {
  const names = Object.keys(kernels);
  const list = Object.values(kernels);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, vec(list.map((k) => k.type))),
    ...section(3, vec(list.map((_, i) => uleb(i)))),
    ...section(5, vec([[0, 1]])),
    ...section(7, vec([[...name('memory'), 2, 0], ...names.map((k, i) => [...name(k), 0, ...uleb(i)])])),
    ...section(10, vec(list.map((k) => k.code))),
  ]);
}

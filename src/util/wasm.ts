// Byte-level helpers for WebAssembly modules emitted in code (a few hundred bytes each, so no binary ships):
// LEB128 numbers, vectors, sections, names and the SIMD opcode prefix.

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
/** A SIMD instruction (0xfd prefix). */
export const simd = (op: number): number[] => [0xfd, ...uleb(op)];
/** local.get / local.set / local.tee of local `i`. */
export const get = (i: number): number[] => [0x20, i];
export const set = (i: number): number[] => [0x21, i];
export const tee = (i: number): number[] => [0x22, i];

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
  const body = [...vec(locals.map(([count, type]) => [...uleb(count), type])), ...code, 0x0b];
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

// The L∞ steps of the gradient attacks over whole images as WebAssembly SIMD, four coordinates at a time: APGD's
// (update, momentum, both projections) and the projected-gradient family's (step and projection). In JavaScript their
// data-dependent branches (sign of the gradient, the ε clamp) cost more than the arithmetic; here every choice is a
// lane mask (bitselect, min, max), so nothing branches per coordinate.
//
// Bit-identical to the JavaScript loops below (`momentumStepLinf`, `ascendLinf`), which round to float32 wherever the
// unfused form stored (projectToThreat's buffers):
// - x + η·sign(g) with η a float32, z − c and c + δ are one IEEE operation on float32 operands; done in double and
//   rounded once they give the float32 operation's result (double has more than 2·24 + 2 bits), so f32x4 add/sub
//   do them exactly;
// - min(ε, max(−ε, δ)) rounded to float32 equals the float32 clamp to ±fround(ε): no float32 lies strictly between
//   ε and fround(ε); WebAssembly's min/max order −0 below +0 and propagate NaN, as Math.min/Math.max;
// - APGD's momentum x + α(z − x) + (1 − α)(x − x_prev) is several operations, and PGD's x + a·sign(g) adds a double
//   step size, so those run in f64x2 (widened, the same double operations in the same order, rounded once).
// APGD's arrays live in a kernel instance's memory for the whole run, so its step copies nothing; the
// projected-gradient loop keeps its arrays in JavaScript and copies a sample in and out (memcpy) per step.
import { F32, F64, I32, V128, f32Const, get, i32Const, op, set, tee, wasmFunction, wasmModule, whileBelow, type WasmFunction } from '../../util/wasm.js';
import { projectLinfValue } from './threat.js';

const lanes23 = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
/** Lanes 0-1 of the first operand then lanes 0-1 of the second: two demoted halves put back together. */
const joinHalves = [...op['i8x16.shuffle'], 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
const widenLow = (v: number[]) => [...v, ...op['f64x2.promote_low_f32x4']];
const widenHigh = (v: number[]) => [...v, ...v, ...op['i8x16.shuffle'], ...lanes23, ...op['f64x2.promote_low_f32x4']];

/** The v128 locals every kernel sets up first (after its own params and two i32 locals: offset, end). */
interface Common {
  readonly offset: number;
  readonly vEps: number;
  readonly vNegEps: number;
  readonly vZero: number;
  readonly vOne: number;
  readonly t: number;
  readonly lo: number;
}

/**
 * A kernel over n coordinates (a multiple of 4) of float32 arrays at byte offsets: `setup` and `step` are its own code
 * around the shared parts (splats of ±fround(ε), 0 and 1; the loop over 16-byte groups). The kernel's params come
 * first, `eps` among them; then the i32 locals offset and end, the common v128 locals and `extra` more v128 locals.
 */
function linfKernel(params: number[], eps: number, n: number, extra: number, body: (c: Common, at: (p: number) => number[], load: (p: number) => number[], project: number[]) => { setup: number[]; step: number[] }): WasmFunction {
  const offset = params.length, end = offset + 1;
  const c: Common = { offset, vEps: end + 1, vNegEps: end + 2, vZero: end + 3, vOne: end + 4, t: end + 5, lo: end + 6 };
  const at = (p: number) => [...get(p), ...get(offset), ...op['i32.add']];
  const load = (p: number) => [...at(p), ...op['v128.load'], 4, 0];
  // clip₀₁(c + clamp(v − c, ±ε)) of the f32x4 on the stack, with c in the local `vc` (the first extra local).
  const vc = end + 7;
  const project = [
    ...get(vc), ...op['f32x4.sub'], ...set(c.t),
    ...get(c.vEps), ...get(c.vNegEps), ...get(c.t), ...op['f32x4.max'], ...op['f32x4.min'],
    ...get(vc), ...op['f32x4.add'], ...set(c.t),
    ...get(c.vOne), ...get(c.vZero), ...get(c.t), ...get(c.t), ...get(c.vZero), ...op['f32x4.lt'], ...op['v128.bitselect'],
    ...get(c.t), ...get(c.vOne), ...op['f32x4.gt'], ...op['v128.bitselect'],
  ];
  const { setup, step } = body(c, at, load, project);
  const code = [
    ...get(eps), ...op['f32x4.splat'], ...set(c.vEps),
    ...get(eps), ...op['f32.neg'], ...op['f32x4.splat'], ...set(c.vNegEps),
    ...f32Const(0), ...op['f32x4.splat'], ...set(c.vZero),
    ...f32Const(1), ...op['f32x4.splat'], ...set(c.vOne),
    ...setup,
    ...get(n), ...i32Const(2), ...op['i32.shl'], ...set(end), // end = n << 2 bytes
    ...whileBelow(offset, 16, end, step),
  ];
  return wasmFunction(params, [[2, I32], [6 + 1 + extra, V128]], code);
}

/**
 * momentumStepLinf(x, xPrev, g, clean, eta, eps, alpha, beta, n): byte offsets of four float32 arrays, η and fround(ε)
 * as float32, α and β = 1 − α as double, and a count n (a multiple of 4) of coordinates.
 */
function momentumStepLinfKernel(): WasmFunction {
  const [x, xPrev, g, clean, eta, eps, alpha, beta, n] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const extra = 8;
  return linfKernel([I32, I32, I32, I32, F32, F32, F64, F64, I32], eps, n, extra, (c, at, load, project) => {
    const l = c.lo + 1;
    const [vc, vEta, vNegEta, vAlpha, vBeta, vx, vz, vp] = [l, l + 1, l + 2, l + 3, l + 4, l + 5, l + 6, l + 7];
    // x + α(z − x) + β(x − x_prev) on two lanes, widened.
    const momentum = (widen: (v: number[]) => number[]) => [
      ...widen(get(vx)), ...get(vAlpha), ...widen(get(vz)), ...widen(get(vx)), ...op['f64x2.sub'], ...op['f64x2.mul'], ...op['f64x2.add'],
      ...get(vBeta), ...widen(get(vx)), ...widen(get(vp)), ...op['f64x2.sub'], ...op['f64x2.mul'], ...op['f64x2.add'],
      ...op['f32x4.demote_f64x2_zero'],
    ];
    return {
      setup: [
        ...get(eta), ...op['f32x4.splat'], ...set(vEta),
        ...get(eta), ...op['f32.neg'], ...op['f32x4.splat'], ...set(vNegEta),
        ...get(alpha), ...op['f64x2.splat'], ...set(vAlpha),
        ...get(beta), ...op['f64x2.splat'], ...set(vBeta),
      ],
      step: [
        ...load(x), ...set(vx),
        ...load(clean), ...set(vc),
        // z = Π(x + η·sign(0 + g)): g > 0 → η, g < 0 → −η, else η·(0 + g) (+0, NaN), as η·Math.sign(0 + g).
        ...get(vx),
        ...get(vEta), ...get(vNegEta), ...get(vEta), ...load(g), ...get(c.vZero), ...op['f32x4.add'], ...tee(c.t), ...op['f32x4.mul'],
        ...get(c.t), ...get(c.vZero), ...op['f32x4.lt'], ...op['v128.bitselect'],
        ...get(c.t), ...get(c.vZero), ...op['f32x4.gt'], ...op['v128.bitselect'],
        ...op['f32x4.add'],
        ...project, ...set(vz),
        // The momentum on lanes 0-1 and 2-3, put back together; then x_prev ← x and x ← Π(momentum).
        ...load(xPrev), ...set(vp),
        ...momentum(widenLow), ...set(c.lo),
        ...get(c.lo), ...momentum(widenHigh), ...joinHalves,
        ...project, ...set(c.t),
        ...at(xPrev), ...get(vx), ...op['v128.store'], 4, 0,
        ...at(x), ...get(c.t), ...op['v128.store'], 4, 0,
      ],
    };
  });
}

/**
 * ascendLinf(x, x0, g, a, eps, n): x ← Π(x + a·sign(g)) around x0, the projected-gradient step; a (a double, so the
 * add runs widened and rounds once, as the JavaScript) and fround(ε).
 */
function ascendLinfKernel(): WasmFunction {
  const [x, x0, g, a, eps, n] = [0, 1, 2, 3, 4, 5];
  return linfKernel([I32, I32, I32, F64, F32, I32], eps, n, 4, (c, at, load, project) => {
    const l = c.lo + 1;
    const [vc, vA, vNegOne, vs] = [l, l + 1, l + 2, l + 3];
    // x + a·s on two lanes, widened (s is ±1, or g itself where g is ±0 or NaN: Math.sign(g)).
    const ascend = (widen: (v: number[]) => number[]) => [...widen(load(x)), ...get(vA), ...widen(get(vs)), ...op['f64x2.mul'], ...op['f64x2.add'], ...op['f32x4.demote_f64x2_zero']];
    return {
      setup: [
        ...get(a), ...op['f64x2.splat'], ...set(vA),
        ...f32Const(-1), ...op['f32x4.splat'], ...set(vNegOne),
      ],
      step: [
        ...load(x0), ...set(vc),
        ...get(c.vOne), ...get(vNegOne), ...load(g), ...tee(c.t), ...get(c.t), ...get(c.vZero), ...op['f32x4.lt'], ...op['v128.bitselect'],
        ...get(c.t), ...get(c.vZero), ...op['f32x4.gt'], ...op['v128.bitselect'], ...set(vs),
        ...ascend(widenLow), ...set(c.lo),
        ...get(c.lo), ...ascend(widenHigh), ...joinHalves,
        ...project, ...set(c.t),
        ...at(x), ...get(c.t), ...op['v128.store'], 4, 0,
      ],
    };
  });
}

interface Exports {
  readonly memory: WebAssembly.Memory;
  momentumStepLinf(x: number, xPrev: number, g: number, clean: number, eta: number, eps: number, alpha: number, beta: number, n: number): void;
  ascendLinf(x: number, x0: number, g: number, a: number, eps: number, n: number): void;
}

let compiled: WebAssembly.Module | undefined;

/** A fresh instance (its own memory) of the kernel module. */
function instantiate(): Exports {
  compiled ??= new WebAssembly.Module(wasmModule({ momentumStepLinf: momentumStepLinfKernel(), ascendLinf: ascendLinfKernel() }));
  return new WebAssembly.Instance(compiled).exports as unknown as Exports;
}

/**
 * The float32 arrays of one APGD run placed in a kernel instance's memory (never grown after, so the views stay
 * valid), and the L∞ step on them.
 */
export class ApgdArrays {
  readonly x: Float32Array;
  readonly xPrev: Float32Array;
  readonly g: Float32Array;
  readonly clean: Float32Array;
  private readonly kernel: Exports;

  constructor(length: number) {
    this.kernel = instantiate();
    const bytes = Math.ceil(length / 4) * 16;
    const memory = this.kernel.memory;
    const needed = 4 * bytes - memory.buffer.byteLength;
    if (needed > 0) memory.grow(Math.ceil(needed / 65536));
    const region = (k: number) => new Float32Array(memory.buffer, k * bytes, length);
    [this.x, this.xPrev, this.g, this.clean] = [region(0), region(1), region(2), region(3)];
  }

  /** Arrays of `length` values each, or undefined where the four do not fit a WebAssembly memory (then step in JavaScript). */
  static tryCreate(length: number): ApgdArrays | undefined {
    try {
      return new ApgdArrays(length);
    } catch (error) {
      if (error instanceof RangeError) return undefined; // memory.grow past the engine's limit
      throw error;
    }
  }

  /** One sample's L∞ step on coordinates [o, o + size): the kernel on the multiple-of-4 part, JavaScript on the tail. */
  momentumStepLinf(o: number, size: number, eta: number, alpha: number, eps: number): void {
    const bulk = size & ~3;
    const offset = o * 4;
    this.kernel.momentumStepLinf(this.x.byteOffset + offset, this.xPrev.byteOffset + offset, this.g.byteOffset + offset, this.clean.byteOffset + offset, eta, Math.fround(eps), alpha, 1 - alpha, bulk);
    if (bulk < size) momentumStepLinf(this.x, this.xPrev, this.g, this.clean, o + bulk, o + size, eta, alpha, eps);
  }
}

/**
 * APGD's L∞ step (Algorithm 1) on coordinates [from, to) in JavaScript: z = Π(x + η·sign(∇)),
 * x_next = Π(x + α(z − x) + (1 − α)(x − x_prev)), α = 0.75 (1 on the first step); each value rounded to float32
 * where projectToThreat's buffers store it. The kernel computes the same bits.
 */
export function momentumStepLinf(x: Float32Array, xPrev: Float32Array, g: Float32Array, clean: Float32Array, from: number, to: number, eta: number, alpha: number, eps: number): void {
  for (let i = from; i < to; i++) {
    const xi = x[i];
    const z = projectLinfValue(clean[i], Math.fround(xi + eta * Math.sign(0 + g[i])), eps);
    const next = Math.fround(xi + alpha * (z - xi) + (1 - alpha) * (xi - xPrev[i]));
    xPrev[i] = xi;
    x[i] = projectLinfValue(clean[i], next, eps);
  }
}

/** An instance for arrays that live in JavaScript memory: a step copies its sample in and out (memcpy). */
let scratch: Exports | undefined;

/**
 * The projected-gradient L∞ step on one sample, x ← Π(x + a·sign(g)) onto the ε-ball around x0 ∩ [0,1], on
 * coordinates [o, o + size): the kernel on the multiple-of-4 part, JavaScript (`ascendLinf`) on the tail.
 */
export function ascendProjectLinf(x: Float32Array, x0: Float32Array, g: Float32Array, o: number, size: number, a: number, eps: number): void {
  const bulk = size & ~3;
  if (bulk > 0) {
    const kernel = (scratch ??= instantiate());
    const bytes = bulk * 4;
    if (kernel.memory.buffer.byteLength < 3 * bytes) kernel.memory.grow(Math.ceil((3 * bytes - kernel.memory.buffer.byteLength) / 65536));
    const heap = new Float32Array(kernel.memory.buffer, 0, 3 * bulk);
    heap.set(x.subarray(o, o + bulk), 0);
    heap.set(x0.subarray(o, o + bulk), bulk);
    heap.set(g.subarray(o, o + bulk), 2 * bulk);
    kernel.ascendLinf(0, bytes, 2 * bytes, a, Math.fround(eps), bulk);
    x.set(heap.subarray(0, bulk), o);
  }
  ascendLinf(x, x0, g, o + bulk, o + size, a, eps);
}

/** x ← Π(x + a·sign(g)) on coordinates [from, to) in JavaScript, with projectToThreat's float32 roundings. */
export function ascendLinf(x: Float32Array, x0: Float32Array, g: Float32Array, from: number, to: number, a: number, eps: number): void {
  for (let i = from; i < to; i++) x[i] = projectLinfValue(x0[i], Math.fround(x[i] + a * Math.sign(g[i])), eps);
}

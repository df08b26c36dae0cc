// APGD's L∞ step over whole images as WebAssembly SIMD, four coordinates at a time: the step is most of APGD's own
// work, and in JavaScript its data-dependent branches (sign of the gradient, the ε clamp) cost more than the
// arithmetic. Here every choice is a lane mask (bitselect, min, max), so nothing branches per coordinate.
//
// Bit-identical to the JavaScript loop (`momentumStepLinf` below), which rounds to float32 wherever its unfused form stored:
// - x + η·sign(g), z − c and c + δ are one IEEE operation on float32 operands; done in double and rounded once they
//   give the float32 operation's result (double has more than 2·24 + 2 bits), so f32x4 add/sub do them exactly;
// - min(ε, max(−ε, δ)) rounded to float32 equals the float32 clamp to ±fround(ε): no float32 lies strictly between
//   ε and fround(ε); WebAssembly's min/max order −0 below +0 and propagate NaN, as Math.min/Math.max;
// - the momentum x + α(z − x) + (1 − α)(x − x_prev) is several operations, so it runs in f64x2 (widened, the same
//   double operations in the same order, rounded once), as the JavaScript does.
// Arrays live in the module's memory (one instance per run), so a step copies nothing.
import { get, set, simd, uleb, vec, wasmModule } from '../../util/wasm.js';
import { projectLinfValue } from './threat.js';

const I32 = 0x7f;
const F32 = 0x7d;
const F64 = 0x7c;
const V128 = 0x7b;

// SIMD opcodes (WebAssembly 2.0).
const LOAD = 0x00;
const STORE = 0x0b;
const SHUFFLE = 0x0d;
const F32X4_SPLAT = 0x13;
const F64X2_SPLAT = 0x14;
const F32X4_LT = 0x43;
const F32X4_GT = 0x44;
const BITSELECT = 0x52;
const DEMOTE = 0x5e;
const PROMOTE = 0x5f;
const F32X4_ADD = 0xe4;
const F32X4_SUB = 0xe5;
const F32X4_MUL = 0xe6;
const F32X4_MIN = 0xe8;
const F32X4_MAX = 0xe9;
const F64X2_ADD = 0xf0;
const F64X2_SUB = 0xf1;
const F64X2_MUL = 0xf2;

const F32_NEG = 0x8c;
const f32Const = (v: number): number[] => [0x43, ...new Uint8Array(Float32Array.of(v).buffer)];
const tee = (i: number): number[] => [0x22, i];

/**
 * momentumStepLinf(x, xPrev, g, clean, eta, eps, alpha, beta, n): byte offsets of four float32 arrays, η and fround(ε)
 * as float32, α and β = 1 − α as double, and a count n (a multiple of 4) of coordinates.
 */
function momentumStepLinfKernel(): { type: number[]; code: number[] } {
  const [x, xPrev, g, clean, eta, eps, alpha, beta, n] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [offset, end] = [9, 10];
  const [vEta, vNegEta, vEps, vNegEps, vZero, vOne, vAlpha, vBeta, vx, vc, t, vz, lo, vp] = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24];
  const at = (p: number) => [...get(p), ...get(offset), 0x6a];
  const load = (p: number) => [...at(p), ...simd(LOAD), 4, 0];
  // clip₀₁(c + clamp(v − c, ±ε)) of the f32x4 on the stack, with c in vc.
  const project = [
    ...get(vc), ...simd(F32X4_SUB), ...set(t),
    ...get(vEps), ...get(vNegEps), ...get(t), ...simd(F32X4_MAX), ...simd(F32X4_MIN),
    ...get(vc), ...simd(F32X4_ADD), ...set(t),
    ...get(vOne), ...get(vZero), ...get(t), ...get(t), ...get(vZero), ...simd(F32X4_LT), ...simd(BITSELECT),
    ...get(t), ...get(vOne), ...simd(F32X4_GT), ...simd(BITSELECT),
  ];
  const lanes01 = [0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7];
  const lanes23 = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
  // x + α(z − x) + β(x − x_prev) on two lanes, widened: `widen(v)` pushes v's two lanes as f64x2.
  const momentum = (widen: (v: number[]) => number[], xp: number[]) => [
    ...widen(get(vx)), ...get(vAlpha), ...widen(get(vz)), ...widen(get(vx)), ...simd(F64X2_SUB), ...simd(F64X2_MUL), ...simd(F64X2_ADD),
    ...get(vBeta), ...widen(get(vx)), ...widen(xp), ...simd(F64X2_SUB), ...simd(F64X2_MUL), ...simd(F64X2_ADD),
    ...simd(DEMOTE),
  ];
  const low = (v: number[]) => [...v, ...simd(PROMOTE)];
  const upper = (v: number[]) => [...v, ...v, ...simd(SHUFFLE), ...lanes23, ...simd(PROMOTE)];
  const code = [
    ...get(eta), ...simd(F32X4_SPLAT), ...set(vEta),
    ...get(eta), F32_NEG, ...simd(F32X4_SPLAT), ...set(vNegEta),
    ...get(eps), ...simd(F32X4_SPLAT), ...set(vEps),
    ...get(eps), F32_NEG, ...simd(F32X4_SPLAT), ...set(vNegEps),
    ...f32Const(0), ...simd(F32X4_SPLAT), ...set(vZero),
    ...f32Const(1), ...simd(F32X4_SPLAT), ...set(vOne),
    ...get(alpha), ...simd(F64X2_SPLAT), ...set(vAlpha),
    ...get(beta), ...simd(F64X2_SPLAT), ...set(vBeta),
    ...get(n), 0x41, 2, 0x74, ...set(end), // end = n << 2 bytes
    0x02, 0x40, ...get(end), 0x45, 0x0d, 0, // block; if end == 0 break
    0x03, 0x40, // loop
    ...load(x), ...set(vx),
    ...load(clean), ...set(vc),
    // z = Π(x + η·sign(0 + g)): g > 0 → η, g < 0 → −η, else η·(0 + g) (+0, NaN), as η·Math.sign(0 + g).
    ...get(vx),
    ...get(vEta), ...get(vNegEta), ...get(vEta), ...load(g), ...get(vZero), ...simd(F32X4_ADD), ...tee(t), ...simd(F32X4_MUL),
    ...get(t), ...get(vZero), ...simd(F32X4_LT), ...simd(BITSELECT),
    ...get(t), ...get(vZero), ...simd(F32X4_GT), ...simd(BITSELECT),
    ...simd(F32X4_ADD),
    ...project, ...set(vz),
    // The momentum on lanes 0-1 and 2-3, put back together; then x_prev ← x and x ← Π(momentum).
    ...load(xPrev), ...set(vp),
    ...momentum(low, get(vp)), ...set(lo),
    ...get(lo), ...momentum(upper, get(vp)), ...simd(SHUFFLE), ...lanes01.slice(0, 8), 16, 17, 18, 19, 20, 21, 22, 23,
    ...project, ...set(t),
    ...at(xPrev), ...get(vx), ...simd(STORE), 4, 0,
    ...at(x), ...get(t), ...simd(STORE), 4, 0,
    ...get(offset), 0x41, 16, 0x6a, ...tee(offset), ...get(end), 0x49, 0x0d, 0, // offset += 16; continue while < end
    0x0b, 0x0b, 0x0b,
  ];
  const bodyBytes = [...vec([[2, I32], [14, V128]]), ...code];
  return { type: [0x60, ...vec([[I32], [I32], [I32], [I32], [F32], [F32], [F64], [F64], [I32]]), 0], code: [...uleb(bodyBytes.length), ...bodyBytes] };
}

interface Exports {
  readonly memory: WebAssembly.Memory;
  momentumStepLinf(x: number, xPrev: number, g: number, clean: number, eta: number, eps: number, alpha: number, beta: number, n: number): void;
}

let compiled: WebAssembly.Module | undefined;

/** A fresh instance (its own memory) of the kernel module. */
function instantiate(): Exports {
  compiled ??= new WebAssembly.Module(wasmModule({ momentumStepLinf: momentumStepLinfKernel() }));
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
    const bytes = ((length * 4 + 15) & ~15);
    const memory = this.kernel.memory;
    const needed = 4 * bytes - memory.buffer.byteLength;
    if (needed > 0) memory.grow(Math.ceil(needed / 65536));
    const region = (k: number) => new Float32Array(memory.buffer, k * bytes, length);
    [this.x, this.xPrev, this.g, this.clean] = [region(0), region(1), region(2), region(3)];
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

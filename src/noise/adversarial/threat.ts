// Threat models: Lp balls around the clean image intersected with the [0,1] pixel box.
// Every perturbation is measured per sample over the flattened C×H×W input (the model's input resolution).
import { RobustartError } from '../../errors.js';
import type { Rng } from '../../util/rng.js';

export type Norm = 'linf' | 'l2' | 'l1';
export const NORMS: readonly Norm[] = ['linf', 'l2', 'l1'];

/** "4/255" → 0.0157, "0.5" → 0.5; ε is always in [0,1] pixel units. */
export function parseEpsilon(text: string | number): number {
  if (typeof text === 'number') return checkEpsilon(text, String(text));
  const m = /^\s*([-+0-9.eE]+)\s*\/\s*([-+0-9.eE]+)\s*$/.exec(text);
  const value = m ? Number(m[1]) / Number(m[2]) : text.trim() === '' ? NaN : Number(text);
  return checkEpsilon(value, text);
}

function checkEpsilon(value: number, text: string): number {
  if (!Number.isFinite(value) || value < 0) throw new RobustartError(`epsilon '${text}' is not a non-negative number; write it as 0.03 or 8/255`);
  return value;
}

export function parseNorm(text: string): Norm {
  const t = text.toLowerCase().replace(/^l-?/, 'l');
  const norm = t === 'inf' || t === 'linf' || t === 'l∞' ? 'linf' : t;
  if (!NORMS.includes(norm as Norm)) throw new RobustartError(`norm '${text}' is not one of linf, l2, l1`);
  return norm as Norm;
}

/** ‖v[offset .. offset+size)‖_p. One loop per norm: attacks take the norm of whole images many times a step. */
export function lpNorm(v: ArrayLike<number>, offset: number, size: number, norm: Norm): number {
  let acc = 0;
  const end = offset + size;
  if (norm === 'linf') {
    for (let i = offset; i < end; i++) {
      const a = Math.abs(v[i]);
      acc = a > acc ? a : acc;
    }
    return acc;
  }
  if (norm === 'l2') {
    for (let i = offset; i < end; i++) acc += v[i] * v[i];
    return Math.sqrt(acc);
  }
  for (let i = offset; i < end; i++) acc += Math.abs(v[i]);
  return acc;
}

/** Per-sample ‖adversarial − clean‖_p. */
export function perturbationNorms(clean: Float32Array, adversarial: Float32Array, batch: number, norm: Norm): Float32Array {
  const size = clean.length / batch;
  const delta = new Float32Array(size);
  const out = new Float32Array(batch);
  for (let n = 0; n < batch; n++) {
    for (let i = 0; i < size; i++) delta[i] = adversarial[n * size + i] - clean[n * size + i];
    out[n] = lpNorm(delta, 0, size, norm);
  }
  return out;
}

/** Projects one sample's perturbation (in place) onto the ε-ball of the norm (Euclidean projection). */
export function projectPerturbation(delta: Float32Array, offset: number, size: number, norm: Norm, eps: number): void {
  if (norm === 'linf') {
    for (let i = offset; i < offset + size; i++) delta[i] = Math.min(eps, Math.max(-eps, delta[i]));
  } else if (norm === 'l2') {
    const length = lpNorm(delta, offset, size, 'l2');
    if (length > eps) for (let i = offset; i < offset + size; i++) delta[i] *= eps / length;
  } else {
    projectL1(delta, offset, size, eps);
  }
}

/** Euclidean projection onto the L1 ball by soft-thresholding at the sorted-magnitude threshold (Duchi et al., ICML 2008). */
function projectL1(delta: Float32Array, offset: number, size: number, eps: number): void {
  if (lpNorm(delta, offset, size, 'l1') <= eps) return;
  const mags = Array.from(delta.subarray(offset, offset + size), Math.abs).sort((a, b) => b - a);
  let cumulative = 0;
  let theta = 0;
  for (let k = 0; k < size; k++) {
    cumulative += mags[k];
    const t = (cumulative - eps) / (k + 1);
    if (mags[k] > t) theta = t;
  }
  for (let i = offset; i < offset + size; i++) {
    const a = Math.abs(delta[i]) - theta;
    delta[i] = a > 0 ? Math.sign(delta[i]) * a : 0;
  }
}

/**
 * adversarial ← clip₀₁(clean + Π_ε(adversarial − clean)), per sample, in place.
 * Clipping to the box after the ball projection only shrinks each |δ_i| (clean is in [0,1]), so the result stays in the ball.
 * δ is rounded to float32 where it is formed and where it is projected, so the attacks' fused loops
 * (`projectLinfValue`, `l2ProjectionScale`) give the same bits as this.
 */
export function projectToThreat(clean: Float32Array, adversarial: Float32Array, batch: number, norm: Norm, eps: number): void {
  const size = clean.length / batch;
  if (norm === 'linf') {
    for (let i = 0; i < clean.length; i++) adversarial[i] = projectLinfValue(clean[i], adversarial[i], eps);
    return;
  }
  const delta = new Float32Array(size);
  for (let n = 0; n < batch; n++) {
    const o = n * size;
    for (let i = 0; i < size; i++) delta[i] = adversarial[o + i] - clean[o + i];
    projectPerturbation(delta, 0, size, norm, eps);
    for (let i = 0; i < size; i++) adversarial[o + i] = clip01(clean[o + i] + delta[i]);
  }
}

/** One coordinate of the L∞ threat projection, clip₀₁(c + clamp(v − c, ±ε)), with float32 δ as `projectToThreat`. */
export function projectLinfValue(clean: number, value: number, eps: number): number {
  const delta = Math.fround(Math.min(eps, Math.max(-eps, Math.fround(value - clean))));
  return Math.fround(clip01(clean + delta));
}

/**
 * The factor the L2 projection multiplies δ by, from Σδ_i² summed in coordinate order: ε/‖δ‖ outside the ball, else 1
 * (δ·1 is δ exactly, so a fused loop can always multiply and match `projectPerturbation`).
 */
export function l2ProjectionScale(squaredLength: number, eps: number): number {
  const length = Math.sqrt(squaredLength);
  return length > eps ? eps / length : 1;
}

/**
 * The last pass of an L2 threat projection fused into an attack's step: x ← clip₀₁(c + δ·scale) on [from, to), where
 * δ = x − c (float32) and `squaredLength` is Σδ_i² over the sample, as `projectToThreat` does it.
 */
export function applyL2Projection(clean: Float32Array, x: Float32Array, from: number, to: number, squaredLength: number, eps: number): void {
  const scale = l2ProjectionScale(squaredLength, eps);
  for (let i = from; i < to; i++) x[i] = clip01(clean[i] + Math.fround(Math.fround(x[i] - clean[i]) * scale));
}

export function clip01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** A random point of the ε-ball (uniform per pixel for L∞; Gaussian direction with uniform radius fraction for L2/L1, as torchattacks' PGDL2). */
export function randomPerturbation(size: number, norm: Norm, eps: number, rng: Rng): Float32Array {
  const delta = new Float32Array(size);
  if (norm === 'linf') {
    for (let i = 0; i < size; i++) delta[i] = rng.uniformIn(-eps, eps);
    return delta;
  }
  if (norm === 'l2') for (let i = 0; i < size; i++) delta[i] = rng.normal();
  else for (let i = 0; i < size; i++) delta[i] = -Math.log(1 - rng.uniform()) * (rng.uniform() < 0.5 ? -1 : 1); // Laplace direction
  const length = lpNorm(delta, 0, size, norm) || 1;
  const radius = rng.uniform() * eps;
  for (let i = 0; i < size; i++) delta[i] *= radius / length;
  return delta;
}

/** Steepest-ascent direction of unit Lp size for a gradient (sign for L∞, normalised for L2). In place on `out`. */
export function steepestDirection(gradient: Float32Array, offset: number, size: number, norm: 'linf' | 'l2', out: Float32Array, outOffset: number): void {
  if (norm === 'linf') {
    for (let i = 0; i < size; i++) out[outOffset + i] = Math.sign(gradient[offset + i]);
    return;
  }
  const length = lpNorm(gradient, offset, size, 'l2') + 1e-12;
  for (let i = 0; i < size; i++) out[outOffset + i] = gradient[offset + i] / length;
}

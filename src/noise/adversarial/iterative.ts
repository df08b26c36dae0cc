// The loop shared by the projected-gradient family (FGSM, BIM, PGD-L∞/L2/L1, MIM): steepest ascent of a loss head
// on still-robust samples, projection onto ε-ball ∩ [0,1] box, per-sample early stopping and random restarts.
import type { DifferentiableClassifier, LossSpec } from '../../model/differentiable.js';
import type { Rng } from '../../util/rng.js';
import {
  Oracle, Verdicts, argmax, chooseTargets, checkBatch, finish, gather, isAdversarial, range, scatter,
  type AttackResult, type RunOptions,
} from './attack.js';
import { ascendProjectLinf } from './step-kernels.js';
import { applyL2Projection, lpNorm, projectToThreat, randomPerturbation, type Norm } from './threat.js';

export interface IterativeSettings {
  readonly norm: Norm;
  readonly eps: number;
  readonly stepSize: number;
  readonly steps: number;
  readonly randomStart: boolean;
  readonly restarts: number;
  readonly targeted: boolean;
  readonly loss: 'ce' | 'cw';
  /** Momentum decay μ (MIM); 0 for plain gradient steps. */
  readonly decay: number;
  /** L1 only: fraction of coordinates left out of each sparse step (SLIDE's percentile q). */
  readonly sparsity: number;
  /** Stop a sample at its first adversarial iterate (default); false runs every step and returns the last iterate, as torchattacks. */
  readonly earlyStop?: boolean;
}

/** Runs the iterative attack; returns adversarial images with per-sample loss at the first and last evaluated point. */
export async function iterativeAttack(
  model: DifferentiableClassifier, s: IterativeSettings, images: Float32Array, labels: Int32Array, batch: number, rngs: readonly Rng[], options: RunOptions = {},
): Promise<AttackResult> {
  checkBatch(model, images, labels, batch, rngs);
  const oracle = new Oracle(model, batch);
  const size = oracle.size;
  const classes = model.numClasses;
  const targets = s.targeted ? chooseTargets(labels, classes, rngs, options.targets) : undefined;
  // Targeted runs descend the head evaluated at the target class; untargeted runs ascend it at the label.
  const lossLabels = targets ?? labels;
  const sign = s.targeted ? -1 : 1;
  const spec: LossSpec = { kind: s.loss };
  const adversarial = images.slice();
  const done = new Uint8Array(batch);
  const lossStart = new Float32Array(batch).fill(NaN);
  const lossEnd = new Float32Array(batch).fill(NaN);
  const degenerate = new Uint8Array(batch);

  const earlyStop = s.earlyStop ?? true;
  // Logits of a model (logits) call on a returned image spare `finish` its forward pass on that sample.
  const verdicts = new Verdicts(batch, classes);
  const markDone = (logits: Float32Array, active: Int32Array, x: Float32Array, final: boolean): Int32Array => {
    const keep: number[] = [];
    active.forEach((idx, k) => {
      if ((earlyStop || final) && isAdversarial(argmax(logits, k, classes), labels[idx], targets?.[idx])) {
        done[idx] = 1;
        adversarial.set(x.subarray(k * size, (k + 1) * size), idx * size);
        // A final check's logits come from a logits call on `x`: they are its verdict.
        if (final) verdicts.set(idx, logits, k);
        else verdicts.forget(idx);
      } else keep.push(k);
    });
    return Int32Array.from(keep);
  };

  // Every attack starts from the clean input: a sample the model already gets wrong is done (spec, fidelity notes).
  // Without a random start the first gradient call sees the clean input anyway.
  if (s.randomStart) markDone(await oracle.logits(images, range(batch)), range(batch), images, true);
  for (let restart = 0; restart < Math.max(1, s.restarts); restart++) {
    let active: Int32Array = range(batch).filter((i) => !done[i]);
    if (active.length === 0) break;
    let x: Float32Array = gather(images, active, size);
    let x0: Float32Array = x.slice();
    if (s.randomStart) {
      active.forEach((idx, k) => x.set(randomPerturbation(size, s.norm, s.eps, rngs[idx]).map((d, i) => x0[k * size + i] + d), k * size));
      projectToThreat(x0, x, active.length, s.norm, s.eps);
    }
    let momentum: Float32Array = new Float32Array(active.length * size);
    for (let step = 0; step <= s.steps && active.length > 0; step++) {
      const last = step === s.steps;
      const evaluated = last ? { logits: await oracle.logits(x, active), loss: undefined, gradient: undefined } : await oracle.lossAndGradient(x, active, lossLabels, spec);
      if (evaluated.loss) active.forEach((idx, k) => {
        if (restart === 0 && step === 0) lossStart[idx] = sign * evaluated.loss[k];
        if (restart === 0) lossEnd[idx] = sign * evaluated.loss[k];
      });
      const keep = markDone(evaluated.logits, active, x, last);
      if (last || !evaluated.gradient) {
        if (last) {
          const robust = gatherArr(active, keep);
          scatter(adversarial, gather(x, keep, size), robust, size);
          robust.forEach((idx, j) => verdicts.set(idx, evaluated.logits, keep[j]));
        }
        break;
      }
      // Rows move only when a sample has left; otherwise the model's gradient is read where it lies.
      const shrunk = keep.length < active.length;
      const gradient = shrunk ? gather(evaluated.gradient, keep, size) : evaluated.gradient;
      if (shrunk) {
        momentum = gather(momentum, keep, size);
        x = gather(x, keep, size);
        x0 = gather(x0, keep, size);
        active = gatherArr(active, keep);
      }
      for (let k = 0; k < active.length; k++) {
        const o = k * size;
        const g1 = lpNorm(gradient, o, size, 'l1');
        if (!(g1 > 0) || !Number.isFinite(g1)) degenerate[active[k]] = 1;
        if (s.decay > 0) for (let i = 0; i < size; i++) momentum[o + i] = s.decay * momentum[o + i] + gradient[o + i] / (g1 + 1e-12);
        const g = s.decay > 0 ? momentum : gradient;
        ascendAndProject(x, x0, g, o, size, s, sign);
      }
    }
  }
  return finish(oracle, images, adversarial, labels, batch, s.norm, { targets, lossStart, lossEnd, degenerateGradient: degenerate, verdicts });
}

function gatherArr(a: Int32Array, keep: Int32Array): Int32Array {
  return Int32Array.from(keep, (k) => a[k]);
}

/**
 * x ← Π(x + sign · α · (unit steepest-ascent direction of g in the threat norm)) for one sample, the projection onto
 * the ε-ball around x0 ∩ [0,1] fused into the step's pass (L∞, a WebAssembly kernel) or its second pass (L2), with
 * projectToThreat's float32 roundings, so the bits are those of stepping every sample and then projecting the batch.
 */
function ascendAndProject(x: Float32Array, x0: Float32Array, g: Float32Array, o: number, size: number, s: IterativeSettings, sign: number): void {
  const a = sign * s.stepSize;
  if (s.norm === 'linf') {
    ascendProjectLinf(x, x0, g, o, size, a, s.eps);
  } else if (s.norm === 'l2') {
    const length = lpNorm(g, o, size, 'l2') + 1e-12;
    let squared = 0;
    for (let i = o; i < o + size; i++) {
      x[i] += (a * g[i]) / length;
      const d = Math.fround(x[i] - x0[i]);
      squared += d * d;
    }
    applyL2Projection(x0, x, o, o + size, squared, s.eps);
  } else {
    sparseL1Step(x, g, o, size, a, s.sparsity);
    projectToThreat(x0.subarray(o, o + size), x.subarray(o, o + size), 1, s.norm, s.eps);
  }
}

/**
 * SLIDE (Tramèr & Boneh, NeurIPS 2019): move only the coordinates whose |gradient| is at or above the q-quantile,
 * ignoring coordinates the box already blocks, with a step of unit L1 norm.
 */
function sparseL1Step(x: Float32Array, g: Float32Array, o: number, size: number, a: number, q: number): void {
  const movable: number[] = [];
  for (let i = 0; i < size; i++) {
    const up = Math.sign(a * g[o + i]);
    if (up !== 0 && !((up > 0 && x[o + i] >= 1) || (up < 0 && x[o + i] <= 0))) movable.push(i);
  }
  if (movable.length === 0) return;
  const mags = movable.map((i) => Math.abs(g[o + i])).sort((u, v) => u - v);
  const threshold = mags[Math.min(mags.length - 1, Math.floor(q * mags.length))];
  const chosen = movable.filter((i) => Math.abs(g[o + i]) >= threshold);
  for (const i of chosen) x[o + i] += (a * Math.sign(g[o + i])) / chosen.length;
}

/** An attack object around `iterativeAttack` with fixed settings; the named attacks below subclass it with their paper's defaults. */
export class IterativeAttack {
  readonly kind = 'white-box' as const;
  readonly minimumNorm = false;
  readonly norm: Norm;
  readonly eps: number;
  readonly settings: Readonly<Record<string, number | string | boolean>>;
  constructor(readonly model: DifferentiableClassifier, readonly name: string, readonly iterative: IterativeSettings) {
    this.norm = iterative.norm;
    this.eps = iterative.eps;
    this.settings = { attack: name, ...iterative };
  }

  run(images: Float32Array, labels: Int32Array, batch: number, rngs: readonly Rng[], options?: RunOptions): Promise<AttackResult> {
    return iterativeAttack(this.model, this.iterative, images, labels, batch, rngs, options);
  }
}

export interface CommonIterativeConfig {
  readonly eps: number;
  readonly stepSize?: number;
  readonly steps?: number;
  readonly randomStart?: boolean;
  readonly restarts?: number;
  readonly targeted?: boolean;
  readonly loss?: 'ce' | 'cw';
}

// APGD (Croce & Hein, ICML 2020, "Reliable evaluation of adversarial robustness…", Algorithm 1): PGD with momentum 0.75
// and a step size η that starts at 2ε and halves at checkpoints w_j when the loss stalls, restarting from the best point.
// Checkpoints p₀ = 0, p₁ = 0.22, p_{j+1} = p_j + max(p_j − p_{j−1} − 0.03, 0.06); ρ = 0.75 (the paper's values).
// Loss heads: CE (APGD-CE) or DLR (APGD-DLR); APGD-T (apgd-t.ts) reuses `apgdRun` with targeted DLR.
import type { DifferentiableClassifier, LossKind } from '../../model/differentiable.js';
import type { Rng } from '../../util/rng.js';
import {
  Oracle, Verdicts, argmax, checkBatch, cleanLogits, finish, gather, range, scatter, type Attack, type AttackResult, type RunOptions,
} from './attack.js';
import { ApgdArrays, momentumStepLinf } from './step-kernels.js';
import { applyL2Projection, clip01, l2ProjectionScale, lpNorm, projectToThreat, randomPerturbation, type Norm } from './threat.js';

export interface ApgdConfig {
  readonly norm?: 'linf' | 'l2';
  readonly eps: number;
  readonly steps?: number;
  readonly restarts?: number;
  readonly loss?: 'ce' | 'dlr';
  /** Expectation over transformation: gradients averaged over this many calls (AutoAttack "rand"). */
  readonly eotIter?: number;
  readonly rho?: number;
}

export interface ApgdSettings {
  readonly norm: 'linf' | 'l2';
  readonly eps: number;
  readonly steps: number;
  readonly eotIter: number;
  readonly rho: number;
}

/** The iterations at which APGD checks progress: ⌈p_j·N⌉. */
export function apgdCheckpoints(steps: number): number[] {
  const p = [0, 0.22];
  while (p[p.length - 1] < 1) p.push(p[p.length - 1] + Math.max(p[p.length - 1] - p[p.length - 2] - 0.03, 0.06));
  return [...new Set(p.slice(1).map((v) => Math.ceil(Math.min(v, 1) * steps - 1e-9)))].filter((w) => w > 0 && w < steps);
}

/**
 * One APGD run on the samples `indices` from a random start on the ε-sphere. Writes the first adversarial point
 * found (or the best-loss point) into `adversarial`, and returns the indices that became adversarial. `verdicts`
 * learns the logits of the points that a logits call found adversarial and forgets every other point it writes.
 */
export async function apgdRun(
  oracle: Oracle, s: ApgdSettings, images: Float32Array, labels: Int32Array, indices: Int32Array, loss: LossKind,
  targets: Int32Array | undefined, rngs: readonly Rng[], adversarial: Float32Array, verdicts?: Verdicts,
): Promise<Set<number>> {
  const size = oracle.size, classes = oracle.model.numClasses, m = indices.length;
  // An L∞ run keeps the arrays its step reads in the step kernel's memory (step-kernels.ts) where they fit.
  const arrays = s.norm === 'linf' ? ApgdArrays.tryCreate(m * size) : undefined;
  const clean = gather(images, indices, size, arrays?.clean);
  const x = arrays ? arrays.x : new Float32Array(m * size);
  x.set(clean);
  indices.forEach((idx, k) => {
    const d = randomPerturbation(size, s.norm, s.eps, rngs[idx]);
    const r = lpNorm(d, 0, size, s.norm) || 1;
    for (let i = 0; i < size; i++) x[k * size + i] += (d[i] * s.eps) / r; // start on the sphere, as the reference code
  });
  projectToThreat(clean, x, m, s.norm, s.eps);
  const xPrev = arrays ? arrays.xPrev : new Float32Array(m * size), g = arrays ? arrays.g : new Float32Array(m * size);
  xPrev.set(x);
  const xBest = x.slice(), gBest = new Float32Array(m * size);
  const f = new Float32Array(m), fPrev = new Float32Array(m), fBest = new Float32Array(m).fill(-Infinity);
  const eta = new Float32Array(m).fill(2 * s.eps), increases = new Int32Array(m);
  const fBestAtCheck = new Float32Array(m).fill(-Infinity), reducedAtCheck = new Uint8Array(m).fill(1);
  const checkpoints = apgdCheckpoints(s.steps);
  const succeeded = new Set<number>();
  // Buffers reused by every step: the rows of the samples still active (x itself while none has left) and one
  // sample's perturbation for the L2 projections.
  let rowsBuffer: Float32Array | undefined;
  const delta = new Float32Array(s.norm === 'l2' ? size : 0);
  let active = range(m);
  let lastCheck = 0;
  for (let k = 0; k <= s.steps && active.length > 0; k++) {
    const rows = active.length === m ? x : gather(x, active, size, (rowsBuffer ??= new Float32Array(m * size)));
    const ids = Int32Array.from(active, (a) => indices[a]);
    if (k === s.steps) {
      const logits = await oracle.logits(rows, ids);
      active.forEach((a, j) => {
        if (argmax(logits, j, classes) === labels[indices[a]]) return;
        succeeded.add(indices[a]);
        verdicts?.set(indices[a], logits, j);
      });
      scatter(adversarial, rows, ids, size);
      break;
    }
    // The gradient (averaged over the EOT draws, in float32 as it accumulates) goes straight to each sample's row of
    // g; a sample that turns out adversarial never reads its row again. A single draw is copied as it is: the steps
    // read 0 + g, which is the average's value (0 + g/1) even where g is −0.
    const value = new Float32Array(active.length);
    let logits: Float32Array = new Float32Array(0);
    for (let e = 0; e < s.eotIter; e++) {
      const r = await oracle.lossAndGradient(rows, ids, labels, { kind: loss, targets });
      if (s.eotIter === 1) active.forEach((a, j) => g.set(r.gradient.subarray(j * size, (j + 1) * size), a * size));
      else active.forEach((a, j) => accumulate(g, a * size, r.gradient, j * size, size, s.eotIter, e === 0));
      for (let j = 0; j < value.length; j++) value[j] += r.loss[j] / s.eotIter;
      logits = r.logits;
    }
    const keep: number[] = [];
    active.forEach((a, j) => {
      if (argmax(logits, j, classes) !== labels[indices[a]]) {
        succeeded.add(indices[a]);
        adversarial.set(rows.subarray(j * size, (j + 1) * size), indices[a] * size);
        verdicts?.forget(indices[a]); // found by a gradient call, whose logits never count as the verdict
        return;
      }
      keep.push(a);
      f[a] = value[j];
      if (k > 0 && f[a] > fPrev[a]) increases[a]++;
      fPrev[a] = f[a];
      if (f[a] > fBest[a]) {
        fBest[a] = f[a];
        xBest.set(x.subarray(a * size, (a + 1) * size), a * size);
        gBest.set(g.subarray(a * size, (a + 1) * size), a * size);
      }
    });
    if (keep.length < active.length) active = Int32Array.from(keep);
    const atCheckpoint = checkpoints.includes(k);
    for (const a of active) {
      const o = a * size;
      if (atCheckpoint) {
        // Condition 1: the loss rose in fewer than ρ of the steps since the last checkpoint;
        // condition 2: η was not reduced last time and the best loss has not improved since.
        const stalled = increases[a] <= s.rho * (k - lastCheck);
        const flat = !reducedAtCheck[a] && fBestAtCheck[a] >= fBest[a];
        reducedAtCheck[a] = stalled || flat ? 1 : 0;
        if (reducedAtCheck[a]) {
          eta[a] /= 2;
          x.set(xBest.subarray(o, o + size), o);
          g.set(gBest.subarray(o, o + size), o);
        }
        fBestAtCheck[a] = fBest[a];
        increases[a] = 0;
      }
      const alpha = k === 0 ? 1 : 0.75;
      if (s.norm === 'l2') momentumStepL2(x, xPrev, g, clean, o, size, eta[a], alpha, s.eps, delta);
      else if (arrays) arrays.momentumStepLinf(o, size, eta[a], alpha, s.eps);
      else momentumStepLinf(x, xPrev, g, clean, o, o + size, eta[a], alpha, s.eps);
    }
    if (atCheckpoint) lastCheck = k;
  }
  // Samples that stayed robust return their best-loss point.
  for (let a = 0; a < m; a++) {
    if (succeeded.has(indices[a])) continue;
    adversarial.set(xBest.subarray(a * size, (a + 1) * size), indices[a] * size);
    verdicts?.forget(indices[a]);
  }
  return succeeded;
}

/** out[o..] ← (fresh ? 0 : out[o..]) + v[vo..] / n, in float32: one EOT draw's share of the averaged gradient. */
function accumulate(out: Float32Array, o: number, v: Float32Array, vo: number, size: number, n: number, fresh: boolean): void {
  if (fresh) for (let i = 0; i < size; i++) out[o + i] = 0 + v[vo + i] / n;
  else for (let i = 0; i < size; i++) out[o + i] += v[vo + i] / n;
}

/**
 * APGD's step on one sample (Algorithm 1): z = Π(x + η·∇/‖∇‖₂); x_next = Π(x + α(z − x) + (1 − α)(x − x_prev)),
 * α = 0.75 (1 on the first step); the L∞ step (sign of ∇) is `ApgdArrays.momentumStepLinf`. Three passes, as each
 * projection needs the norm of the whole perturbation first; every value is rounded to float32 where a buffer of the
 * unfused form (z, δ, x) would store it, so the result is bit for bit that of projecting z and x with projectToThreat.
 */
function momentumStepL2(x: Float32Array, xPrev: Float32Array, g: Float32Array, clean: Float32Array, o: number, size: number, eta: number, alpha: number, eps: number, delta: Float32Array): void {
  const gl2 = lpNorm(g, o, size, 'l2') + 1e-12;
  let squared = 0;
  for (let i = 0; i < size; i++) {
    const d = Math.fround(Math.fround(x[o + i] + eta * ((0 + g[o + i]) / gl2)) - clean[o + i]);
    delta[i] = d;
    squared += d * d;
  }
  const zScale = l2ProjectionScale(squared, eps);
  squared = 0;
  for (let i = 0; i < size; i++) {
    const xi = x[o + i];
    const z = Math.fround(clip01(clean[o + i] + Math.fround(delta[i] * zScale)));
    const next = Math.fround(xi + alpha * (z - xi) + (1 - alpha) * (xi - xPrev[o + i]));
    xPrev[o + i] = xi;
    x[o + i] = next;
    const d = Math.fround(next - clean[o + i]);
    squared += d * d;
  }
  applyL2Projection(clean, x, o, o + size, squared, eps);
}

/**
 * The samples the model classifies correctly (the others are done before any attack: AutoAttack's convention). Each
 * image is its own adversarial to begin with, so `verdicts` holds the clean logits of every sample.
 */
export function stillRobust(clean: Float32Array, labels: Int32Array, batch: number, verdicts: Verdicts): Int32Array {
  for (let i = 0; i < batch; i++) verdicts.set(i, clean, i);
  return range(batch).filter((i) => argmax(clean, i, verdicts.classes) === labels[i]);
}

export class APGD implements Attack {
  readonly kind = 'white-box' as const;
  readonly minimumNorm = false;
  readonly name: string;
  readonly norm: Norm;
  readonly eps: number;
  readonly settings: Readonly<Record<string, number | string | boolean>>;
  private readonly s: ApgdSettings;
  private readonly restarts: number;
  private readonly loss: 'ce' | 'dlr';

  /** Defaults from AutoAttack standard (spec): 100 iterations, 1 restart, ρ = 0.75. */
  constructor(readonly model: DifferentiableClassifier, { norm = 'linf', eps, steps = 100, restarts = 1, loss = 'ce', eotIter = 1, rho = 0.75 }: ApgdConfig) {
    if (loss === 'dlr' && model.numClasses < 3) throw new Error('APGD-DLR needs at least 3 classes');
    this.name = `apgd-${loss}`;
    this.norm = norm;
    this.eps = eps;
    this.loss = loss;
    this.restarts = restarts;
    this.s = { norm, eps, steps, eotIter, rho };
    this.settings = { attack: this.name, norm, eps, steps, restarts, eotIter, rho };
  }

  async run(images: Float32Array, labels: Int32Array, batch: number, rngs: readonly Rng[], options: RunOptions = {}): Promise<AttackResult> {
    checkBatch(this.model, images, labels, batch, rngs);
    const oracle = new Oracle(this.model, batch);
    const adversarial = images.slice();
    const verdicts = new Verdicts(batch, this.model.numClasses);
    let robust = stillRobust(await cleanLogits(oracle, images, batch, options), labels, batch, verdicts);
    for (let r = 0; r < this.restarts && robust.length > 0; r++) {
      const fooled = await apgdRun(oracle, this.s, images, labels, robust, this.loss, undefined, rngs, adversarial, verdicts);
      robust = robust.filter((i) => !fooled.has(i));
    }
    return finish(oracle, images, adversarial, labels, batch, this.norm, { verdicts });
  }
}

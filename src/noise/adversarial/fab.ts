// FAB (Croce & Hein, ICML 2020, "Minimally distorted adversarial examples with a fast adaptive boundary attack"):
// linearise at x_k, pick the closest linearised boundary, project both x_k and x_orig onto it inside the box (δ_k, δ_orig),
// take the biased step x_{k+1} = clip((1−α)(x_k + ηδ_k) + α(x_orig + ηδ_orig)), α = min(‖δ_k‖/(‖δ_k‖+‖δ_orig‖), α_max),
// and after an adversarial step go back towards x_orig: x ← (1−β)x_orig + βx. Paper/AutoAttack values: η = 1.05,
// α_max = 0.1, β = 0.9, 100 iterations. FAB-T (targeted=true) linearises only z_t − z_y for the top-`targetClasses`
// classes of the clean logits in turn (AutoAttack standard: 9), keeping the smallest adversarial over all targets.
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import type { Rng } from '../../util/rng.js';
import { RobustartError } from '../../errors.js';
import { Oracle, argmax, checkBatch, cleanLogits, finish, gather, range, type Attack, type AttackResult, type RunOptions } from './attack.js';
import { projectOntoHyperplane } from './hyperplane.js';
import { linearize, topOtherClasses } from './linearize.js';
import { clip01, lpNorm, randomPerturbation, type Norm } from './threat.js';

export interface FabConfig {
  readonly norm?: Norm;
  readonly eps?: number;
  readonly steps?: number;
  readonly restarts?: number;
  readonly targeted?: boolean;
  readonly targetClasses?: number;
  readonly eta?: number;
  readonly alphaMax?: number;
  readonly beta?: number;
}

const DUAL: Record<Norm, Norm> = { linf: 'l1', l2: 'l2', l1: 'linf' };

export class FAB implements Attack {
  readonly kind = 'white-box' as const;
  readonly minimumNorm = true;
  readonly name: string;
  readonly norm: Norm;
  readonly eps: number | undefined;
  readonly settings: Readonly<Record<string, number | string | boolean>>;
  private readonly c: Required<Omit<FabConfig, 'eps'>>;

  constructor(readonly model: DifferentiableClassifier, { norm = 'linf', eps, steps = 100, restarts = 1, targeted = false, targetClasses = 9, eta = 1.05, alphaMax = 0.1, beta = 0.9 }: FabConfig = {}) {
    // Untargeted FAB linearises every class: one gradient call per class and iteration. Beyond 100 classes that is
    // the reason AutoAttack uses FAB-T; refuse rather than run for days.
    if (!targeted && model.numClasses > 100) throw new RobustartError(`untargeted FAB needs ${model.numClasses} gradient calls per iteration on this ${model.numClasses}-class model; use fab-t`);
    this.name = targeted ? 'fab-t' : 'fab';
    this.norm = norm;
    this.eps = eps;
    this.c = { norm, steps, restarts, targeted, targetClasses: Math.min(targetClasses, model.numClasses - 1), eta, alphaMax, beta };
    this.settings = { attack: this.name, ...(eps !== undefined ? { eps } : {}), ...this.c };
  }

  async run(images: Float32Array, labels: Int32Array, batch: number, rngs: readonly Rng[], options: RunOptions = {}): Promise<AttackResult> {
    checkBatch(this.model, images, labels, batch, rngs);
    const oracle = new Oracle(this.model, batch);
    const size = oracle.size, classes = this.model.numClasses;
    const clean = await cleanLogits(oracle, images, batch, options);
    const robust = range(batch).filter((i) => argmax(clean, i, classes) === labels[i]);
    const best = images.slice();
    const bestNorm = new Float64Array(batch).fill(Infinity);
    bestNorm.forEach((_, i) => { if (!robust.includes(i)) bestNorm[i] = 0; });
    const plans: (Int32Array[] | undefined)[] = this.c.targeted
      ? Array.from({ length: this.c.targetClasses }, (_, rank) => Array.from({ length: batch }, (_, i) => Int32Array.of(topOtherClasses(clean, i, classes, labels[i], rank + 1)[rank])))
      : [undefined];
    for (const plan of plans) {
      for (let restart = 0; restart < this.c.restarts; restart++) {
        await this.attackOnce(oracle, images, labels, batch, robust, plan, restart, rngs, best, bestNorm);
      }
    }
    return finish(oracle, images, best, labels, batch, this.norm, { projectEps: this.eps });
  }

  private async attackOnce(
    oracle: Oracle, images: Float32Array, labels: Int32Array, batch: number, ids: Int32Array, plan: Int32Array[] | undefined,
    restart: number, rngs: readonly Rng[], best: Float32Array, bestNorm: Float64Array,
  ): Promise<void> {
    const { norm, steps, eta, alphaMax, beta } = this.c;
    const size = oracle.size, classes = this.model.numClasses;
    const orig = gather(images, ids, size);
    const x = orig.slice();
    if (restart > 0) ids.forEach((idx, r) => {
      // Later restarts start at a random point at half the best norm so far (or half ε), as the reference code.
      const radius = Math.min(bestNorm[idx], this.eps ?? Infinity) / 2;
      if (!Number.isFinite(radius)) return;
      const d = randomPerturbation(size, norm, 1, rngs[idx]);
      const dn = lpNorm(d, 0, size, norm) || 1;
      for (let i = 0; i < size; i++) x[r * size + i] = clip01(orig[r * size + i] + (radius * d[i]) / dn);
    });
    const others = Array.from(ids, (idx) => plan ? plan[idx] : Int32Array.from({ length: classes }, (_, k) => k).filter((k) => k !== labels[idx]));
    // The box [0,1] as bounds on the step from x_orig (every sample, once) and from x_k (one sample at a time).
    const lo = new Float32Array(size), hi = new Float32Array(size), lo0 = new Float32Array(orig.length), hi0 = new Float32Array(orig.length);
    boxBounds(orig, lo0, hi0);
    // Buffers every step rewrites: the two projections of one sample, and the next iterate of every sample.
    const dk = new Float32Array(size), d0 = new Float32Array(size), next = new Float32Array(x.length);
    for (let step = 0; step < steps; step++) {
      const lin = await linearize(oracle, x, ids, labels, batch, others);
      ids.forEach((_, r) => {
        const o = r * size;
        let l = 0, closest = Infinity;
        for (let c = 0; c < lin.f.length; c++) {
          const d = Math.abs(lin.f[c][r]) / (lpNorm(lin.w[c], o, size, DUAL[norm]) + 1e-12);
          if (d < closest) { closest = d; l = c; }
        }
        const w = lin.w[l].subarray(o, o + size);
        const xk = x.subarray(o, o + size), x0 = orig.subarray(o, o + size);
        let shift = 0;
        for (let i = 0; i < size; i++) shift += w[i] * (x0[i] - xk[i]);
        boxBounds(xk, lo, hi);
        projectOntoHyperplane(w, -lin.f[l][r], lo, hi, norm, dk);
        projectOntoHyperplane(w, -lin.f[l][r] - shift, lo0.subarray(o, o + size), hi0.subarray(o, o + size), norm, d0);
        const nk = lpNorm(dk, 0, size, norm), n0 = lpNorm(d0, 0, size, norm);
        const alpha = Math.min(nk / (nk + n0 + 1e-12), alphaMax);
        for (let i = 0; i < size; i++) next[o + i] = clip01((1 - alpha) * (xk[i] + eta * dk[i]) + alpha * (x0[i] + eta * d0[i]));
      });
      const logits = await oracle.logits(next, ids);
      ids.forEach((idx, r) => {
        const o = r * size;
        if (argmax(logits, r, classes) === labels[idx]) { x.set(next.subarray(o, o + size), o); return; }
        const d = dk; // free until the next step's projection
        for (let i = 0; i < size; i++) d[i] = next[o + i] - orig[o + i];
        const n = lpNorm(d, 0, size, norm);
        if (n < bestNorm[idx]) { bestNorm[idx] = n; best.set(next.subarray(o, o + size), idx * size); }
        for (let i = 0; i < size; i++) x[o + i] = (1 - beta) * orig[o + i] + beta * next[o + i];
      });
    }
  }
}

/** The steps from x that stay in [0,1]: lo = −x, hi = 1 − x, in float32. */
function boxBounds(x: Float32Array, lo: Float32Array, hi: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    lo[i] = -x[i];
    hi[i] = 1 - x[i];
  }
}

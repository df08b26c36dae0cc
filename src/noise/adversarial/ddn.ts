// DDN (Rony et al., CVPR 2019, Algorithm 1): decoupled direction and norm. Step the direction δ̃ ← δ + α·g/‖g‖₂ along the
// loss gradient, then set the norm: ε ← (1 − γ)ε when the current point is adversarial, (1 + γ)ε otherwise; δ ← ε·δ̃/‖δ̃‖₂,
// kept in the box; keep the smallest adversarial found. Spec defaults: 100 steps, γ = 0.05; initial ε = 1 and α cosine-annealed
// from 1 to 0.01, as the reference implementation's parameters.
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import type { Rng } from '../../util/rng.js';
import {
  Oracle, argmax, checkBatch, chooseTargets, finish, isAdversarial, range, type Attack, type AttackResult, type RunOptions,
} from './attack.js';
import { clip01, lpNorm } from './threat.js';

export interface DdnConfig {
  readonly eps?: number;
  readonly steps?: number;
  readonly gamma?: number;
  readonly initNorm?: number;
  readonly targeted?: boolean;
}

export class DDN implements Attack {
  readonly name = 'ddn';
  readonly kind = 'white-box' as const;
  readonly norm = 'l2' as const;
  readonly minimumNorm = true;
  readonly eps: number | undefined;
  readonly settings: Readonly<Record<string, number | string | boolean>>;
  private readonly c: Required<Omit<DdnConfig, 'eps'>>;

  constructor(readonly model: DifferentiableClassifier, { eps, steps = 100, gamma = 0.05, initNorm = 1, targeted = false }: DdnConfig = {}) {
    this.eps = eps;
    this.c = { steps, gamma, initNorm, targeted };
    this.settings = { attack: this.name, ...(eps !== undefined ? { eps } : {}), ...this.c, alphaStart: 1, alphaEnd: 0.01 };
  }

  async run(images: Float32Array, labels: Int32Array, batch: number, rngs: readonly Rng[], options: RunOptions = {}): Promise<AttackResult> {
    checkBatch(this.model, images, labels, batch, rngs);
    const { steps, gamma, targeted } = this.c;
    const oracle = new Oracle(this.model, batch);
    const size = oracle.size, classes = this.model.numClasses;
    const targets = targeted ? chooseTargets(labels, classes, rngs, options.targets) : undefined;
    const sign = targeted ? -1 : 1; // descend CE towards the target, ascend CE away from the label
    const x = images.slice();
    const delta = new Float32Array(images.length);
    const best = images.slice();
    const bestNorm = new Float64Array(batch).fill(Infinity);
    const eps = new Float64Array(batch).fill(this.c.initNorm);
    let active = range(batch);
    for (let k = 0; k < steps && active.length > 0; k++) {
      const alpha = 0.01 + 0.5 * (1 - 0.01) * (1 + Math.cos((Math.PI * k) / steps));
      const rows = new Float32Array(active.length * size);
      active.forEach((idx, j) => rows.set(x.subarray(idx * size, (idx + 1) * size), j * size));
      const { gradient, logits } = await oracle.lossAndGradient(rows, active, targets ?? labels, { kind: 'ce' });
      const keep: number[] = [];
      active.forEach((idx, j) => {
        const o = idx * size, go = j * size;
        const adversarial = isAdversarial(argmax(logits, j, classes), labels[idx], targets?.[idx]);
        const norm = lpNorm(delta, o, size, 'l2');
        if (adversarial && norm < bestNorm[idx]) { bestNorm[idx] = norm; best.set(rows.subarray(go, go + size), o); }
        if (adversarial && k === 0) return; // misclassified already: nothing to minimise
        keep.push(j);
        const gl2 = lpNorm(gradient, go, size, 'l2');
        if (gl2 > 0) for (let i = 0; i < size; i++) delta[o + i] += (sign * alpha * gradient[go + i]) / gl2;
        eps[idx] *= adversarial ? 1 - gamma : 1 + gamma;
        const dl2 = lpNorm(delta, o, size, 'l2') || 1;
        for (let i = 0; i < size; i++) {
          x[o + i] = clip01(images[o + i] + (eps[idx] * delta[o + i]) / dl2);
          delta[o + i] = x[o + i] - images[o + i];
        }
      });
      active = Int32Array.from(keep, (j) => active[j]);
    }
    // The last iterate has not been checked: one more look for the still-running samples.
    if (active.length > 0) {
      const rows = new Float32Array(active.length * size);
      active.forEach((idx, j) => rows.set(x.subarray(idx * size, (idx + 1) * size), j * size));
      const logits = await oracle.logits(rows, active);
      active.forEach((idx, j) => {
        const norm = lpNorm(delta, idx * size, size, 'l2');
        if (isAdversarial(argmax(logits, j, classes), labels[idx], targets?.[idx]) && norm < bestNorm[idx]) best.set(rows.subarray(j * size, (j + 1) * size), idx * size);
      });
    }
    return finish(oracle, images, best, labels, batch, this.norm, { targets, projectEps: this.eps });
  }
}

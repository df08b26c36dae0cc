// DeepFool (Moosavi-Dezfooli, Fawzi & Frossard, CVPR 2016, Algorithms 2–3): linearise the classifier at the current point,
// step to the nearest linearised boundary among the candidate classes, repeat until the label flips; the total step
// is scaled by (1 + overshoot). L2: r = (|f_l| + 1e-4)/‖w_l‖₂²·w_l; L∞: r = (|f_l| + 1e-4)/‖w_l‖₁·sign(w_l).
// Reference-code defaults: 10 candidate classes (top of the clean logits), overshoot 0.02, 50 iterations.
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import type { Rng } from '../../util/rng.js';
import { Oracle, argmax, checkBatch, finish, gather, range, type Attack, type AttackResult, type RunOptions } from './attack.js';
import { linearize, topOtherClasses } from './linearize.js';
import { clip01, lpNorm } from './threat.js';

export interface DeepFoolConfig {
  readonly norm?: 'l2' | 'linf';
  readonly eps?: number;
  readonly steps?: number;
  readonly candidates?: number;
  readonly overshoot?: number;
}

export class DeepFool implements Attack {
  readonly name = 'deepfool';
  readonly kind = 'white-box' as const;
  readonly minimumNorm = true;
  readonly norm: 'l2' | 'linf';
  readonly eps: number | undefined;
  readonly settings: Readonly<Record<string, number | string | boolean>>;
  private readonly steps: number;
  private readonly candidates: number;
  private readonly overshoot: number;

  constructor(readonly model: DifferentiableClassifier, { norm = 'l2', eps, steps = 50, candidates = 10, overshoot = 0.02 }: DeepFoolConfig = {}) {
    this.norm = norm;
    this.eps = eps;
    this.steps = steps;
    this.candidates = Math.min(candidates, model.numClasses) - 1;
    this.overshoot = overshoot;
    this.settings = { attack: this.name, norm, ...(eps !== undefined ? { eps } : {}), steps, candidates: this.candidates + 1, overshoot };
  }

  async run(images: Float32Array, labels: Int32Array, batch: number, _rngs: readonly Rng[], _options: RunOptions = {}): Promise<AttackResult> {
    checkBatch(this.model, images, labels, batch, _rngs);
    const oracle = new Oracle(this.model, batch);
    const size = oracle.size, classes = this.model.numClasses;
    const cleanLogits = await oracle.logits(images, range(batch));
    const candidates = Array.from({ length: batch }, (_, i) => topOtherClasses(cleanLogits, i, classes, labels[i], this.candidates));
    const total = new Float32Array(images.length);
    const adversarial = images.slice();
    let active = range(batch).filter((i) => argmax(cleanLogits, i, classes) === labels[i]);
    for (let step = 0; step < this.steps && active.length > 0; step++) {
      const rows = gather(adversarial, active, size);
      const lin = await linearize(oracle, rows, active, labels, batch, Array.from(active, (i) => candidates[i]));
      const keep: number[] = [];
      active.forEach((idx, r) => {
        if (argmax(lin.logits, r, classes) !== labels[idx]) return; // fooled: stop this sample
        keep.push(r);
        let bestC = 0, bestDist = Infinity;
        for (let c = 0; c < lin.f.length; c++) {
          const dist = Math.abs(lin.f[c][r]) / (lpNorm(lin.w[c], r * size, size, this.norm === 'l2' ? 'l2' : 'l1') + 1e-12);
          if (dist < bestDist) { bestDist = dist; bestC = c; }
        }
        const w = lin.w[bestC], o = r * size, io = idx * size;
        const f = Math.abs(lin.f[bestC][r]) + 1e-4;
        const scale = this.norm === 'l2' ? f / (lpNorm(w, o, size, 'l2') ** 2 + 1e-12) : f / (lpNorm(w, o, size, 'l1') + 1e-12);
        for (let i = 0; i < size; i++) {
          total[io + i] += scale * (this.norm === 'l2' ? w[o + i] : Math.sign(w[o + i]));
          adversarial[io + i] = clip01(images[io + i] + (1 + this.overshoot) * total[io + i]);
        }
      });
      active = Int32Array.from(keep, (r) => active[r]);
    }
    return finish(oracle, images, adversarial, labels, batch, this.norm, { projectEps: this.eps });
  }
}

// C&W-L2 (Carlini & Wagner, IEEE S&P 2017): minimise ‖x' − x‖₂² + c·f(x') over w with x' = (tanh(w) + 1)/2 (the box for free),
// f = max(z_y − max_{j≠y} z_j, −κ) (targeted: max(max_{j≠t} z_j − z_t, −κ)), by Adam, with a binary search over c per sample.
// Spec defaults: 9 binary-search steps from c = 1e-2, 100 Adam steps, lr 1e-2, κ = 0. Early abort as the paper's code:
// every steps/10 iterations a sample stops when its objective has not fallen below 0.9999× the last check.
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import type { Rng } from '../../util/rng.js';
import {
  Oracle, argmax, checkBatch, chooseTargets, finish, gather, isAdversarial, range, type Attack, type AttackResult, type RunOptions,
} from './attack.js';

export interface CwConfig {
  /** Optional L2 budget: the result is projected onto it and re-checked (foolbox's clipped). */
  readonly eps?: number;
  readonly confidence?: number;
  readonly initialConst?: number;
  readonly binarySteps?: number;
  readonly steps?: number;
  readonly learningRate?: number;
  readonly targeted?: boolean;
}

export class CarliniWagnerL2 implements Attack {
  readonly name = 'cw';
  readonly kind = 'white-box' as const;
  readonly norm = 'l2' as const;
  readonly minimumNorm = true;
  readonly eps: number | undefined;
  readonly settings: Readonly<Record<string, number | string | boolean>>;
  private readonly c: Required<Omit<CwConfig, 'eps'>>;

  constructor(readonly model: DifferentiableClassifier, { eps, confidence = 0, initialConst = 1e-2, binarySteps = 9, steps = 100, learningRate = 1e-2, targeted = false }: CwConfig = {}) {
    this.eps = eps;
    this.c = { confidence, initialConst, binarySteps, steps, learningRate, targeted };
    this.settings = { attack: this.name, ...(eps !== undefined ? { eps } : {}), ...this.c };
  }

  async run(images: Float32Array, labels: Int32Array, batch: number, rngs: readonly Rng[], options: RunOptions = {}): Promise<AttackResult> {
    checkBatch(this.model, images, labels, batch, rngs);
    const { confidence: kappa, binarySteps, steps, learningRate: lr, targeted } = this.c;
    const oracle = new Oracle(this.model, batch);
    const size = oracle.size, classes = this.model.numClasses;
    const targets = targeted ? chooseTargets(labels, classes, rngs, options.targets) : undefined;
    const marginLabels = targets ?? labels; // the 'cw' head at t gives max_{j≠t} z_j − z_t
    const w0 = images.map((v) => Math.atanh((2 * v - 1) * (1 - 1e-6)));
    const best = images.slice();
    const bestNorm = new Float64Array(batch).fill(Infinity);
    const c = new Float64Array(batch).fill(this.c.initialConst), lower = new Float64Array(batch), upper = new Float64Array(batch).fill(1e10);
    for (let search = 0; search < binarySteps; search++) {
      const w = w0.slice(), m = new Float32Array(w.length), v = new Float32Array(w.length);
      const found = new Uint8Array(batch);
      const lastObjective = new Float64Array(batch).fill(Infinity);
      let active = range(batch);
      for (let step = 0; step < steps && active.length > 0; step++) {
        const wRows = gather(w, active, size);
        const x = wRows.map((u) => (Math.tanh(u) + 1) / 2);
        const { loss: margin, gradient, logits } = await oracle.lossAndGradient(x, active, marginLabels, { kind: 'cw' });
        const keep: number[] = [];
        active.forEach((idx, k) => {
          const o = k * size, io = idx * size;
          let l2sq = 0;
          for (let i = 0; i < size; i++) l2sq += (x[o + i] - images[io + i]) ** 2;
          if (isAdversarial(argmax(logits, k, classes), labels[idx], targets?.[idx])) {
            found[idx] = 1;
            if (Math.sqrt(l2sq) < bestNorm[idx]) { bestNorm[idx] = Math.sqrt(l2sq); best.set(x.subarray(o, o + size), io); }
          }
          // f and its gradient: untargeted f = max(−margin_y, −κ); targeted f = max(margin_t, −κ).
          const fRaw = targets ? margin[k] : -margin[k];
          const fSign = fRaw > -kappa ? (targets ? 1 : -1) : 0;
          const objective = l2sq + c[idx] * Math.max(fRaw, -kappa);
          if (step % Math.max(1, Math.ceil(steps / 10)) === 0) {
            if (objective > lastObjective[idx] * 0.9999) return; // early abort for this sample
            lastObjective[idx] = objective;
          }
          keep.push(k);
          const t = step + 1;
          for (let i = 0; i < size; i++) {
            const gx = 2 * (x[o + i] - images[io + i]) + c[idx] * fSign * gradient[o + i];
            const gw = gx * (1 - (2 * x[o + i] - 1) ** 2) / 2; // dx'/dw = (1 − tanh²w)/2
            const j = io + i;
            m[j] = 0.9 * m[j] + 0.1 * gw;
            v[j] = 0.999 * v[j] + 0.001 * gw * gw;
            w[j] -= (lr * (m[j] / (1 - 0.9 ** t))) / (Math.sqrt(v[j] / (1 - 0.999 ** t)) + 1e-8);
          }
        });
        active = Int32Array.from(keep, (k) => active[k]);
      }
      for (let i = 0; i < batch; i++) {
        if (found[i]) { upper[i] = Math.min(upper[i], c[i]); c[i] = (lower[i] + upper[i]) / 2; }
        else { lower[i] = Math.max(lower[i], c[i]); c[i] = upper[i] < 1e9 ? (lower[i] + upper[i]) / 2 : c[i] * 10; }
      }
    }
    return finish(oracle, images, best, labels, batch, this.norm, { targets, projectEps: this.eps });
  }
}

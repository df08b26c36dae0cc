// APGD-T (Croce & Hein, ICML 2020): APGD on the targeted DLR loss −(z_y − z_t)/(z_π1 − (z_π3 + z_π4)/2), run once per
// target class t taken from the clean logits ranked 2nd, 3rd, … (top-9 in AutoAttack standard), each on the samples
// still robust. Success is untargeted: any wrong prediction.
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import { RobustartError } from '../../errors.js';
import type { Rng } from '../../util/rng.js';
import { Oracle, Verdicts, checkBatch, cleanLogits, finish, type Attack, type AttackResult, type RunOptions } from './attack.js';
import { apgdRun, stillRobust, type ApgdConfig, type ApgdSettings } from './apgd.js';
import type { Norm } from './threat.js';

export interface ApgdTConfig extends Omit<ApgdConfig, 'loss'> {
  /** Number of target classes (AutoAttack standard: 9). */
  readonly targetClasses?: number;
}

/** Class of rank `rank` (0 = highest) in each row of the logits. */
export function rankedClass(logits: Float32Array, row: number, classes: number, rank: number): number {
  const order = Array.from({ length: classes }, (_, k) => k).sort((a, b) => logits[row * classes + b] - logits[row * classes + a] || a - b);
  return order[rank];
}

export class APGDT implements Attack {
  readonly kind = 'white-box' as const;
  readonly minimumNorm = false;
  readonly name = 'apgd-t';
  readonly norm: Norm;
  readonly eps: number;
  readonly settings: Readonly<Record<string, number | string | boolean>>;
  private readonly s: ApgdSettings;
  private readonly targetClasses: number;
  private readonly restarts: number;

  constructor(readonly model: DifferentiableClassifier, { norm = 'linf', eps, steps = 100, restarts = 1, targetClasses = 9, eotIter = 1, rho = 0.75 }: ApgdTConfig) {
    // Targeted DLR needs z_π4, and the top-k targets need k + 1 classes (one of AutoAttack's checks).
    if (model.numClasses < 4) throw new RobustartError(`APGD-T needs at least 4 classes; the model has ${model.numClasses}; use apgd-ce instead`);
    this.norm = norm;
    this.eps = eps;
    this.restarts = restarts;
    this.targetClasses = Math.min(targetClasses, model.numClasses - 1);
    this.s = { norm, eps, steps, eotIter, rho };
    this.settings = { attack: this.name, norm, eps, steps, restarts, targetClasses: this.targetClasses, eotIter, rho };
  }

  async run(images: Float32Array, labels: Int32Array, batch: number, rngs: readonly Rng[], options: RunOptions = {}): Promise<AttackResult> {
    checkBatch(this.model, images, labels, batch, rngs);
    const oracle = new Oracle(this.model, batch);
    const adversarial = images.slice();
    const clean = await cleanLogits(oracle, images, batch, options);
    const classes = this.model.numClasses;
    const verdicts = new Verdicts(batch, classes);
    let robust = stillRobust(clean, labels, batch, verdicts);
    for (let rank = 1; rank <= this.targetClasses; rank++) {
      const targets = Int32Array.from({ length: batch }, (_, i) => rankedClass(clean, i, classes, rank));
      for (let r = 0; r < this.restarts && robust.length > 0; r++) {
        const fooled = await apgdRun(oracle, this.s, images, labels, robust, 'dlr-targeted', targets, rngs, adversarial, verdicts);
        robust = robust.filter((i) => !fooled.has(i));
      }
    }
    return finish(oracle, images, adversarial, labels, batch, this.norm, { verdicts });
  }
}

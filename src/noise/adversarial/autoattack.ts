// AutoAttack (Croce & Hein, ICML 2020): a parameter-free ensemble run as a cascade — each attack only sees the points
// still robust after the previous ones, and a point counts as robust only if it survives all (per-sample worst case).
// "standard" (spec, fidelity notes): APGD-CE 100 iterations 1 restart, APGD-T top-9 targets 100 iterations,
// FAB-T 9 targets 100 iterations, Square 5,000 queries without schedule rescaling. "rand" (randomised defences):
// APGD-CE and APGD-DLR with gradients averaged over 20 draws (EOT), as the reference's version='rand'.
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import { RobustartError } from '../../errors.js';
import type { Rng } from '../../util/rng.js';
import { Verdicts, checkBatch, finish, gather, gatherInts, Oracle, pick, range, scatter, type Attack, type AttackResult, type RunOptions } from './attack.js';
import { APGD, stillRobust } from './apgd.js';
import { APGDT } from './apgd-t.js';
import { FAB } from './fab.js';
import { Square } from './square.js';

export interface AutoAttackConfig {
  readonly norm?: 'linf' | 'l2';
  readonly eps: number;
  readonly version?: 'standard' | 'rand';
  /** Overrides for quick runs and tests; every run records them. */
  readonly steps?: number;
  readonly targetClasses?: number;
  readonly squareQueries?: number;
  readonly eotIter?: number;
}

/** One independent stream per cascade stage and sample, split off each sample's own stream (stage k of sample i sees the same draws in any batch). */
export function autoAttackStageRngs(rngs: readonly Rng[], stages: number): Rng[][] {
  const perSample = rngs.map((r) => Array.from({ length: stages }, () => r.stream()));
  return Array.from({ length: stages }, (_, k) => perSample.map((s) => s[k]));
}

export class AutoAttack implements Attack {
  readonly kind = 'white-box' as const;
  readonly minimumNorm = false;
  readonly name: string;
  readonly norm: 'linf' | 'l2';
  readonly eps: number;
  readonly parts: readonly Attack[];
  private readonly version: 'standard' | 'rand';
  readonly settings: Readonly<Record<string, number | string | boolean>>;

  constructor(readonly model: DifferentiableClassifier, { norm = 'linf', eps, version = 'standard', steps = 100, targetClasses = 9, squareQueries = 5000, eotIter = 20 }: AutoAttackConfig) {
    this.name = version === 'standard' ? 'autoattack' : 'autoattack-rand';
    this.norm = norm;
    this.eps = eps;
    this.version = version;
    if (version === 'standard' && model.numClasses < 4) throw new RobustartError(`AutoAttack standard needs at least 4 classes (APGD-T's targeted DLR); the model has ${model.numClasses}; use the apgd-ce attack`);
    this.parts = version === 'standard'
      ? [
          new APGD(model, { norm, eps, steps, loss: 'ce', restarts: 1 }),
          new APGDT(model, { norm, eps, steps, targetClasses }),
          new FAB(model, { norm, eps, steps, targeted: true, targetClasses, restarts: 1 }),
          new Square(model, { norm, eps, queries: squareQueries, rescaleSchedule: false }),
        ]
      : [
          new APGD(model, { norm, eps, steps, loss: 'ce', eotIter }),
          new APGD(model, { norm, eps, steps, loss: 'dlr', eotIter }),
        ];
    this.settings = { attack: this.name, norm, eps, version, steps, targetClasses, squareQueries, ...(version === 'rand' ? { eotIter } : {}), parts: this.parts.map((p) => p.name).join(',') };
  }

  async run(images: Float32Array, labels: Int32Array, batch: number, rngs: readonly Rng[], _options: RunOptions = {}): Promise<AttackResult> {
    checkBatch(this.model, images, labels, batch, rngs);
    const oracle = new Oracle(this.model, batch);
    const size = oracle.size, classes = this.model.numClasses;
    const stageRngs = autoAttackStageRngs(rngs, this.parts.length);
    const adversarial = images.slice();
    const foundBy = new Array<string>(batch).fill('');
    const clean = await oracle.logits(images, range(batch));
    // A deterministic model gives every part's clean check the logits already computed here, and each sample's
    // verdict is the one its part read (the robust ones keep their clean image and logits), so the cascade spends
    // no forward pass beyond its parts'. 'rand' is for randomised models, where every call draws anew: there each
    // part checks for itself and the verdict is a fresh call, as in the reference.
    const deterministic = this.version === 'standard';
    const verdicts = new Verdicts(batch, classes);
    let robust = stillRobust(clean, labels, batch, verdicts);
    for (let k = 0; k < this.parts.length && robust.length > 0; k++) {
      const part = this.parts[k];
      const options: RunOptions = deterministic ? { cleanLogits: gather(clean, robust, classes) } : {};
      const sub = await part.run(gather(images, robust, size), gatherInts(labels, robust), robust.length, pick(stageRngs[k], robust), options);
      const fooled = robust.filter((_, j) => sub.success[j] === 1);
      robust.forEach((i, j) => (oracle.queries[i] += sub.queries[j]));
      const rows = range(robust.length).filter((j) => sub.success[j] === 1);
      scatter(adversarial, gather(sub.adversarial, rows, size), fooled, size);
      fooled.forEach((i, f) => (sub.logits ? verdicts.set(i, sub.logits, rows[f]) : verdicts.forget(i)));
      for (const i of fooled) foundBy[i] = part.name;
      robust = robust.filter((_, j) => sub.success[j] !== 1);
    }
    return { ...(await finish(oracle, images, adversarial, labels, batch, this.norm, deterministic ? { verdicts } : {})), foundBy };
  }
}

// PGD (Madry et al., ICLR 2018) in L∞ and L2: random start in the ε-ball, then `steps` steepest-ascent steps of size α
// (sign of the gradient for L∞, gradient / ‖gradient‖₂ for L2), each followed by projection onto the ε-ball ∩ [0,1].
// Defaults from ../shared/spec/adversarial.md: 20 steps, α = 2.5·ε/steps, random start, 1 restart.
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import { IterativeAttack, type CommonIterativeConfig } from './iterative.js';

export const PGD_DEFAULT_STEPS = 20;

export interface PgdConfig extends CommonIterativeConfig {
  readonly norm?: 'linf' | 'l2';
  /** false: every sample runs all steps (for benchmarks and torchattacks parity). */
  readonly earlyStop?: boolean;
}

export class PGD extends IterativeAttack {
  constructor(model: DifferentiableClassifier, { norm = 'linf', eps, steps = PGD_DEFAULT_STEPS, stepSize, randomStart = true, restarts = 1, targeted = false, loss = 'ce', earlyStop = true }: PgdConfig) {
    super(model, 'pgd', {
      norm, eps, steps, stepSize: stepSize ?? (2.5 * eps) / steps, randomStart, restarts, targeted, loss, decay: 0, sparsity: 0, earlyStop,
    });
  }
}

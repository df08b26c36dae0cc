// MI-FGSM (Dong et al., CVPR 2018): accumulate a velocity g ← μ·g + ∇/‖∇‖₁ and step x ← Π(x + α·sign(g))
// (L2 variant: α·g/‖g‖₂). Spec defaults: μ = 1.0 and the PGD schedule (20 steps, α = 2.5·ε/steps); no random start, as the paper.
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import { IterativeAttack, type CommonIterativeConfig } from './iterative.js';
import { PGD_DEFAULT_STEPS } from './pgd.js';

export interface MimConfig extends CommonIterativeConfig {
  readonly norm?: 'linf' | 'l2';
  readonly decay?: number;
}

export class MIM extends IterativeAttack {
  constructor(model: DifferentiableClassifier, { norm = 'linf', eps, steps = PGD_DEFAULT_STEPS, stepSize, decay = 1.0, randomStart = false, restarts = 1, targeted = false, loss = 'ce' }: MimConfig) {
    super(model, 'mim', { norm, eps, steps, stepSize: stepSize ?? (2.5 * eps) / steps, randomStart, restarts, targeted, loss, decay, sparsity: 0 });
  }
}

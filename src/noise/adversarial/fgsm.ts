// FGSM (Goodfellow, Shlens & Szegedy, ICLR 2015): one signed-gradient step of size ε,
// x' = clip₀₁(x + ε·sign(∇ₓ CE(x, y))); targeted: x' = clip₀₁(x − ε·sign(∇ₓ CE(x, t))).
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import { IterativeAttack } from './iterative.js';

export interface FgsmConfig {
  readonly eps: number;
  readonly targeted?: boolean;
}

export class FGSM extends IterativeAttack {
  constructor(model: DifferentiableClassifier, { eps, targeted = false }: FgsmConfig) {
    super(model, 'fgsm', { norm: 'linf', eps, stepSize: eps, steps: 1, randomStart: false, restarts: 1, targeted, loss: 'ce', decay: 0, sparsity: 0 });
  }
}

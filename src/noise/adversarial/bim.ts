// BIM / I-FGSM (Kurakin, Goodfellow & Bengio, ICLR 2017 workshop): FGSM repeated with step α from the clean image,
// clipped to the ε-ball after every step. Paper defaults: α = 1/255, steps = min(255·ε + 4, 1.25·255·ε).
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import { IterativeAttack, type CommonIterativeConfig } from './iterative.js';

export class BIM extends IterativeAttack {
  constructor(model: DifferentiableClassifier, { eps, stepSize = 1 / 255, steps, targeted = false, loss = 'ce' }: CommonIterativeConfig) {
    const paperSteps = Math.max(1, Math.round(Math.min(255 * eps + 4, 1.25 * 255 * eps)));
    super(model, 'bim', { norm: 'linf', eps, stepSize, steps: steps ?? paperSteps, randomStart: false, restarts: 1, targeted, loss, decay: 0, sparsity: 0 });
  }
}

// PGD-L1 with sparse steps (SLIDE, Tramèr & Boneh, NeurIPS 2019): each step moves only the coordinates whose
// |gradient| is in the top (1 − q) fraction, with unit L1 size, then projects onto the L1 ball (Duchi et al. 2008) ∩ [0,1].
// q = 0.99 as foolbox's SparseL1DescentAttack; steps and α as the spec's PGD (20 steps, α = 2.5·ε/steps).
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import { IterativeAttack, type CommonIterativeConfig } from './iterative.js';
import { PGD_DEFAULT_STEPS } from './pgd.js';

export interface PgdL1Config extends CommonIterativeConfig {
  /** Quantile q of |gradient| below which coordinates stay still. */
  readonly sparsity?: number;
}

export class PGDL1 extends IterativeAttack {
  constructor(model: DifferentiableClassifier, { eps, steps = PGD_DEFAULT_STEPS, stepSize, randomStart = true, restarts = 1, targeted = false, loss = 'ce', sparsity = 0.99 }: PgdL1Config) {
    super(model, 'pgd', { norm: 'l1', eps, steps, stepSize: stepSize ?? (2.5 * eps) / steps, randomStart, restarts, targeted, loss, decay: 0, sparsity });
  }
}

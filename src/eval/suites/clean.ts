import { CLEAN } from '../condition.js';
import type { Suite } from '../suite.js';

export const cleanSuite: Suite = {
  name: 'clean',
  description: 'the model\'s own preprocessing, no noise: top-1, top-5, NLL, ECE, per-class accuracy',
  conditions: () => [CLEAN],
};

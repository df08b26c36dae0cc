import { CLEAN } from '../condition.js';
import type { Suite } from '../suite.js';
import { NO_OPTIONS } from '../../util/options.js';

export const cleanSuite: Suite<typeof NO_OPTIONS> = {
  name: 'clean',
  options: NO_OPTIONS,
  description: 'the model\'s own preprocessing, no noise: top-1, top-5, NLL, ECE, per-class accuracy',
  conditions: () => [CLEAN],
};

// runEvaluation's own inputs, as the library sees them: a sample limit or a seed that cannot mean what it says is a
// one-line error naming the option, never a silently different run (a limit of -1 dropped one sample; a seed beyond
// 32 bits wrapped to another seed while the run recorded the one given).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RobustartError } from '../errors.js';
import { tempDir } from '../testing/fixtures.js';
import { packagePath } from '../util/paths.js';
import { runEvaluation } from './run.js';
import { adversarialSettings } from './suites/adversarial.js';

test('runEvaluation refuses a limit or seed outside what it can honour', async () => {
  const base = { model: 'fashion-cnn', data: packagePath('demo/data/fashion-mnist'), store: join(tempDir('robustart-run-inputs-'), 'results.db') };
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ limit: -1 }, /^limit -1 is not a number of samples; pass an integer >= 1 \(or no limit\)$/],
    [{ limit: 0 }, /^limit 0 is not a number of samples/],
    [{ limit: 2.5 }, /^limit 2.5 is not a number of samples/],
    [{ seed: -1 }, /^seed -1 is not a 32-bit seed; pass an integer from 0 to 4294967295$/],
    [{ seed: 1e300 }, /^seed 1e\+300 is not a 32-bit seed/],
    [{ seed: 0.5 }, /^seed 0.5 is not a 32-bit seed/],
  ];
  for (const [options, message] of cases) {
    await assert.rejects(runEvaluation({ ...base, ...options }), (err: unknown) => err instanceof RobustartError && message.test(err.message), JSON.stringify(options));
  }
});

test('the adversarial suite refuses an L∞ budget above 1 (pixels are in [0,1]); L2 budgets may exceed 1', () => {
  assert.throws(() => adversarialSettings({ attacks: 'pgd:linf', eps: '2' }), (err: unknown) => err instanceof RobustartError && /^adversarial suite: the L∞ budget 2 of pgd is above 1: budgets are in \[0,1\] pixel units \(e.g. 8\/255, not 8\)$/.test(err.message));
  assert.throws(() => adversarialSettings({ protocol: 'robustart-paper', eps: '8' }), /L∞ budget 8 of fgsm is above 1/);
  assert.deepEqual(adversarialSettings({ attacks: 'pgd:l2', eps: '2' }).plans.map((p) => p.epsilons), [[2]]);
  assert.deepEqual(adversarialSettings({ attacks: 'pgd:linf', eps: '1' }).plans.map((p) => p.epsilons), [[1]]);
});

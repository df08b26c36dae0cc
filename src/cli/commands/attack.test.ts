import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attackCommand } from './attack.js';
import { runAttack } from '../../noise/adversarial/suite.js';
import { makeTinyTask } from '../../noise/adversarial/testing/dataset.js';
import { RobustartError } from '../../errors.js';

test('runAttack: AR per budget, success rates and masking checks from one call', async () => {
  const { model, test: data } = makeTinyTask();
  const report = await runAttack(model, { attack: 'pgd', norm: 'linf', epsilons: [0.05, 0.1] }, data.images, data.labels, { seed: 1, attackOptions: { steps: 10 } });
  assert.equal(report.runs.length, 2);
  assert.ok(report.cleanAccuracy >= 0.9);
  assert.ok(report.runs[1].summary.robustAccuracy <= report.runs[0].summary.robustAccuracy);
  assert.ok(report.runs[1].summary.robustAccuracy < report.cleanAccuracy);
  assert.deepEqual(report.flags, []);
  const ddn = await runAttack(model, { attack: 'ddn', norm: 'l2', epsilons: [] }, data.images, data.labels, { seed: 1, attackOptions: { steps: 20 } });
  assert.equal(ddn.runs.length, 1);
  assert.ok(ddn.runs[0].summary.medianNorm! > 0 && Number.isFinite(ddn.runs[0].summary.medianNorm!));
});

test('attack command: bad flags fail with one-line errors before any model is loaded', async () => {
  await assert.rejects(attackCommand.run({ attack: 'nope', model: 'm', data: 'd' }, []), /unknown attack 'nope'/);
  await assert.rejects(attackCommand.run({ model: 'm', data: 'd' }, []), /needs --attack NAME or --protocol NAME/);
  await assert.rejects(attackCommand.run({ protocol: 'paper', model: 'm', data: 'd' }, []), /unknown adversarial protocol 'paper'; choose one of robustart-paper, robustbench, quick/);
  await assert.rejects(attackCommand.run({ attack: 'pgd', model: 'm', data: 'd' }, []), /needs --eps/);
  await assert.rejects(attackCommand.run({ attack: 'pgd', norm: 'l3', eps: '1', model: 'm', data: 'd' }, []), RobustartError);
  await assert.rejects(attackCommand.run({ attack: 'pgd', eps: 'x/255', model: 'm', data: 'd' }, []), /epsilon 'x\/255'/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../util/rng.js';
import { makeTinyTask } from './testing/dataset.js';
import { attackDataset, attackOverEpsilons, stillCorrect } from './suite.js';
import { createAttack, ATTACKS } from './registry.js';
import { RobustartError } from '../../errors.js';
import { summarizeAttack, worstCaseRobustness } from '../../metrics/adversarial.js';

const { model, test: data } = makeTinyTask();
const { images, labels, count } = data;

test('the registry builds every attack with its spec defaults and rejects unsupported combinations', () => {
  for (const entry of ATTACKS) for (const norm of entry.norms) {
    const attack = createAttack(model, entry.name, { norm, eps: norm === 'linf' ? 4 / 255 : 0.5 });
    assert.equal(attack.norm, norm);
  }
  assert.equal(createAttack(model, 'pgd', { eps: 0.1 }).settings.steps, 20);
  assert.equal(createAttack(model, 'cw').settings.binarySteps, 9);
  assert.equal(createAttack(model, 'ddn').settings.gamma, 0.05);
  assert.equal(createAttack(model, 'square', { eps: 0.1 }).settings.pInit, 0.05);
  assert.equal(createAttack(model, 'square', { eps: 0.1, norm: 'l2' }).settings.pInit, 0.1);
  assert.equal(createAttack(model, 'spsa', { eps: 0.1 }).settings.samples, 128);
  assert.equal(createAttack(model, 'hsj').settings.queries, 1000);
  assert.throws(() => createAttack(model, 'fgsm', { norm: 'l2', eps: 1 }), RobustartError);
  assert.throws(() => createAttack(model, 'pgd', {}), /--eps/);
  assert.throws(() => createAttack(model, 'apgd-t', { eps: 0.1, targeted: true }), /targeted/);
  assert.throws(() => createAttack(model, 'nope'), /unknown attack/);
});

test('results do not depend on the batch size: sample i always draws from its own stream', async () => {
  const attack = createAttack(model, 'pgd', { eps: 0.08, steps: 5 });
  const a = await attackDataset(attack, images, labels, count, { seed: 3, batchSize: 40 });
  const b = await attackDataset(attack, images, labels, count, { seed: 3, batchSize: 7 });
  // Batches keyed by their start index draw different base streams, so compare a batch-size-independent attack too.
  const square = createAttack(model, 'square', { eps: 0.08, queries: 100 });
  const s1 = await square.run(images, labels, count, new Rng(5));
  const s2 = await square.run(images.subarray(0, 10 * model.size), labels.subarray(0, 10), 10, new Rng(5));
  assert.deepEqual(s2.adversarial, s1.adversarial.subarray(0, 10 * model.size));
  assert.equal(a.success.length, b.success.length);
});

test('over a list of budgets: minimum-norm AR never rises with ε, and WCAR is below every AR', async () => {
  const eps = [0.25, 0.5, 1];
  const clean = await stillCorrect(model, images, labels, count);
  const ddn = await attackOverEpsilons(model, 'ddn', 'l2', eps, images, labels, count, { seed: 1, attackOptions: { steps: 30 } });
  const pgd = await attackOverEpsilons(model, 'pgd', 'l2', eps, images, labels, count, { seed: 1, attackOptions: { steps: 10 } });
  for (let j = 1; j < eps.length; j++) for (let i = 0; i < count; i++) assert.ok(ddn[j].robust[i] <= ddn[j - 1].robust[i]);
  for (const r of [...ddn, ...pgd]) for (const n of r.norms) assert.ok(n <= r.eps! + 1e-5);
  for (let j = 0; j < eps.length; j++) {
    const { wcar } = worstCaseRobustness([ddn[j].robust, pgd[j].robust]);
    const s = summarizeAttack(clean, { ...ddn[j], kind: 'white-box' });
    assert.ok(wcar <= s.robustAccuracy && wcar <= summarizeAttack(clean, { ...pgd[j], kind: 'white-box' }).robustAccuracy);
    assert.ok(Number.isFinite(s.medianNorm!));
  }
});

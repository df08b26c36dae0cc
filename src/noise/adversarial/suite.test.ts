import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTinyTask } from './testing/dataset.js';
import { attackOverEpsilons, runAttack, stillCorrect } from './suite.js';
import { createAttack, ATTACKS } from './registry.js';
import { SQUARE_P_INIT } from './square.js';
import type { AutoAttack } from './autoattack.js';
import { RobustartError } from '../../errors.js';
import { summarizeAttack, worstCaseRobustness } from '../../metrics/adversarial.js';

const { model, test: data } = makeTinyTask();
const { images, labels, count } = data;

test('the registry builds every attack with its spec defaults and rejects unsupported combinations', () => {
  for (const entry of ATTACKS) for (const norm of entry.norms) {
    const attack = createAttack(model, entry.name, { norm, eps: norm === 'linf' ? 4 / 255 : 0.5 });
    assert.equal(attack.norm, norm);
    assert.equal(attack.name, entry.name, 'one attack id across registry, instances, records and CLI; the norm is separate');
  }
  assert.equal(createAttack(model, 'pgd', { eps: 0.1 }).settings.steps, 20);
  assert.equal(createAttack(model, 'cw').settings.binarySteps, 9);
  assert.equal(createAttack(model, 'ddn').settings.gamma, 0.05);
  // Square: p_init 0.8 for both norms (square-attack attack.py and AutoAttack square.py), schedule rescaled when alone.
  assert.equal(SQUARE_P_INIT, 0.8);
  assert.equal(createAttack(model, 'square', { eps: 0.1 }).settings.pInit, 0.8);
  assert.equal(createAttack(model, 'square', { eps: 0.1, norm: 'l2' }).settings.pInit, 0.8);
  assert.equal(createAttack(model, 'square', { eps: 0.1 }).settings.rescaleSchedule, true);
  const autoSquare = (createAttack(model, 'autoattack', { eps: 0.1 }) as AutoAttack).parts.find((p) => p.name === 'square')!;
  assert.equal(autoSquare.settings.pInit, 0.8);
  assert.equal(autoSquare.settings.rescaleSchedule, false);
  assert.equal(createAttack(model, 'spsa', { eps: 0.1 }).settings.samples, 128);
  assert.equal(createAttack(model, 'hsj').settings.queries, 1000);
  assert.throws(() => createAttack(model, 'fgsm', { norm: 'l2', eps: 1 }), RobustartError);
  assert.throws(() => createAttack(model, 'pgd', {}), /needs a budget/);
  assert.throws(() => createAttack(model, 'pgd', { eps: 0.1, steps: 0 }), /attack pgd: option steps = 0 is not allowed: /);
  assert.throws(() => createAttack(model, 'apgd-t', { eps: 0.1, targeted: true }), /targeted/);
  assert.throws(() => createAttack(model, 'nope'), /unknown attack/);
});

test('per-sample results are identical at batch sizes 1, 7 and 64 for every attack family (whole record sets)', async () => {
  const plans = [
    { attack: 'pgd', norm: 'linf' as const, epsilons: [0.05, 0.1] }, // gradient, early stop per sample
    { attack: 'mim', norm: 'linf' as const, epsilons: [0.05] },
    { attack: 'ddn', norm: 'l2' as const, epsilons: [0.5, 1] }, // minimum-norm, one optimisation for every budget
    { attack: 'fab', norm: 'linf' as const, epsilons: [0.1] },
    { attack: 'square', norm: 'linf' as const, epsilons: [0.08] }, // score-based
    { attack: 'hsj', norm: 'l2' as const, epsilons: [] }, // decision-based
    { attack: 'autoattack', norm: 'linf' as const, epsilons: [0.08] }, // cascade over sub-batches
  ];
  const attackOptions = { steps: 4, queries: 60 };
  const sampleIds = Array.from({ length: count }, (_, i) => `img-${(i * 7919) % 1000}`);
  const records = async (batchSize: number) => {
    const report = await runAttack(model, plans, images, labels, { seed: 3, batchSize, sampleIds, attackOptions, keepImages: true });
    return report.runs.map((r) => ({ attack: r.attack, eps: r.eps, extra: r.extra, adversarial: Array.from(r.adversarial!) }));
  };
  const one = await records(1);
  assert.equal(one.length, 9);
  assert.ok(one.some((r) => r.extra.some((e) => e.success)), 'some attack succeeds, so the comparison is not vacuous');
  assert.deepEqual(await records(7), one);
  assert.deepEqual(await records(64), one);
  // Another seed changes the random draws (the streams are really keyed by the seed).
  const other = await runAttack(model, plans[0], images, labels, { seed: 4, batchSize: 7, sampleIds, attackOptions, keepImages: true });
  assert.notDeepEqual(Array.from(other.runs[0].adversarial!), one[0].adversarial);
});

test('over a list of budgets: minimum-norm AR never rises with ε, and WCAR is below every AR', async () => {
  const eps = [0.25, 0.5, 1];
  const clean = await stillCorrect(model, images, labels, count);
  const ddn = await attackOverEpsilons(model, 'ddn', 'l2', eps, images, labels, { seed: 1, attackOptions: { steps: 30 } });
  const pgd = await attackOverEpsilons(model, 'pgd', 'l2', eps, images, labels, { seed: 1, attackOptions: { steps: 10 } });
  for (let j = 1; j < eps.length; j++) for (let i = 0; i < count; i++) assert.ok(ddn[j].robust[i] <= ddn[j - 1].robust[i]);
  for (const r of [...ddn, ...pgd]) for (const n of r.norms) assert.ok(n <= r.eps! + 1e-5);
  for (let j = 0; j < eps.length; j++) {
    const { robustAccuracy: wcar } = worstCaseRobustness([ddn[j].robust, pgd[j].robust], clean);
    const s = summarizeAttack(clean, { ...ddn[j], kind: 'white-box' });
    assert.ok(wcar <= s.robustAccuracy && wcar <= summarizeAttack(clean, { ...pgd[j], kind: 'white-box' }).robustAccuracy);
    assert.ok(Number.isFinite(s.medianNorm!));
  }
});

test('NaN or ±Inf logits in the attack pipeline are a one-line error, not a silent verdict', async () => {
  for (const bad of [NaN, Infinity]) {
    const broken = Object.create(model, {
      logits: { value: async (x: Float32Array, n: number) => (await model.logits(x, n)).map((v, i) => (i === 3 ? bad : v)) },
    }) as typeof model;
    for (const plan of [{ attack: 'pgd', norm: 'linf' as const, epsilons: [0.05] }, { attack: 'square', norm: 'linf' as const, epsilons: [0.05] }]) {
      await assert.rejects(runAttack(broken, plan, images, labels, { seed: 0, attackOptions: { steps: 2, queries: 5 } }), (err: Error) =>
        err instanceof RobustartError && /non-finite logit \((NaN|Infinity)\) for image 0/.test(err.message) && !err.message.includes('\n'));
    }
  }
});

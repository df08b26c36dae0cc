import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTinyTask } from './testing/dataset.js';
import { attackConditions, budgetKey, conditionName } from './conditions.js';
import { SPEC_BUDGETS, SPEC_SUITE } from './registry.js';
import { perturbationNorms } from './threat.js';
import { worstCaseByBudget } from '../../metrics/adversarial.js';
import { stillCorrect } from './suite.js';

const { model, test: data } = makeTinyTask();
const count = 12;
const images = data.images.slice(0, count * model.size), labels = data.labels.slice(0, count);
const ids = Array.from({ length: count }, (_, i) => `s${i}`);

test('the spec suite becomes one condition per attack and budget, each with its structured metadata', () => {
  const conditions = attackConditions(model, SPEC_SUITE.map(({ attack, norm }) => ({ attack, norm, epsilons: SPEC_BUDGETS[norm] })));
  assert.equal(conditions.length, SPEC_SUITE.filter((e) => e.norm === 'linf').length * 4 + SPEC_SUITE.filter((e) => e.norm === 'l2').length * 3);
  const pgd = conditions.find((c) => c.name === 'pgd/linf/4/255')!;
  assert.deepEqual(pgd.meta, { kind: 'adversarial', attack: 'pgd', norm: 'linf', eps: 4 / 255 });
  assert.ok(conditions.some((c) => c.name === 'cw/l2/0.5' && c.meta.attack === 'cw' && c.minimumNorm));
  assert.equal(budgetKey(pgd.meta), 'linf/4/255');
  assert.equal(conditionName('ddn', 'l2', null), 'ddn/l2');
  assert.equal(budgetKey({ norm: 'l2', eps: null }), undefined);
});

test('conditions return ε-bounded images with per-sample bookkeeping, and WCAR comes from the records', async () => {
  const conditions = attackConditions(model, [
    { attack: 'pgd', norm: 'linf', epsilons: [0.05, 0.1] }, { attack: 'fgsm', norm: 'linf', epsilons: [0.05, 0.1] },
    { attack: 'ddn', norm: 'l2', epsilons: [0.5] }, { attack: 'pgd', norm: 'l2', epsilons: [0.5] },
  ], { steps: 10 });
  const correct = new Map<string, Map<string, boolean>>();
  for (const c of conditions) {
    const { images: adv, extra } = await c.batchNoise.apply({ images, labels, sampleIds: ids, seed: 1 });
    for (const n of perturbationNorms(images, adv, count, c.meta.norm as 'linf' | 'l2')) assert.ok(n <= c.meta.eps! + 1e-5);
    assert.equal(extra.length, count);
    const ok = await stillCorrect(model, adv, labels, count);
    extra.forEach((e, i) => assert.equal(e.success, ok[i] === 0, `${c.name}: recorded success matches the prediction`));
    correct.set(c.name, new Map(Array.from(ok, (v, i) => [ids[i], v === 1])));
    if (c.meta.attack === 'ddn') assert.ok('minimalNorm' in extra[0]);
  }
  const clean = await stillCorrect(model, images, labels, count);
  const metaOf = new Map(conditions.map((c) => [c.name, c.meta]));
  const worst = worstCaseByBudget(correct, new Map(ids.map((id, i) => [id, clean[i] === 1])), (name) => budgetKey(metaOf.get(name)!));
  assert.deepEqual(Object.keys(worst).sort(), ['l2/0.5', 'linf/0.05', 'linf/0.1']);
  for (const [name, map] of correct) {
    const robustAccuracy = [...map.values()].filter(Boolean).length / count;
    assert.ok(worst[budgetKey(metaOf.get(name)!)!].robustAccuracy <= robustAccuracy + 1e-9);
  }
});

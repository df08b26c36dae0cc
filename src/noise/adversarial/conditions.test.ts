import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../util/rng.js';
import { makeTinyTask } from './testing/dataset.js';
import { adversarialConditions, budgetOfCondition, conditionName } from './conditions.js';
import { SPEC_SUITE } from './registry.js';
import { perturbationNorms } from './threat.js';
import { worstCaseByBudget } from '../../metrics/adversarial.js';
import { stillCorrect } from './suite.js';

const { model, test: data } = makeTinyTask();
const count = 12;
const images = data.images.slice(0, count * model.size), labels = data.labels.slice(0, count);

test('the spec suite becomes one condition per attack and budget, with parseable names', () => {
  const conditions = adversarialConditions(model);
  assert.equal(conditions.length, SPEC_SUITE.filter((e) => e.norm === 'linf').length * 4 + SPEC_SUITE.filter((e) => e.norm === 'l2').length * 3);
  assert.ok(conditions.some((c) => c.name === 'pgd/linf/4/255'));
  assert.ok(conditions.some((c) => c.name === 'cw/l2/0.5'));
  assert.equal(budgetOfCondition(conditionName('autoattack', 'linf', 4 / 255)), 'linf/4/255');
  assert.equal(budgetOfCondition('clean'), undefined);
  assert.equal(budgetOfCondition('gaussian_noise/3'), undefined);
});

test('conditions return ε-bounded images with per-sample bookkeeping, and WCAR comes from the records', async () => {
  const budgets = { linf: [0.05, 0.1], l2: [0.5], l1: [] };
  const conditions = adversarialConditions(model, {
    entries: [{ attack: 'pgd', norm: 'linf' }, { attack: 'fgsm', norm: 'linf' }, { attack: 'ddn', norm: 'l2' }, { attack: 'pgd', norm: 'l2' }],
    budgets, attackOptions: { steps: 10 },
  });
  const correct = new Map<string, Map<string, boolean>>();
  for (const c of conditions) {
    const { images: adv, extra } = await c.batchNoise.apply(images, labels, count, new Rng(1));
    for (const n of perturbationNorms(images, adv, count, c.norm)) assert.ok(n <= c.eps + 1e-5);
    assert.equal(extra.length, count);
    const ok = await stillCorrect(model, adv, labels, count);
    correct.set(c.name, new Map(Array.from(ok, (v, i) => [`s${i}`, v === 1])));
    if (c.attack === 'ddn') assert.ok('minimalNorm' in extra[0]);
  }
  const wcar = worstCaseByBudget(correct, budgetOfCondition);
  assert.deepEqual(Object.keys(wcar).sort(), ['l2/0.5', 'linf/0.05', 'linf/0.1']);
  for (const [name, map] of correct) {
    const ar = [...map.values()].filter(Boolean).length / count;
    assert.ok(wcar[budgetOfCondition(name)!] <= ar + 1e-9);
  }
});

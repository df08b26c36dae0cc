import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOLS, PAPER_MIM_STEP, PAPER_PGD_L1_STEP, PAPER_PGD_RELATIVE_STEP, resolveProtocol } from './protocols.js';
import { createAttack } from './registry.js';
import { makeTinyTask } from './testing/dataset.js';

test('robustart-paper resolves to the spec: attacks, three budgets each, PGD α = 0.075·ε, MIM step 0.002, PGD-L1 step 120', () => {
  const paper = resolveProtocol('robustart-paper');
  assert.equal(paper.protocol, 'robustart-paper');
  assert.equal(paper.quick, false);
  assert.deepEqual(paper.plans.map((p) => `${p.attack}:${p.norm}`), ['fgsm:linf', 'pgd:linf', 'pgd:l2', 'mim:linf', 'pgd:l1', 'ddn:l2', 'autoattack:linf']);
  const budgets = Object.fromEntries(paper.plans.map((p) => [`${p.attack}:${p.norm}`, p.epsilons]));
  assert.deepEqual(budgets['pgd:linf'], [0.5 / 255, 2 / 255, 8 / 255]);
  assert.deepEqual(budgets['pgd:l2'], [0.5, 2, 8]);
  assert.deepEqual(budgets['pgd:l1'], [100, 400, 1600]);
  assert.equal(PAPER_PGD_RELATIVE_STEP, 0.075);
  assert.equal(PAPER_MIM_STEP, 0.002);
  assert.equal(PAPER_PGD_L1_STEP, 120);
  const { model } = makeTinyTask({ trainCount: 20, epochs: 1 });
  const pgd = paper.plans[1];
  const attack = createAttack(model, pgd.attack, { ...pgd.options, norm: pgd.norm, eps: 8 / 255 });
  assert.equal(attack.settings.steps, 20);
  assert.ok(Math.abs((attack.settings.stepSize as number) - 0.075 * 8 / 255) < 1e-12);
  assert.equal(attack.settings.randomStart, true);
  const mim = paper.plans[3];
  assert.equal(createAttack(model, 'mim', { ...mim.options, norm: 'linf', eps: 2 / 255 }).settings.stepSize, 0.002);
});

test('explicit settings override a protocol field by field; the protocol name stays', () => {
  const steps = resolveProtocol('robustart-paper', { attackOptions: { steps: 3 } });
  assert.ok(steps.plans.every((p) => p.options?.steps === 3));
  assert.equal(steps.plans.find((p) => p.attack === 'pgd')!.options!.relativeStepSize, 0.075, 'fields not given keep the protocol value');
  const abs = resolveProtocol('robustart-paper', { attackOptions: { stepSize: 0.01 } });
  assert.equal(abs.plans.find((p) => p.attack === 'pgd')!.options!.relativeStepSize, undefined, 'an absolute step replaces the relative one');
  const only = resolveProtocol('robustart-paper', { attacks: [{ attack: 'pgd', norm: 'l2' }], epsilons: [1] });
  assert.deepEqual(only.plans.map((p) => [p.attack, p.norm, p.epsilons]), [['pgd', 'l2', [1]]]);
  assert.equal(only.plans[0].options!.steps, 20);
  assert.equal(only.protocol, 'robustart-paper');
  assert.throws(() => resolveProtocol('paper'), /unknown adversarial protocol 'paper'; choose one of robustart-paper, robustbench, quick/);
});

test('robustbench and quick fix their attack, budget, headline metric and subset', () => {
  const bench = PROTOCOLS.robustbench;
  assert.equal(bench.headline, 'robust_accuracy');
  assert.deepEqual(bench.plans, [{ attack: 'autoattack', norm: 'linf', epsilons: [4 / 255] }]);
  assert.deepEqual(bench.subset, { kind: 'ids', file: 'data/robustbench/imagenet_test_image_ids.txt', count: 5000 });
  const quick = PROTOCOLS.quick;
  assert.equal(quick.quick, true);
  assert.deepEqual(quick.subset, { kind: 'seeded', count: 500, seed: 0 });
  assert.deepEqual(quick.plans.map((p) => [p.attack, p.epsilons]), [['pgd', [2 / 255]], ['fgsm', [2 / 255]]]);
  assert.equal(quick.plans[0].options?.steps, 10);
});

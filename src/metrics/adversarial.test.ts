import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, summarizeAttack, worstCaseRobustness, conditionalAccuracy, worstCaseByBudget } from './adversarial.js';

const u8 = (...v: number[]) => Uint8Array.from(v);

test('AR, success rate and queries per success from per-sample flags', () => {
  const clean = u8(1, 1, 1, 0);
  const s = summarizeAttack(clean, { robust: u8(1, 0, 0, 0), queries: Int32Array.of(100, 20, 40, 1), kind: 'score-based' });
  assert.equal(s.cleanAccuracy, 0.75);
  assert.equal(s.robustAccuracy, 0.25);
  assert.equal(s.attackSuccessRate, 2 / 3);
  assert.equal(s.queriesPerSuccess, 30); // the clean-wrong sample is no success of the attack
  assert.equal(s.meanQueries, 161 / 4);
  const white = summarizeAttack(clean, { robust: u8(1, 0, 0, 0), queries: Int32Array.of(1, 1, 1, 1), kind: 'white-box' });
  assert.equal(white.queriesPerSuccess, undefined);
});

test('median norm of a minimum-norm attack counts samples it never fooled as infinitely far', () => {
  const clean = u8(1, 1, 1, 1, 0);
  const s = summarizeAttack(clean, { robust: u8(0, 0, 1, 1, 0), queries: new Int32Array(5), minimalNorms: Float32Array.of(0.1, 0.3, Infinity, Infinity, 0), kind: 'white-box' });
  assert.equal(s.medianNorm, Infinity);
  assert.ok(Math.abs(s.medianNormOfSuccesses! - 0.2) < 1e-6);
  assert.equal(median([3, 1, 2]), 2);
});

test('WCAR is the per-sample AND over attacks among clean-correct samples; worst-case robust accuracy counts every sample', () => {
  const a = u8(1, 1, 0, 1, 1, 0), b = u8(1, 0, 1, 1, 1, 0), c = u8(1, 1, 1, 0, 1, 0);
  const clean = u8(1, 1, 1, 1, 1, 0);
  const { wcar, robustAccuracy, robust } = worstCaseRobustness([a, b, c], clean);
  assert.deepEqual(robust, u8(1, 0, 0, 0, 1, 0));
  assert.equal(wcar, 2 / 5);
  assert.equal(robustAccuracy, 2 / 6);
  for (const r of [a, b, c]) assert.ok(wcar <= conditionalAccuracy(r, clean));
});

test('AR is conditional on clean-correct samples (RobustART), robust accuracy is not (RobustBench)', () => {
  // 4 samples, 2 clean-correct; the attack leaves one of those correct, and one clean mistake is "correct" after it.
  const clean = u8(1, 1, 0, 0);
  const s = summarizeAttack(clean, { robust: u8(1, 0, 1, 0), queries: new Int32Array(4), kind: 'white-box' });
  assert.equal(s.ar, 0.5);
  assert.equal(s.robustAccuracy, 0.5);
  assert.equal(s.attackSuccessRate, 0.5);
  const t = summarizeAttack(u8(1, 1, 1, 0), { robust: u8(1, 1, 0, 0), queries: new Int32Array(4), kind: 'white-box' });
  assert.ok(Math.abs(t.ar - 2 / 3) < 1e-12);
  assert.equal(t.robustAccuracy, 0.5);
  const byBudget = worstCaseByBudget(
    new Map([['pgd', new Map([['a', true], ['b', false], ['c', true]])], ['fgsm', new Map([['a', true], ['b', true], ['c', true]])]]),
    new Map([['a', true], ['b', true], ['c', false]]), () => 'linf/1/255',
  );
  assert.equal(byBudget['linf/1/255'].wcar, 0.5);
  assert.ok(Math.abs(byBudget['linf/1/255'].robustAccuracy - 2 / 3) < 1e-12);
});

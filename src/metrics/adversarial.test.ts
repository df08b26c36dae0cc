import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, summarizeAttack, worstCaseRobustness } from './adversarial.js';

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

test('WCAR is the per-sample AND over attacks, never above any single AR', () => {
  const a = u8(1, 1, 0, 1, 1), b = u8(1, 0, 1, 1, 1), c = u8(1, 1, 1, 0, 1);
  const { wcar, robust } = worstCaseRobustness([a, b, c]);
  assert.deepEqual(robust, u8(1, 0, 0, 0, 1));
  assert.equal(wcar, 0.4);
  for (const r of [a, b, c]) assert.ok(wcar <= r.reduce((x, y) => x + y, 0) / r.length);
});

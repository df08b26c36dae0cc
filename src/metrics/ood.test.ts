import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anomalyScore, areaUnderRoc, averagePrecision } from './ood.js';

test('average precision: 1 for perfect separation, step-wise sum otherwise (sklearn semantics)', () => {
  assert.equal(averagePrecision([0.9, 0.8], [0.1, 0.2]), 1);
  // Ranking: P(0.9) N(0.8) P(0.7) N(0.1): precision at recall 0.5 is 1, at recall 1 is 2/3.
  assert.ok(Math.abs(averagePrecision([0.9, 0.7], [0.8, 0.1]) - (0.5 * 1 + 0.5 * (2 / 3))) < 1e-12);
  // All scores tied: a single threshold, precision = base rate.
  assert.ok(Math.abs(averagePrecision([0.5, 0.5], [0.5, 0.5, 0.5, 0.5]) - 1 / 3) < 1e-12);
});

test('AUROC is the probability a positive outscores a negative', () => {
  assert.equal(areaUnderRoc([0.9, 0.8], [0.1, 0.2]), 1);
  assert.equal(areaUnderRoc([0.1], [0.9]), 0);
  assert.equal(areaUnderRoc([0.9, 0.7], [0.8, 0.1]), 0.75);
  assert.equal(areaUnderRoc([0.5], [0.5]), 0.5);
});

test('anomaly score is the negative maximum softmax probability', () => {
  // A confident prediction is less anomalous than an unsure one.
  assert.ok(anomalyScore(0.95) < anomalyScore(0.3));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { softmax, topK, predictionsFromLogits, classificationMetrics, expectedCalibrationError, reliabilityBins, type Prediction } from './classification.js';

test('softmax is stable for huge logits and sums to one', () => {
  const p = softmax([1000, 1001, 1002]);
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  assert.ok(Math.abs(p[2] - 1 / (1 + Math.exp(-1) + Math.exp(-2))) < 1e-12);
});

test('topK returns the largest first, lower index first on ties', () => {
  assert.deepEqual(topK([0.1, 0.5, 0.3, 0.5, 0.2], 3), [1, 3, 2]);
  assert.deepEqual(topK([3, 1], 5), [0, 1]);
});

test('predictions from logits', () => {
  const logits = Float32Array.from([0, 0, Math.log(2), 5, 0, 0]);
  const [a, b] = predictionsFromLogits(logits, [0, 0], 3);
  assert.deepEqual(a.top5, [2, 0, 1]);
  assert.ok(Math.abs(a.confidence - 0.5) < 1e-6);
  assert.ok(Math.abs(a.trueProbability - 0.25) < 1e-6);
  assert.deepEqual(b.top5[0], 0);
});

const p = (label: number, top: number[], confidence: number, trueProbability: number): Prediction => ({ label, top5: top, confidence, trueProbability });

test('top-1, top-5, NLL and per-class accuracy by hand', () => {
  const preds = [p(0, [0, 1], 0.9, 0.9), p(1, [0, 1], 0.6, 0.4), p(1, [1, 0], 0.7, 0.7), p(2, [0, 1], 0.5, 0)];
  const m = classificationMetrics(preds);
  assert.equal(m.top1, 0.5);
  assert.equal(m.top5, 0.75);
  const expectedNll = (-Math.log(0.9) - Math.log(0.4) - Math.log(0.7) - Math.log(1e-12)) / 4;
  assert.ok(Math.abs(m.nll - expectedNll) < 1e-12);
  assert.deepEqual(m.perClassAccuracy, { 0: 1, 1: 0.5, 2: 0 });
});

test('ECE with 15 bins by hand', () => {
  // Confidences 0.95 (right), 0.95 (wrong) share bin 15: |0.5 - 0.95| * 2/4;
  // 0.5 (right) in bin 8: |1 - 0.5| * 1/4; 0.1 (wrong) in bin 2: |0 - 0.1| * 1/4.
  const preds = [p(0, [0], 0.95, 0.95), p(0, [1], 0.95, 0.01), p(1, [1], 0.5, 0.5), p(0, [2], 0.1, 0.05)];
  const expected = 0.5 * 0.45 + 0.25 * 0.5 + 0.25 * 0.1;
  assert.ok(Math.abs(expectedCalibrationError(preds) - expected) < 1e-12);
  const bins = reliabilityBins(preds);
  assert.equal(bins.length, 15);
  assert.equal(bins[14].count, 2);
  assert.equal(bins[7].count, 1); // 0.5 is in (7/15, 8/15]
  assert.equal(bins[1].count, 1); // 0.1 is in (1/15, 2/15]
});

test('a perfectly calibrated set has ECE 0 and an empty set NaN', () => {
  const preds = [p(0, [0], 0.5, 0.5), p(0, [1], 0.5, 0.2)];
  assert.equal(expectedCalibrationError(preds), 0);
  assert.ok(Number.isNaN(expectedCalibrationError([])));
});

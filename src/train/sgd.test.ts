import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sgd, cosineLearningRate } from './sgd.js';

test('SGD with momentum and weight decay follows torch.optim.SGD step by step', () => {
  const sgd = new Sgd({ learningRate: 0.1, momentum: 0.9, weightDecay: 0.01 });
  const w = Float32Array.of(1, -2);
  // step 1: g' = g + wd w = [0.5+0.01, 0.25-0.02]; buf = g'; w -= 0.1 buf
  sgd.step('w', w, Float32Array.of(1, 0.5), 0.1, 0.5, true);
  assert.ok(Math.abs(w[0] - (1 - 0.1 * 0.51)) < 1e-6 && Math.abs(w[1] - (-2 - 0.1 * 0.23)) < 1e-6);
  const w1 = Float32Array.from(w);
  // step 2: buf = 0.9 buf + (g + wd w)
  sgd.step('w', w, Float32Array.of(0, 0), 0.1, 1, true);
  const buf0 = 0.9 * 0.51 + 0.01 * w1[0];
  assert.ok(Math.abs(w[0] - (w1[0] - 0.1 * buf0)) < 1e-6);
  const b = Float32Array.of(3);
  sgd.step('b', b, Float32Array.of(0), 0.1, 1, false);
  assert.equal(b[0], 3, 'no decay on excluded tensors');
});

test('cosine schedule: linear warm-up, peak, half-cosine to zero', () => {
  assert.ok(Math.abs(cosineLearningRate(1, 0, 100, 10) - 0.1) < 1e-12);
  assert.ok(Math.abs(cosineLearningRate(1, 9, 100, 10) - 1) < 1e-12);
  assert.ok(Math.abs(cosineLearningRate(1, 10, 100, 10) - 1) < 1e-12);
  assert.ok(Math.abs(cosineLearningRate(1, 55, 100, 10) - 0.5) < 1e-12);
  assert.ok(cosineLearningRate(1, 100, 100, 10) < 1e-12);
});

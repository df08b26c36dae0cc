import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sgd, AdamW, clipGradientNorm, decays, createOptimizer } from './optimizer.js';
import { learningRateAt } from './schedule.js';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('SGD with momentum and L2 decay follows torch.optim.SGD step by step', () => {
  const sgd = new Sgd({ kind: 'sgd', momentum: 0.9, nesterov: false, weightDecay: 0.1 });
  const w = Float32Array.of(1);
  sgd.step('w', w, Float32Array.of(0.5), 0.1, true);
  close(w[0], 0.94); // g' = 0.5 + 0.1·1 = 0.6, buf = 0.6
  sgd.step('w', w, Float32Array.of(0.5), 0.1, true);
  close(w[0], 0.8266); // g' = 0.5 + 0.094 = 0.594, buf = 0.54 + 0.594 = 1.134
});

test('Nesterov SGD steps along g + μ·buf; excluded parameters get no decay', () => {
  const sgd = new Sgd({ kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 0.1 });
  const w = Float32Array.of(1);
  sgd.step('w', w, Float32Array.of(0.5), 0.1, true);
  close(w[0], 0.886); // 0.6 + 0.9·0.6 = 1.14
  const b = Float32Array.of(1);
  sgd.step('b', b, Float32Array.of(0.5), 0.1, false);
  close(b[0], 1 - 0.1 * (0.5 + 0.45));
});

test('AdamW decouples weight decay and bias-corrects its moments', () => {
  const adam = new AdamW({ kind: 'adamw', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 });
  const w = Float32Array.of(1);
  adam.step('w', w, Float32Array.of(0.5), 0.1, true);
  close(w[0], 0.899, 1e-6); // w·(1 − lr·wd) = 0.999, then − lr·m̂/√v̂ = −0.1·0.5/0.5
  adam.step('w', w, Float32Array.of(-0.5), 0.1, true);
  // m = 0.9·0.05 − 0.05 = −0.005, v = 0.999·0.00025 + 0.00025; m̂ = −0.005/0.19, v̂ = v/(1 − 0.999²)
  const m = -0.005 / 0.19;
  const v = (0.999 * 0.00025 + 0.00025) / (1 - 0.999 ** 2);
  close(w[0], 0.899 * (1 - 0.001) - (0.1 * m) / (Math.sqrt(v) + 1e-8), 1e-6);
});

test('optimizer state round-trips (checkpoints): a restored optimizer continues identically', () => {
  const a = createOptimizer({ kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 1e-4 });
  const w1 = Float32Array.of(1, 2);
  a.step('w', w1, Float32Array.of(0.3, -0.2), 0.1, true);
  const b = createOptimizer({ kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 1e-4 });
  b.restore(a.state());
  const w2 = w1.slice();
  a.step('w', w1, Float32Array.of(0.1, 0.4), 0.1, true);
  b.step('w', w2, Float32Array.of(0.1, 0.4), 0.1, true);
  assert.deepEqual(Array.from(w2), Array.from(w1));
});

test('no_wd: biases and norm parameters (1-d) and named parameters are not decayed', () => {
  assert.equal(decays([16, 3, 3, 3], 'conv_w'), true);
  assert.equal(decays([16], 'conv_b'), false);
  assert.equal(decays([64], 'ln_gamma'), false);
  assert.equal(decays([1, 5, 64], 'pos_embed', [/pos_embed/]), false);
  assert.equal(decays([64, 64], 'fc_w', [/pos_embed/]), true);
});

test('gradient clipping scales the global L2 norm down to the limit and leaves small gradients alone', () => {
  const g = [Float32Array.of(3), Float32Array.of(4)];
  assert.equal(clipGradientNorm(g, 1), 5);
  close(Math.hypot(g[0][0], g[1][0]), 1, 1e-5);
  close(g[0][0] / g[1][0], 0.75);
  const small = [Float32Array.of(0.3, 0.4)];
  clipGradientNorm(small, 1);
  assert.deepEqual(Array.from(small[0]), [Math.fround(0.3), Math.fround(0.4)]);
});

test('warm-up rises linearly from base_lr to warmup_lr, then cosine to min_lr (the spec CNN recipe: 0.1 -> 0.4 -> 0)', () => {
  const s = { baseLr: 0.1, warmupLr: 0.4, minLr: 0, warmupSteps: 2, totalSteps: 10 };
  close(learningRateAt(s, 0), 0.1);
  close(learningRateAt(s, 1), 0.25);
  close(learningRateAt(s, 2), 0.4);
  close(learningRateAt(s, 6), 0.2); // half-way through the cosine
  close(learningRateAt(s, 10), 0);
  const floor = { ...s, minLr: 0.01 };
  close(learningRateAt(floor, 6), 0.01 + 0.5 * 0.39);
  close(learningRateAt(floor, 10), 0.01);
});

test('a summed gradient with its row count updates exactly as the gradient averaged beforehand (SGD and AdamW)', () => {
  const rows = 7;
  const summed = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i + 1) * 3.3);
  const averaged = summed.map((g) => g / rows);
  for (const settings of [{ kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 1e-4 }, { kind: 'adamw', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 }] as const) {
    const [fused, reference] = [createOptimizer(settings), createOptimizer(settings)];
    const [a, b] = [Float32Array.from(summed, (_, i) => Math.cos(i)), Float32Array.from(summed, (_, i) => Math.cos(i))];
    for (let step = 0; step < 3; step++) {
      fused.step('w', a, summed, 0.1, true, rows);
      reference.step('w', b, averaged, 0.1, true);
    }
    assert.deepEqual(a, b, settings.kind);
    assert.notDeepEqual(a, Float32Array.from(summed, (_, i) => Math.cos(i)), `${settings.kind} moved the weights`);
  }
});

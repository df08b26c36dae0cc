import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../util/rng.js';
import { smoothedTargets, mixTargets, mixupImages, cutMixImages, cutMixBox, mixBatch, sampleBeta, softmaxAtTemperature } from './targets.js';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('label smoothing: true class 1 − ε + ε/K, others ε/K (ε = 0.1, K = 10)', () => {
  const t = smoothedTargets([3, 0], 10, 0.1);
  close(t[3], 0.91);
  close(t[0], 0.01);
  close(t[10], 0.91);
  close(t[13], 0.01);
  close(t.slice(0, 10).reduce((a, b) => a + b, 0), 1, 1e-5);
  assert.deepEqual(Array.from(smoothedTargets([1], 3, 0)), [0, 1, 0]);
});

test('Mixup pairs sample i with sample n−1−i: x = λ·x_i + (1 − λ)·x_partner, targets likewise', () => {
  const images = Float32Array.of(1, 1, 0, 0, 5, 5); // three samples of two values
  const mixed = mixupImages(images, 3, 0.3);
  close(mixed[0], 0.3 * 1 + 0.7 * 5);
  close(mixed[2], 0); // the middle sample is its own partner
  close(mixed[4], 0.3 * 5 + 0.7 * 1);
  const targets = mixTargets(smoothedTargets([0, 1, 2], 3, 0), 3, 3, 0.3);
  assert.deepEqual(Array.from(targets.slice(0, 3)).map((v) => Math.round(v * 10) / 10), [0.3, 0, 0.7]);
});

test('CutMix pastes the partner box and λ is 1 − box area / image area', () => {
  const images = new Float32Array(2 * 1 * 4 * 4);
  images.fill(1, 16); // sample 1 all ones, sample 0 all zeros
  const { images: out, lambda } = cutMixImages(images, 2, 1, 4, 4, { y0: 0, y1: 2, x0: 1, x1: 3 });
  close(lambda, 1 - 4 / 16);
  assert.deepEqual(Array.from(out.slice(0, 16)), [0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(out.slice(16).filter((v) => v === 0).length, 4);
});

test('CutMix box: side √(1 − λ) of the image, clipped to it', () => {
  const rng = new Rng(5);
  for (let i = 0; i < 50; i++) {
    const b = cutMixBox(rng, 32, 32, 0.75);
    assert.ok(b.y0 >= 0 && b.y1 <= 32 && b.x0 >= 0 && b.x1 <= 32 && b.y1 - b.y0 <= 16 && b.x1 - b.x0 <= 16);
  }
  const centred = cutMixBox({ int: () => 16 } as unknown as Rng, 32, 32, 0.75);
  assert.deepEqual(centred, { y0: 8, y1: 24, x0: 8, x1: 24 });
});

test('per-batch switch: Mixup when u > 0.5 else CutMix, about half each; CutMix λ follows the box', () => {
  const shape = { batch: 2, channels: 1, height: 8, width: 8, classes: 2 };
  const images = new Float32Array(128).fill(1, 64);
  const targets = smoothedTargets([0, 1], 2, 0);
  let mixups = 0;
  for (let seed = 0; seed < 400; seed++) {
    const rng = new Rng(seed);
    const u = new Rng(seed).uniform();
    const r = mixBatch(rng, { mixupAlpha: 0.2, cutmixAlpha: 1, switchProbability: 0.5 }, images, targets, shape);
    assert.equal(r.kind, u > 0.5 ? 'mixup' : 'cutmix');
    if (r.kind === 'mixup') mixups++;
    else {
      const pasted = r.images.slice(0, 64).filter((v) => v === 1).length;
      close(r.lambda, 1 - pasted / 64);
    }
    close(r.targets[0], r.lambda, 1e-6);
  }
  assert.ok(mixups > 160 && mixups < 240, `${mixups} mixups of 400`);
});

test('Beta(α, α) draws have the distribution\'s mean and variance (α = 0.2: var = 1/(4(2α+1)))', () => {
  const rng = new Rng(1);
  const n = 20000;
  const draws = Array.from({ length: n }, () => sampleBeta(rng, 0.2, 0.2));
  const mean = draws.reduce((a, b) => a + b, 0) / n;
  const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  close(mean, 0.5, 0.015);
  close(variance, 1 / (4 * 1.4), 0.01);
});

test('teacher distribution at temperature T is softmax(t / T)', () => {
  const p = softmaxAtTemperature(Float32Array.of(2, 0), 2, 2);
  close(p[0], 1 / (1 + Math.exp(-1)));
  close(p[0] + p[1], 1);
});

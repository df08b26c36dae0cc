import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WeightEma } from './ema.js';

test('EMA: ema = d·ema + (1 − d)·w after each step, for every tensor (BN statistics included)', () => {
  const weights = new Map([['w', Float32Array.of(1, 2)], ['bn_mean', Float32Array.of(0)]]);
  const ema = new WeightEma(0.9, weights);
  weights.get('w')!.set([0, 0]);
  weights.get('bn_mean')!.set([1]);
  ema.update(weights);
  assert.deepEqual(Array.from(ema.shadow.get('w')!).map((v) => Math.round(v * 1e6) / 1e6), [0.9, 1.8]);
  assert.equal(Math.round(ema.shadow.get('bn_mean')![0] * 1e6) / 1e6, 0.1);
  ema.update(weights);
  assert.equal(Math.round(ema.shadow.get('bn_mean')![0] * 1e6) / 1e6, 0.19);
  assert.equal(Math.round(ema.shadow.get('w')![0] * 1e6) / 1e6, 0.81);
});

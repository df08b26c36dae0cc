import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hypotOf, maxOf, minOf } from './array.js';
import { Rng } from './rng.js';

test('maxOf / minOf agree with Math.max / Math.min and take arrays far beyond the argument limit', () => {
  assert.equal(maxOf([3, -1, 7, 2]), 7);
  assert.equal(minOf([3, -1, 7, 2]), -1);
  assert.equal(maxOf([]), -Infinity);
  assert.equal(minOf([]), Infinity);
  assert.ok(Number.isNaN(maxOf([1, NaN, 2])));
  assert.ok(Number.isNaN(minOf([1, NaN, 2])));
  const big = new Float32Array(2_000_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 1_000_003;
  big[1_234_567] = 5_000_000;
  big[42] = -3;
  assert.throws(() => Math.max(...big), RangeError); // what the loop avoids
  assert.equal(maxOf(big), 5_000_000);
  assert.equal(minOf(big), -3);
});

test('hypotOf equals Math.hypot bit for bit and takes a 224×224 RGB image, which Math.hypot(...v) cannot', () => {
  const rng = new Rng(5);
  for (let t = 0; t < 300; t++) {
    const scale = 10 ** (rng.uniform() * 20 - 10);
    const v = Float64Array.from({ length: 1 + rng.int(3000) }, () => (rng.uniform() - 0.5) * scale * (rng.uniform() < 0.1 ? 1e3 : 1));
    assert.equal(hypotOf(v), Math.hypot(...v));
  }
  assert.equal(hypotOf([]), 0);
  assert.equal(hypotOf([0, -0]), 0);
  assert.equal(hypotOf([3, -4]), 5);
  assert.ok(Number.isNaN(hypotOf([1, NaN])));
  assert.equal(hypotOf([NaN, -Infinity]), Infinity);
  const image = new Float32Array(3 * 224 * 224).fill(0.5);
  assert.throws(() => Math.hypot(...image), RangeError); // what the loop avoids
  assert.ok(Math.abs(hypotOf(image) - 0.5 * Math.sqrt(image.length)) < 1e-9);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxOf, minOf } from './array.js';

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

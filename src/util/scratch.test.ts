// Reused work buffers: zeroed on every request, one buffer per purpose, grown when a larger one is asked for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scratch } from './scratch.js';

test('scratch arrays are zeroed each time, shared per purpose, separate across purposes, and grow', () => {
  const a = scratch('test.a', Float32Array, 8);
  a.fill(3);
  const again = scratch('test.a', Float32Array, 8);
  assert.equal(again.buffer, a.buffer);
  assert.deepEqual(Array.from(again), new Array(8).fill(0));
  const other = scratch('test.b', Int32Array, 8);
  assert.notEqual(other.buffer, a.buffer);
  const smaller = scratch('test.a', Uint8Array, 5);
  assert.equal(smaller.length, 5);
  assert.equal(smaller.buffer, a.buffer);
  const larger = scratch('test.a', Float64Array, 100);
  assert.equal(larger.length, 100);
  assert.ok(larger.buffer.byteLength >= 800);
  assert.deepEqual(Array.from(larger), new Array(100).fill(0));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, rngFor, hashString } from './rng.js';

test('the same seed gives the same stream; another seed another', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const draws = (r: Rng) => Array.from({ length: 20 }, () => r.nextUint32());
  const da = draws(a);
  assert.deepEqual(da, draws(b));
  assert.notDeepEqual(da, draws(c));
  assert.ok(da.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32));
});

test('bulk fills give exactly the values of repeated single draws', () => {
  const one = new Rng(7);
  const bulk = new Rng(7);
  assert.deepEqual(Array.from(bulk.fillUniform(new Float32Array(9), -1, 3)), Array.from({ length: 9 }, () => Math.fround(-1 + 4 * one.uniform())));
  assert.deepEqual(Array.from(bulk.fillInt(new Int32Array(9), 1000)), Array.from({ length: 9 }, () => one.int(1000)));
  one.normal(); // leaves a spare, as does an odd-length fill
  bulk.fillNormal(new Float32Array(1));
  assert.deepEqual(Array.from(bulk.fillNormal(new Float32Array(5), 2, 3)), Array.from({ length: 5 }, () => Math.fround(one.normal(2, 3))));
  // A fill over several blocks of pairs, ending on an odd value (its spare carried into the next fill).
  assert.deepEqual(Array.from(bulk.fillNormal(new Float32Array(2501), -1, 0.5)), Array.from({ length: 2501 }, () => Math.fround(one.normal(-1, 0.5))));
  assert.deepEqual(Array.from(bulk.fillNormal(new Float32Array(3))), Array.from({ length: 3 }, () => Math.fround(one.normal())));
  assert.equal(bulk.nextUint32(), one.nextUint32());
});

test('normal and uniform draws have the right moments', () => {
  const rng = new Rng(1);
  const n = 200_000;
  const x = rng.fillNormal(new Float32Array(n), 1, 2);
  const mean = x.reduce((s, v) => s + v, 0) / n;
  const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
  assert.ok(Math.abs(mean - 1) < 0.02, `mean ${mean}`);
  assert.ok(Math.abs(Math.sqrt(variance) - 2) < 0.02, `std ${Math.sqrt(variance)}`);
  let poisson = 0;
  for (let i = 0; i < 20_000; i++) poisson += rng.poisson(4);
  assert.ok(Math.abs(poisson / 20_000 - 4) < 0.06);
});

test('per-sample streams depend on (seed, keys) only; streams and forks are independent of each other', () => {
  assert.equal(rngFor(3, hashString('fog/3'), hashString('a.jpg')).nextUint32(), rngFor(3, hashString('fog/3'), hashString('a.jpg')).nextUint32());
  assert.notEqual(rngFor(3, 1, 2).nextUint32(), rngFor(3, 2, 1).nextUint32());
  const base = new Rng(5);
  const s1 = base.stream().nextUint32();
  const s2 = base.stream().nextUint32();
  assert.notEqual(s1, s2);
  assert.deepEqual(new Rng(9).shuffle([1, 2, 3, 4, 5]).sort(), [1, 2, 3, 4, 5]);
});

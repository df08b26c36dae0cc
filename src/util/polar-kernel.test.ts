import { test } from 'node:test';
import assert from 'node:assert/strict';
import { POLAR_BLOCK, polarBlock } from './polar-kernel.js';
import { Rng } from './rng.js';

/** q values that reach every branch of fdlibm's log: powers of two and their neighbours (|f| < 2^-20, f = 0),
 * both sides of the sqrt(2) renormalisation and of the 0x6147a / 0x6b851 split, and random ones. */
function hardValues(): number[] {
  const values: number[] = [];
  const rng = new Rng(5);
  for (let e = 1; e <= 62; e++) {
    const p = 2 ** -e;
    for (const d of [0, 1, 2, 3, 2 ** 20, 2 ** 31, 2 ** 32 - 1, 2 ** 32 + 1, 2 ** 40]) values.push(p * (1 + d * 2 ** -52), p * (1 - d * 2 ** -53));
    for (const m of [Math.SQRT1_2, 1 + 0x6147a / 2 ** 20, 1 + 0x6b851 / 2 ** 20, 1 + 0x95f64 / 2 ** 20 - 0.5]) {
      for (const d of [-2, -1, 0, 1, 2]) values.push(p * m * (1 + d * 2 ** -40));
    }
  }
  for (let i = 0; i < 5000; i++) values.push(rng.uniform() || 0.5, rng.uniform() ** 8 || 0.5);
  return values.filter((q) => q > 0 && q < 1);
}

test('the kernel logarithm equals Math.log bit for bit on q in (0, 1)', () => {
  const block = polarBlock();
  const values = hardValues();
  for (let at = 0; at < values.length; at += POLAR_BLOCK) {
    const chunk = values.slice(at, at + POLAR_BLOCK);
    block.q.set(chunk);
    const logs = block.logs(chunk.length);
    chunk.forEach((q, j) => assert.ok(Object.is(logs[j], Math.log(q)), `ln(${q}): ${logs[j]} against ${Math.log(q)}`));
  }
});

test('the transform gives mean + std * u * m and mean + std * v * m as float32, two pairs at a time', () => {
  const block = polarBlock();
  const rng = new Rng(9);
  const values = hardValues().slice(0, POLAR_BLOCK - 1); // an odd count: the last step has one real pair
  values.forEach((q, p) => {
    block.q[p] = q;
    block.u[p] = rng.uniform() * 2 - 1;
    block.v[p] = rng.uniform() * 2 - 1;
  });
  for (const [mean, std] of [[0, 1], [0.65, 0.3], [-1, 0.08]]) {
    block.transform(values.length, mean, std);
    values.forEach((q, p) => {
      const m = Math.sqrt((-2 * Math.log(q)) / q);
      assert.equal(block.out[2 * p], Math.fround(mean + std * block.u[p] * m));
      assert.equal(block.out[2 * p + 1], Math.fround(mean + std * block.v[p] * m));
    });
  }
});

// The diamond-square plasma against its definition written with wrapped (modulo) reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../util/rng.js';
import { plasmaFractal } from './plasma.js';

/** Diamond-square with every read wrapped by modulo, one uniform draw per new point in the same order. */
function directPlasma(n: number, decay: number, rng: Rng): Float32Array {
  const map = new Float64Array(n * n);
  const stream = rng.stream();
  const at = (y: number, x: number) => map[(((y % n) + n) % n) * n + (((x % n) + n) % n)];
  let wibble = 100;
  const next = (sum: number) => sum / 4 + wibble * (2 * wibble * stream.uniform() - wibble);
  for (let step = n; step >= 2; step >>= 1, wibble /= decay) {
    const half = step >> 1;
    for (let y = 0; y < n; y += step) for (let x = 0; x < n; x += step) map[(y + half) * n + x + half] = next(at(y, x) + at(y + step, x) + at(y, x + step) + at(y + step, x + step));
    for (let y = 0; y < n; y += step) for (let x = 0; x < n; x += step) map[y * n + x + half] = next(at(y + half, x + half) + at(y - half, x + half) + at(y, x) + at(y, x + step));
    for (let y = 0; y < n; y += step) for (let x = 0; x < n; x += step) map[(y + half) * n + x] = next(at(y + half, x + half) + at(y + half, x - half) + at(y, x) + at(y + step, x));
  }
  let min = Infinity, max = -Infinity;
  for (const v of map) [min, max] = [Math.min(min, v), Math.max(max, v)];
  return Float32Array.from(map, (v) => (v - min) / (max - min || 1));
}

test('plasma fractal equals the modulo-wrapped diamond-square bit for bit', () => {
  for (const [n, decay, seed] of [[2, 2, 1], [8, 1.7, 2], [64, 1.4, 3], [256, 2, 4]] as const) {
    assert.deepEqual(plasmaFractal(n, decay, new Rng(seed)), directPlasma(n, decay, new Rng(seed)), `size ${n}`);
  }
});

// Diamond-square plasma fractal on a toroidal square grid, the field behind ImageNet-C's fog (and the
// low-frequency haze of the procedural frost). Follows the algorithm of make_imagenet_c.py: start at 0,
// each level fills square centres then diamond points with the mean of their 4 neighbours plus
// wibble * U(-wibble, wibble), wibble starting at 100 and divided by `wibbleDecay` per level; normalised to [0,1].
import type { Rng } from '../../util/rng.js';
import { scratch } from '../../util/scratch.js';

export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export function plasmaFractal(mapSize: number, wibbleDecay: number, rng: Rng): Float32Array {
  if (mapSize < 2 || (mapSize & (mapSize - 1)) !== 0) throw new RangeError(`plasma map size ${mapSize} is not a power of two >= 2`);
  const n = mapSize;
  const map = scratch('plasma.map', Float64Array, n * n);
  let step = n;
  let wibble = 100;
  const stream = rng.stream();
  // The grid wraps around; n is a power of two, so i & mask is i mod n, negative i included.
  const mask = n - 1;
  while (step >= 2) {
    const half = step >> 1;
    // Each new point is the mean of its four neighbours plus wibble * U(-wibble, wibble), one draw per point in
    // this order. Square step: centre of each square = mean of its four corners.
    for (let y = 0; y < n; y += step) {
      const row = y * n, below = ((y + step) & mask) * n;
      for (let x = 0; x < n; x += step) {
        const right = (x + step) & mask;
        const sum = map[row + x] + map[below + x] + map[row + right] + map[below + right];
        map[(y + half) * n + x + half] = sum / 4 + wibble * (2 * wibble * stream.uniform() - wibble);
      }
    }
    // Diamond step, points on the corner rows (between two corners horizontally, two centres vertically)...
    for (let y = 0; y < n; y += step) {
      const row = y * n, centres = (y + half) * n, above = ((y - half) & mask) * n;
      for (let x = 0; x < n; x += step) {
        const sum = map[centres + x + half] + map[above + x + half] + map[row + x] + map[row + ((x + step) & mask)];
        map[row + x + half] = sum / 4 + wibble * (2 * wibble * stream.uniform() - wibble);
      }
    }
    // ...then points on the centre rows (between two centres horizontally, two corners vertically).
    for (let y = 0; y < n; y += step) {
      const row = y * n, centres = (y + half) * n, below = ((y + step) & mask) * n;
      for (let x = 0; x < n; x += step) {
        const sum = map[centres + x + half] + map[centres + ((x - half) & mask)] + map[row + x] + map[below + x];
        map[centres + x] = sum / 4 + wibble * (2 * wibble * stream.uniform() - wibble);
      }
    }
    step = half;
    wibble /= wibbleDecay;
  }
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < map.length; i++) {
    if (map[i] < min) min = map[i];
    if (map[i] > max) max = map[i];
  }
  const out = new Float32Array(n * n);
  const range = max - min || 1;
  for (let i = 0; i < map.length; i++) out[i] = (map[i] - min) / range;
  return out;
}

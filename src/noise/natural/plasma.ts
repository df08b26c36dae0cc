// Diamond-square plasma fractal on a toroidal square grid, the field behind ImageNet-C's fog (and the
// low-frequency haze of the procedural frost). Follows the algorithm of make_imagenet_c.py: start at 0,
// each level fills square centres then diamond points with the mean of their 4 neighbours plus
// wibble * U(-wibble, wibble), wibble starting at 100 and divided by `wibbleDecay` per level; normalised to [0,1].
import type { Rng } from '../../util/rng.js';

export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export function plasmaFractal(mapSize: number, wibbleDecay: number, rng: Rng): Float32Array {
  if (mapSize < 2 || (mapSize & (mapSize - 1)) !== 0) throw new RangeError(`plasma map size ${mapSize} is not a power of two >= 2`);
  const n = mapSize;
  const map = new Float64Array(n * n);
  let step = n;
  let wibble = 100;
  const stream = rng.stream();
  const wibbled = (sum: number) => sum / 4 + wibble * (2 * wibble * stream.uniform() - wibble);
  // The grid wraps around; n is a power of two, so y & (n - 1) is y mod n, negative y included.
  const mask = n - 1;
  const at = (y: number, x: number) => map[(y & mask) * n + (x & mask)];
  while (step >= 2) {
    const half = step >> 1;
    // Square step: centre of each square = mean of its four corners.
    for (let y = 0; y < n; y += step) {
      for (let x = 0; x < n; x += step) {
        const sum = at(y, x) + at(y + step, x) + at(y, x + step) + at(y + step, x + step);
        map[(y + half) * n + x + half] = wibbled(sum);
      }
    }
    // Diamond step, points on the corner rows (between two corners horizontally, two centres vertically)...
    for (let y = 0; y < n; y += step) {
      for (let x = 0; x < n; x += step) {
        const sum = at(y + half, x + half) + at(y - half, x + half) + at(y, x) + at(y, x + step);
        map[y * n + x + half] = wibbled(sum);
      }
    }
    // ...then points on the centre rows (between two centres horizontally, two corners vertically).
    for (let y = 0; y < n; y += step) {
      for (let x = 0; x < n; x += step) {
        const sum = at(y + half, x + half) + at(y + half, x - half) + at(y, x) + at(y + step, x);
        map[(y + half) * n + x] = wibbled(sum);
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

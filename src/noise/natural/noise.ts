// Noise corruptions of ImageNet-C: per-value random draws, parameters from ../../../shared/spec/natural-noise.md
// (Hendrycks & Dietterich 2019, make_imagenet_c.py; imagecorruptions uses the same values).
import type { FloatImage } from '../../data/image.js';
import type { Rng } from '../../util/rng.js';
import { atSeverity, sameSize, type Severity } from './types.js';

/** Standard deviation of the additive Gaussian noise. */
export const GAUSSIAN_NOISE = [0.08, 0.12, 0.18, 0.26, 0.38] as const;
/** Photon count scale: x -> Poisson(x * c) / c. */
export const SHOT_NOISE = [60, 25, 12, 5, 3] as const;
/** Fraction of values replaced by salt (1) or pepper (0), half each (skimage random_noise 's&p'). */
export const IMPULSE_NOISE = [0.03, 0.06, 0.09, 0.17, 0.27] as const;
/** Standard deviation of the multiplicative Gaussian noise: x -> x + x * N(0, c). */
export const SPECKLE_NOISE = [0.15, 0.2, 0.35, 0.45, 0.6] as const;

function clipped(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

export function gaussianNoise(image: FloatImage, severity: Severity, rng: Rng): FloatImage {
  const c = atSeverity(GAUSSIAN_NOISE, severity);
  const src = image.data;
  const out = rng.stream().fillNormal(new Float32Array(src.length), 0, c);
  for (let i = 0; i < src.length; i++) out[i] = clipped(src[i] + out[i]);
  return sameSize(image, out);
}

/**
 * Poisson draw by inversion of the CDF with one uniform (exact; cost grows with the mean, which is <= 60 here).
 * `p0` = exp(-lambda) may be passed in when the caller has it cached.
 */
export function poissonByInversion(lambda: number, u: number, p0 = Math.exp(-lambda)): number {
  if (lambda <= 0) return 0;
  let p = p0;
  let cdf = p;
  let k = 0;
  // 1e4 guards against round-off leaving cdf a hair below u near 1.
  while (u > cdf && k < 10000) {
    k++;
    p *= lambda / k;
    cdf += p;
    if (p === 0 && k > lambda) break;
  }
  return k;
}

/** Cumulative Poisson probabilities P(N <= n) for n = 0.. until they reach 1 to double precision. */
export function poissonCdf(lambda: number): Float64Array {
  if (lambda <= 0) return Float64Array.of(1);
  const values: number[] = [];
  let p = Math.exp(-lambda);
  let cdf = p;
  values.push(cdf);
  for (let k = 1; k < 10000 && !(cdf >= 1 || (p === 0 && k > lambda)); k++) {
    p *= lambda / k;
    const next = cdf + p;
    if (next === cdf && k > lambda) break;
    cdf = next;
    values.push(cdf);
  }
  return Float64Array.from(values);
}

/** Smallest n with u <= cdf[n] (the last index when round-off leaves the table below u). */
export function searchCdf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  if (u > cdf[hi]) return hi;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (u <= cdf[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * A CDF table with a guide table (Chen & Asau): guide[j] is the smallest n with cdf[n] >= j / GUIDE_SIZE, so the draw for
 * u starts its search there and steps forward a place or two instead of bisecting the whole table. When every u of
 * bucket j has that answer (cdf[n] >= (j + 1) / GUIDE_SIZE, or n is the last index) the entry is stored as ~n (negative)
 * and no comparison is needed: with 256 buckets most buckets are such, and the draw is one table read.
 */
export interface GuidedCdf {
  readonly cdf: Float64Array;
  readonly guide: Int32Array;
}

/** Guide buckets: a power of two, so u * GUIDE_SIZE and j / GUIDE_SIZE are exact and the start never overshoots. */
const GUIDE_SIZE = 256;

export function guidedCdf(cdf: Float64Array): GuidedCdf {
  // One entry more than buckets: float32 uniforms can round up to exactly 1 (that bucket is never exact).
  const guide = new Int32Array(GUIDE_SIZE + 1);
  const last = cdf.length - 1;
  let n = 0;
  for (let j = 0; j <= GUIDE_SIZE; j++) {
    while (n < last && cdf[n] < j / GUIDE_SIZE) n++;
    guide[j] = n === last || (j < GUIDE_SIZE && cdf[n] >= (j + 1) / GUIDE_SIZE) ? ~n : n;
  }
  return { cdf, guide };
}

/** Smallest n with u <= cdf[n] for u in [0, 1] (the last index when round-off leaves the table below u): searchCdf's answer. */
export function searchGuided(table: GuidedCdf, u: number): number {
  const { cdf, guide } = table;
  const last = cdf.length - 1;
  let n = guide[Math.floor(u * GUIDE_SIZE)];
  if (n < 0) return ~n;
  while (n < last && u > cdf[n]) n++;
  return n;
}

/**
 * Every 8-bit level's guided table (GUIDE_SIZE buckets) in flat arrays: cdf values, per level its guide as indices
 * into them (~index when exact), and per cdf entry the value it draws, min(1, count / photons) as float32.
 */
interface LevelTables {
  readonly cdf: Float64Array;
  /** (GUIDE_SIZE + 1) entries per level: absolute indices into cdf, ~index for buckets with one answer. */
  readonly guide: Int32Array;
  readonly last: Int32Array;
  readonly value: Float32Array;
}

const levelTables = new Map<number, LevelTables>();
/** k / 255 for each 8-bit level, as the on-level test computes it. */
const LEVELS = Float64Array.from({ length: 256 }, (_, k) => k / 255);

/** The guided CDF tables of Poisson(level / 255 * photons) for the 256 levels; kept per photon count (a handful). */
function poissonLevelTables(photons: number): LevelTables {
  let tables = levelTables.get(photons);
  if (!tables) {
    const perLevel = Array.from({ length: 256 }, (_, k) => guidedCdf(poissonCdf((k / 255) * photons)));
    const cdf = new Float64Array(perLevel.reduce((a, t) => a + t.cdf.length, 0));
    const value = new Float32Array(cdf.length);
    const guide = new Int32Array(256 * (GUIDE_SIZE + 1));
    const last = new Int32Array(256);
    let at = 0;
    perLevel.forEach((t, k) => {
      cdf.set(t.cdf, at);
      for (let count = 0; count < t.cdf.length; count++) {
        const v = count / photons;
        value[at + count] = v > 1 ? 1 : v;
      }
      for (let j = 0; j <= GUIDE_SIZE; j++) {
        const g = t.guide[j];
        guide[k * (GUIDE_SIZE + 1) + j] = g < 0 ? ~(at + ~g) : at + g;
      }
      last[k] = at + t.cdf.length - 1;
      at += t.cdf.length;
    });
    tables = { cdf, guide, last, value };
    if (levelTables.size >= 16) levelTables.clear();
    levelTables.set(photons, tables);
  }
  return tables;
}

/** Poisson(x * photons) / photons per value, clipped to [0, 1], with the caller's stream. */
export function poissonScaled(src: Float32Array, photons: number, stream: Rng): Float32Array {
  const out = stream.fillUniform(new Float32Array(src.length));
  // Decoded images hold 8-bit levels: one CDF table per level, searched from its guide (searchGuided, inlined:
  // the same cumulative sums as the inversion, so the same draws); any other value is inverted directly.
  const { cdf, guide, last, value } = poissonLevelTables(photons);
  for (let i = 0; i < src.length; i++) {
    const x = src[i];
    const u = out[i];
    const k = Math.round(x * 255);
    if (k >= 0 && k <= 255 && Math.abs(x - LEVELS[k]) < 1e-7) {
      let n = guide[k * (GUIDE_SIZE + 1) + Math.floor(u * GUIDE_SIZE)];
      if (n < 0) n = ~n;
      else {
        const end = last[k];
        while (n < end && u > cdf[n]) n++;
      }
      out[i] = value[n];
    } else {
      const v = poissonByInversion(x * photons, u) / photons;
      out[i] = v > 1 ? 1 : v;
    }
  }
  return out;
}

export function shotNoise(image: FloatImage, severity: Severity, rng: Rng): FloatImage {
  return sameSize(image, poissonScaled(image.data, atSeverity(SHOT_NOISE, severity), rng.stream()));
}

export function impulseNoise(image: FloatImage, severity: Severity, rng: Rng): FloatImage {
  const amount = atSeverity(IMPULSE_NOISE, severity);
  const half = amount / 2;
  const src = image.data;
  const out = rng.stream().fillUniform(new Float32Array(src.length));
  // One uniform per value: below `amount` the value flips, to salt in the lower half and pepper in the upper,
  // the same law as skimage's two independent draws with salt_vs_pepper = 0.5.
  for (let i = 0; i < src.length; i++) {
    const u = out[i];
    out[i] = u < amount ? (u < half ? 1 : 0) : src[i];
  }
  return sameSize(image, out);
}

export function speckleNoise(image: FloatImage, severity: Severity, rng: Rng): FloatImage {
  const c = atSeverity(SPECKLE_NOISE, severity);
  const src = image.data;
  const out = rng.stream().fillNormal(new Float32Array(src.length), 0, c);
  for (let i = 0; i < src.length; i++) out[i] = clipped(src[i] + src[i] * out[i]);
  return sameSize(image, out);
}

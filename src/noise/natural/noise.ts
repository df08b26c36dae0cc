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

/** Poisson(x * photons) / photons per value, clipped to [0, 1], with the caller's stream. */
export function poissonScaled(src: Float32Array, photons: number, stream: Rng): Float32Array {
  const out = stream.fillUniform(new Float32Array(src.length));
  // Decoded images hold 8-bit levels: one CDF table per level, searched by bisection (the same cumulative sums
  // as the inversion, so the same draws); any other value is inverted directly.
  const tables = Array.from({ length: 256 }, (_, k) => poissonCdf((k / 255) * photons));
  for (let i = 0; i < src.length; i++) {
    const k = Math.round(src[i] * 255);
    const onLevel = k >= 0 && k <= 255 && Math.abs(src[i] - k / 255) < 1e-7;
    const count = onLevel ? searchCdf(tables[k], out[i]) : poissonByInversion(src[i] * photons, out[i]);
    out[i] = clipped(count / photons);
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

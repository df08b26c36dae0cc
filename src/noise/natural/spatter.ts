// spatter (an extra ImageNet-C corruption): water drops or mud splashes from a thresholded, blurred Gaussian
// field, following imagecorruptions. Water drops are shaded by an emboss of the (equalised) distance to the
// drops' Canny edges; mud is a brown mask. The OpenCV steps it uses are reimplemented in vision.ts.
import type { FloatImage } from '../../data/image.js';
import type { Rng } from '../../util/rng.js';
import { boxBlur, gaussianBlur } from './filters.js';
import { atSeverity, sameSize, type Severity } from './types.js';
import { scratch } from '../../util/scratch.js';
import { canny, distanceTransformL2, equalizeHistogram, filter3x3ToByte } from './vision.js';

/** (mean, std, sigma, threshold, intensity, mode 0 = water / 1 = mud). */
export const SPATTER = [
  [0.65, 0.3, 4, 0.69, 0.6, 0],
  [0.65, 0.3, 3, 0.68, 0.6, 0],
  [0.65, 0.3, 2, 0.68, 0.5, 0],
  [0.65, 0.3, 1, 0.65, 1.5, 1],
  [0.67, 0.4, 1, 0.65, 1.5, 1],
] as const;

/** Mud is brown (63, 42, 20), imagecorruptions' colour. */
const MUD = [63 / 255, 42 / 255, 20 / 255];
/** The emboss kernel that shades the drops. */
const EMBOSS = [-2, -1, 0, -1, 1, 1, 0, 1, 2];

/**
 * How much pale turquoise each pixel of a liquid layer adds (water drops): the 8-bit layer times an emboss of the
 * equalised, capped distance to the layer's Canny edges, normalised to a maximum of `intensity`.
 */
export function waterShading(liquid: Float32Array, width: number, height: number, intensity: number, out = new Float32Array(width * height)): Float32Array {
  const n = width * height;
  const bytes = scratch('spatter.bytes', Uint8Array, n);
  for (let i = 0; i < n; i++) bytes[i] = Math.min(255, Math.max(0, Math.floor(liquid[i] * 255)));
  const edges = canny(bytes, width, height, 50, 150, scratch('spatter.edges', Uint8Array, n));
  // Distance to the nearest edge pixel, capped at 20, smoothed, stored as bytes, equalised, embossed, smoothed.
  const distance = distanceTransformL2(edges, width, height, scratch('spatter.distance', Float32Array, n));
  for (let i = 0; i < n; i++) if (distance[i] > 20) distance[i] = 20;
  const smoothed = boxBlur(distance, width, height, 1, 1, 'reflect101', scratch('spatter.smoothed', Float32Array, n));
  const levels = scratch('spatter.levels', Uint8Array, n);
  for (let i = 0; i < n; i++) levels[i] = Math.min(255, Math.floor(smoothed[i]));
  const equalized = equalizeHistogram(levels, scratch('spatter.equalized', Uint8Array, n));
  const embossed = filter3x3ToByte(equalized, width, height, EMBOSS, scratch('spatter.embossedBytes', Uint8Array, n));
  const embossedFloat = scratch('spatter.embossed', Float32Array, n);
  embossedFloat.set(embossed);
  const shade = boxBlur(embossedFloat, width, height, 1, 1, 'reflect101', scratch('spatter.shade', Float32Array, n));
  let max = 0;
  const m = out;
  for (let i = 0; i < n; i++) {
    m[i] = bytes[i] * shade[i];
    if (m[i] > max) max = m[i];
  }
  const scale = max > 0 ? intensity / max : 0;
  for (let i = 0; i < n; i++) m[i] *= scale;
  return m;
}

/** Pale turquoise (175, 238, 238), the colour water drops add. */
export const WATER_COLOUR: readonly number[] = [175 / 255, 238 / 255, 238 / 255];

export function spatter(image: FloatImage, severity: Severity, rng: Rng): FloatImage {
  const [mean, std, sigma, threshold, intensity, mode] = atSeverity(SPATTER, severity);
  const { width, height, data } = image;
  const n = width * height;
  const field = rng.stream().fillNormal(scratch('spatter.field', Float32Array, n), mean, std);
  const liquid = gaussianBlur(field, width, height, 1, sigma, 'nearest', 4, sigma, scratch('spatter.liquid', Float32Array, n));
  for (let i = 0; i < n; i++) if (liquid[i] < threshold) liquid[i] = 0;
  const out = new Float32Array(data.length);
  if (mode === 0) {
    const shade = waterShading(liquid, width, height, intensity, scratch('spatter.shading', Float32Array, n));
    const [r, g, b] = WATER_COLOUR;
    for (let p = 0, q = 0; p < n; p++, q += 3) {
      const s = shade[p];
      const vr = data[q] + s * r;
      const vg = data[q + 1] + s * g;
      const vb = data[q + 2] + s * b;
      out[q] = vr < 0 ? 0 : vr > 1 ? 1 : vr;
      out[q + 1] = vg < 0 ? 0 : vg > 1 ? 1 : vg;
      out[q + 2] = vb < 0 ? 0 : vb > 1 ? 1 : vb;
    }
  } else {
    const mask = scratch('spatter.mask', Float32Array, n);
    for (let i = 0; i < n; i++) mask[i] = liquid[i] > threshold ? 1 : 0;
    const m = gaussianBlur(mask, width, height, 1, intensity, 'nearest', 4, intensity, scratch('spatter.mud', Float32Array, n));
    for (let p = 0; p < n; p++) {
      const w = m[p] < 0.8 ? 0 : m[p];
      for (let c = 0; c < 3; c++) {
        const v = data[3 * p + c] * (1 - w) + w * MUD[c];
        out[3 * p + c] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    }
  }
  return sameSize(image, out);
}

// elastic_transform in its two published forms (spec natural-noise.md):
//  - 'original': make_imagenet_c.py, which made ImageNet-C: a random affine (three points moved by up to c2 px,
//    cv2.getAffineTransform + cv2.warpAffine, bilinear, BORDER_REFLECT_101), then displacement fields of uniform
//    noise in [-1, 1] smoothed with sigma c1 and scaled by alpha c0. Its parameters are absolute pixels for 224x224
//    images; other sizes scale them by (shorter side / 224).
//  - 'imagecorruptions': the size-relative re-implementation (no affine): uniform noise in +-0.005 * height,
//    sigma = 0.01 * size per axis, alpha from ELASTIC_TRANSFORM. Up to 9 dB milder at severities 1-2.
// Both resample the (affine-warped) image bilinearly at (y + dy, x + dx) with reflected borders (scipy
// map_coordinates order 1, mode 'reflect'); the smoothing is skimage's gaussian, mode 'reflect', truncate 3.
import type { FloatImage } from '../../data/image.js';
import { roundHalfEven } from '../../data/resize/common.js';
import type { Rng } from '../../util/rng.js';
import { borderIndex, gaussianBlur } from './filters.js';
import { scratch } from '../../util/scratch.js';
import { atSeverity, sameSize, type CorruptionOptions, type Severity } from './types.js';

/** imagecorruptions' size-relative elastic transform: alpha per severity; sigma = 0.01 * size, max displacement 0.005 * size. */
export const ELASTIC_TRANSFORM = [250 * 0.05, 250 * 0.065, 250 * 0.085, 250 * 0.1, 250 * 0.12] as const;

/**
 * make_imagenet_c.py's (alpha, sigma, affine shift) per severity for 224x224 images, written there as multiples of
 * 244 ("244 should have been 224, but ultimately nothing is incorrect").
 */
export const ELASTIC_TRANSFORM_ORIGINAL = [
  [244 * 2, 244 * 0.7, 244 * 0.1],
  [244 * 2, 244 * 0.08, 244 * 0.2],
  [244 * 0.05, 244 * 0.01, 244 * 0.02],
  [244 * 0.07, 244 * 0.01, 244 * 0.02],
  [244 * 0.12, 244 * 0.01, 244 * 0.02],
] as const;

/** The image resampled at (y + dy, x + dx): bilinear, reflected borders, clipped to [0, 1]. */
function displace(image: FloatImage, dx: Float32Array, dy: Float32Array): FloatImage {
  const { width, height, data } = image;
  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const sy = y + dy[i];
      const sx = x + dx[i];
      const y0 = Math.floor(sy);
      const x0 = Math.floor(sx);
      const wy = sy - y0;
      const wx = sx - x0;
      let a: number, b: number, c: number, d: number;
      if (x0 >= 0 && x0 < width - 1 && y0 >= 0 && y0 < height - 1) {
        a = (y0 * width + x0) * 3;
        b = a + 3;
        c = a + width * 3;
        d = c + 3;
      } else {
        const r0 = borderIndex(y0, height, 'reflect') * width;
        const r1 = borderIndex(y0 + 1, height, 'reflect') * width;
        const c0 = borderIndex(x0, width, 'reflect');
        const c1 = borderIndex(x0 + 1, width, 'reflect');
        a = (r0 + c0) * 3;
        b = (r0 + c1) * 3;
        c = (r1 + c0) * 3;
        d = (r1 + c1) * 3;
      }
      for (let ch = 0; ch < 3; ch++) {
        const top = data[a + ch] + wx * (data[b + ch] - data[a + ch]);
        const bottom = data[c + ch] + wx * (data[d + ch] - data[c + ch]);
        const v = top + wy * (bottom - top);
        out[i * 3 + ch] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    }
  }
  return sameSize(image, out);
}

/** A noise field smoothed (skimage gaussian, reflect, truncate 3) and scaled by alpha, cast to float32 as the reference does. */
function smoothField(noise: Float32Array, width: number, height: number, alpha: number, sigmaX: number, sigmaY: number, purpose: string): Float32Array {
  const field = gaussianBlur(noise, width, height, 1, sigmaX, 'reflect', 3, sigmaY, scratch(purpose, Float32Array, noise.length));
  for (let i = 0; i < field.length; i++) field[i] = Math.fround(field[i] * alpha);
  return field;
}

/** imagecorruptions' deterministic part, given its two uniform noise fields (x first, then y). */
export function elasticFromNoise(image: FloatImage, severity: Severity, noiseX: Float32Array, noiseY: Float32Array): FloatImage {
  const alpha = atSeverity(ELASTIC_TRANSFORM, severity);
  const { width, height } = image;
  return displace(image, smoothField(noiseX, width, height, alpha, width * 0.01, height * 0.01, 'elastic.fieldX'), smoothField(noiseY, width, height, alpha, width * 0.01, height * 0.01, 'elastic.fieldY'));
}

/** 2x3 matrix mapping the three source points onto the three destination points (cv2.getAffineTransform). */
export function affineFromPoints(src: readonly number[], dst: readonly number[]): number[] {
  // Solve [x y 1] * [a d; b e; c f] = [x' y'] for the three points (Cramer's rule on the 3x3 system).
  const [x0, y0, x1, y1, x2, y2] = src;
  const det = x0 * (y1 - y2) - y0 * (x1 - x2) + (x1 * y2 - x2 * y1);
  const solve = (v0: number, v1: number, v2: number) => [
    (v0 * (y1 - y2) - y0 * (v1 - v2) + (v1 * y2 - v2 * y1)) / det,
    (x0 * (v1 - v2) - v0 * (x1 - x2) + (x1 * v2 - x2 * v1)) / det,
    (x0 * (y1 * v2 - y2 * v1) - y0 * (x1 * v2 - x2 * v1) + v0 * (x1 * y2 - x2 * y1)) / det,
  ];
  return [...solve(dst[0], dst[2], dst[4]), ...solve(dst[1], dst[3], dst[5])];
}

/**
 * cv2.warpAffine(image, M, size, INTER_LINEAR, BORDER_REFLECT_101) for a float image: M (input -> output) is
 * inverted in double; source positions are computed in 10-bit fixed point and rounded to 1/32 pixel
 * (INTER_BITS = 5), the bilinear weights being those 1/32 steps.
 */
export function warpAffineReflect101(image: FloatImage, m: readonly number[], out = new Float32Array(image.data.length)): FloatImage {
  const { width, height, data } = image;
  let d = m[0] * m[4] - m[1] * m[3];
  d = d !== 0 ? 1 / d : 0;
  const a11 = m[4] * d, a22 = m[0] * d;
  const i00 = a11, i01 = -m[1] * d, i10 = -m[3] * d, i11 = a22;
  const i02 = -i00 * m[2] - i01 * m[5];
  const i12 = -i10 * m[2] - i11 * m[5];
  const AB_SCALE = 1 << 10, INTER_TAB = 32, roundDelta = AB_SCALE / INTER_TAB / 2;
  const adelta = new Int32Array(width), bdelta = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    adelta[x] = roundHalfEven(i00 * x * AB_SCALE);
    bdelta[x] = roundHalfEven(i10 * x * AB_SCALE);
  }
  for (let y = 0; y < height; y++) {
    const X0 = roundHalfEven((i01 * y + i02) * AB_SCALE) + roundDelta;
    const Y0 = roundHalfEven((i11 * y + i12) * AB_SCALE) + roundDelta;
    for (let x = 0; x < width; x++) {
      const X = (X0 + adelta[x]) >> 5;
      const Y = (Y0 + bdelta[x]) >> 5;
      const sx = X >> 5, sy = Y >> 5;
      const fx = (X & 31) / INTER_TAB, fy = (Y & 31) / INTER_TAB;
      const inside = sx >= 0 && sx < width - 1 && sy >= 0 && sy < height - 1;
      const c0 = inside ? sx : borderIndex(sx, width, 'reflect101'), c1 = inside ? sx + 1 : borderIndex(sx + 1, width, 'reflect101');
      const r0 = (inside ? sy : borderIndex(sy, height, 'reflect101')) * width, r1 = (inside ? sy + 1 : borderIndex(sy + 1, height, 'reflect101')) * width;
      const o = (y * width + x) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const top = data[(r0 + c0) * 3 + ch] * (1 - fx) + data[(r0 + c1) * 3 + ch] * fx;
        const bottom = data[(r1 + c0) * 3 + ch] * (1 - fx) + data[(r1 + c1) * 3 + ch] * fx;
        out[o + ch] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return sameSize(image, out);
}

/** make_imagenet_c.py's three affine anchor points (x, y pairs) for an image of the given size. */
export function affineAnchors(width: number, height: number): number[] {
  // The reference builds them from (height, width) // 2 and uses them as (x, y): the same for square images.
  const c0 = Math.floor(height / 2), c1 = Math.floor(width / 2);
  const size = Math.floor(Math.min(height, width) / 3);
  return [c0 + size, c1 + size, c0 + size, c1 - size, c0 - size, c1 - size];
}

/** The original elastic_transform given its draws: the six affine shifts, then the x and y noise fields in [-1, 1]. */
export function elasticOriginalFromDraws(image: FloatImage, severity: Severity, shifts: readonly number[], noiseX: Float32Array, noiseY: Float32Array): FloatImage {
  const { width, height } = image;
  const scale = Math.min(width, height) / 224;
  const [alpha, sigma] = atSeverity(ELASTIC_TRANSFORM_ORIGINAL, severity).map((v) => v * scale);
  const src = affineAnchors(width, height).map(Math.fround);
  const dst = src.map((v, i) => Math.fround(v + Math.fround(shifts[i])));
  const warped = warpAffineReflect101(image, affineFromPoints(src, dst), scratch('elastic.warped', Float32Array, image.data.length));
  return displace(warped, smoothField(noiseX, width, height, alpha, sigma, sigma, 'elastic.fieldX'), smoothField(noiseY, width, height, alpha, sigma, sigma, 'elastic.fieldY'));
}

/** elastic_transform; options.elastic picks the variant (default 'original', the one ImageNet-C was made with). */
export function elasticTransform(image: FloatImage, severity: Severity, rng: Rng, options?: CorruptionOptions): FloatImage {
  const n = image.width * image.height;
  const stream = rng.stream();
  if (options?.elastic === 'imagecorruptions') {
    // imagecorruptions bounds both displacements by the image height.
    const maxDelta = image.height * 0.005;
    const noiseX = stream.fillUniform(new Float32Array(n), -maxDelta, maxDelta);
    const noiseY = stream.fillUniform(new Float32Array(n), -maxDelta, maxDelta);
    return elasticFromNoise(image, severity, noiseX, noiseY);
  }
  const shift = atSeverity(ELASTIC_TRANSFORM_ORIGINAL, severity)[2] * (Math.min(image.width, image.height) / 224);
  const shifts = Array.from(stream.fillUniform(new Float32Array(6), -shift, shift));
  const noiseX = stream.fillUniform(scratch('elastic.noiseX', Float32Array, n), -1, 1);
  const noiseY = stream.fillUniform(scratch('elastic.noiseY', Float32Array, n), -1, 1);
  return elasticOriginalFromDraws(image, severity, shifts, noiseX, noiseY);
}

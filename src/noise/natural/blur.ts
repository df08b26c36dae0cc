// Blur corruptions of ImageNet-C besides defocus (defocus.ts): glass, motion, zoom and the extra gaussian_blur.
// Parameters: ../../../shared/spec/natural-noise.md (make_imagenet_c.py / imagecorruptions).
import type { FloatImage } from '../../data/image.js';
import type { Rng } from '../../util/rng.js';
import { clippedZoomMean, gaussianBlur as blurGaussian } from './filters.js';
import { motionBlur as blurMotion } from './motion.js';
import { scratch } from '../../util/scratch.js';
import { atSeverity, sameSize, type Severity } from './types.js';

/** (sigma, max_delta, iterations). */
export const GLASS_BLUR = [[0.7, 1, 2], [0.9, 2, 1], [1, 2, 3], [1.1, 3, 2], [1.5, 4, 2]] as const;
/** (radius, sigma); the angle is uniform in [-45, 45] degrees. */
export const MOTION_BLUR = [[10, 3], [15, 5], [15, 8], [15, 12], [20, 15]] as const;
/** The 256 8-bit levels k / 255 as float32. */
const LEVELS = Float32Array.from({ length: 256 }, (_, k) => k / 255);

/** Offsets drawn at a time by glass_blur (even: a pixel's dx and dy come from the same block). */
const GLASS_OFFSET_BLOCK = 4096;

/** The reference's uint8 cast of a blurred value: truncation, which equals floor as v * 255 lies in (0, 255). */
function level(v: number): number {
  return v <= 0 ? 0 : v >= 1 ? 255 : (v * 255) | 0;
}

/** numpy.arange(1, stop, step) of zoom factors. */
export const ZOOM_BLUR = [[1.11, 0.01], [1.16, 0.01], [1.21, 0.02], [1.26, 0.02], [1.31, 0.03]] as const;
/** Gaussian sigma in pixels. */
export const GAUSSIAN_BLUR = [1, 2, 3, 4, 6] as const;

/** numpy.arange(start, stop, step) with numpy's length rule ceil((stop - start) / step), in the same doubles. */
export function arange(start: number, stop: number, step: number): number[] {
  const n = Math.max(0, Math.ceil((stop - start) / step));
  return Array.from({ length: n }, (_, i) => start + i * step);
}

export function gaussianBlur(image: FloatImage, severity: Severity): FloatImage {
  const sigma = atSeverity(GAUSSIAN_BLUR, severity);
  return sameSize(image, blurGaussian(image.data, image.width, image.height, 3, sigma, 'nearest', 4, sigma, undefined, true));
}

/**
 * Gaussian blur, quantise to 8 bits (the reference stores the blurred image as uint8 by truncation), then
 * sweep the interior from the bottom-right corner `iterations` times, each pixel taking the value of the pixel
 * at a random offset in [-max_delta, max_delta) per axis, then blur again.
 *
 * The reference writes this step as a swap, `x[h, w], x[h', w'] = x[h', w'], x[h, w]`, but on numpy arrays both
 * right-hand sides are views, so the first assignment overwrites the pixel the second one reads: (h, w) receives
 * (h', w') and (h', w') keeps its value. ImageNet-C's images were made that way, so that is what is done here.
 */
export function glassBlur(image: FloatImage, severity: Severity, rng: Rng): FloatImage {
  const [sigma, maxDelta, iterations] = atSeverity(GLASS_BLUR, severity);
  const { width, height } = image;
  const x = blurGaussian(image.data, width, height, 3, sigma, 'nearest', 4, sigma, scratch('glass.blurred', Float32Array, image.data.length));
  // Each pixel's three 8-bit levels packed in one int, so a pixel moves as one value.
  const n = width * height;
  const pixels = scratch('glass.pixels', Int32Array, n);
  for (let p = 0, i = 0; p < n; p++, i += 3) pixels[p] = level(x[i]) | (level(x[i + 1]) << 8) | (level(x[i + 2]) << 16);
  const span = 2 * maxDelta;
  // numpy randint(-d, d, size=2) per pixel: dx then dy, each in [-d, d); drawn from one stream a block at a time
  // (the same values as one fill for the whole sweep, without its megabyte of offsets).
  const stream = rng.stream();
  const offsets = scratch('glass.offsets', Int32Array, GLASS_OFFSET_BLOCK);
  let next = GLASS_OFFSET_BLOCK;
  for (let it = 0; it < iterations; it++) {
    for (let h = height - maxDelta; h > maxDelta; h--) {
      for (let w = width - maxDelta; w > maxDelta; w--) {
        if (next === GLASS_OFFSET_BLOCK) {
          stream.fillInt(offsets, span);
          next = 0;
        }
        const dx = offsets[next++] - maxDelta;
        const dy = offsets[next++] - maxDelta;
        pixels[h * width + w] = pixels[(h + dy) * width + w + dx];
      }
    }
  }
  for (let p = 0, i = 0; p < n; p++, i += 3) {
    const v = pixels[p];
    x[i] = LEVELS[v & 255];
    x[i + 1] = LEVELS[(v >> 8) & 255];
    x[i + 2] = LEVELS[v >> 16];
  }
  return sameSize(image, blurGaussian(x, width, height, 3, sigma, 'nearest', 4, sigma, undefined, true));
}

export function motionBlur(image: FloatImage, severity: Severity, rng: Rng): FloatImage {
  const [radius, sigma] = atSeverity(MOTION_BLUR, severity);
  const angle = rng.uniformIn(-45, 45);
  return sameSize(image, blurMotion(image.data, image.width, image.height, 3, radius, sigma, angle, true));
}

/** Mean of the image and its centre zooms (clipped back to size) by each factor of the severity's range. */
export function zoomBlur(image: FloatImage, severity: Severity): FloatImage {
  const [stop, step] = atSeverity(ZOOM_BLUR, severity);
  const factors = arange(1, stop, step);
  return sameSize(image, clippedZoomMean(image.data, image.width, image.height, 3, factors, 1 / (factors.length + 1), true));
}

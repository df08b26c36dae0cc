// Blur corruptions of ImageNet-C besides defocus (defocus.ts): glass, motion, zoom and the extra gaussian_blur.
// Parameters: ../../../shared/spec/natural-noise.md (make_imagenet_c.py / imagecorruptions).
import type { FloatImage } from '../../data/image.js';
import type { Rng } from '../../util/rng.js';
import { clip01, clippedZoomMean, gaussianBlur as blurGaussian } from './filters.js';
import { motionBlur as blurMotion } from './motion.js';
import { scratch } from './scratch.js';
import { atSeverity, sameSize, type Severity } from './types.js';

/** (sigma, max_delta, iterations). */
export const GLASS_BLUR = [[0.7, 1, 2], [0.9, 2, 1], [1, 2, 3], [1.1, 3, 2], [1.5, 4, 2]] as const;
/** (radius, sigma); the angle is uniform in [-45, 45] degrees. */
export const MOTION_BLUR = [[10, 3], [15, 5], [15, 8], [15, 12], [20, 15]] as const;
/** The 256 8-bit levels k / 255 as float32. */
const LEVELS = Float32Array.from({ length: 256 }, (_, k) => k / 255);

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
  return sameSize(image, clip01(blurGaussian(image.data, image.width, image.height, 3, sigma, 'nearest')));
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
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    // Truncation equals floor here: v * 255 lies in (0, 255).
    x[i] = LEVELS[v <= 0 ? 0 : v >= 1 ? 255 : (v * 255) | 0];
  }
  const span = 2 * maxDelta;
  // numpy randint(-d, d, size=2) per pixel: dx then dy, each in [-d, d); drawn for the whole sweep at once.
  const sweep = Math.max(0, height - 2 * maxDelta) * Math.max(0, width - 2 * maxDelta);
  const offsets = rng.stream().fillInt(scratch('glass.offsets', Int32Array, 2 * sweep * iterations), span);
  let next = 0;
  for (let it = 0; it < iterations; it++) {
    for (let h = height - maxDelta; h > maxDelta; h--) {
      for (let w = width - maxDelta; w > maxDelta; w--) {
        const dx = offsets[next++] - maxDelta;
        const dy = offsets[next++] - maxDelta;
        const hp = h + dy;
        const wp = w + dx;
        const a = (h * width + w) * 3;
        const b = (hp * width + wp) * 3;
        x[a] = x[b];
        x[a + 1] = x[b + 1];
        x[a + 2] = x[b + 2];
      }
    }
  }
  return sameSize(image, clip01(blurGaussian(x, width, height, 3, sigma, 'nearest')));
}

export function motionBlur(image: FloatImage, severity: Severity, rng: Rng): FloatImage {
  const [radius, sigma] = atSeverity(MOTION_BLUR, severity);
  const angle = rng.uniformIn(-45, 45);
  return sameSize(image, clip01(blurMotion(image.data, image.width, image.height, 3, radius, sigma, angle)));
}

/** Mean of the image and its centre zooms (clipped back to size) by each factor of the severity's range. */
export function zoomBlur(image: FloatImage, severity: Severity): FloatImage {
  const [stop, step] = atSeverity(ZOOM_BLUR, severity);
  const factors = arange(1, stop, step);
  const out = clippedZoomMean(image.data, image.width, image.height, 3, factors, 1 / (factors.length + 1));
  return sameSize(image, clip01(out));
}

// Weather corruptions of ImageNet-C: snow and fog (frost.ts and spatter.ts hold the other two).
// Parameters: ../../../shared/spec/natural-noise.md (make_imagenet_c.py / imagecorruptions).
import type { FloatImage } from '../../data/image.js';
import type { Rng } from '../../util/rng.js';
import { clippedZoom } from './filters.js';
import { motionBlur } from './motion.js';
import { nextPowerOfTwo, plasmaFractal } from './plasma.js';
import { scratch } from '../../util/scratch.js';
import { atSeverity, sameSize, type Severity } from './types.js';

/** (mean, std, zoom, threshold, blur radius, blur sigma, blend). */
export const SNOW = [
  [0.1, 0.3, 3, 0.5, 10, 4, 0.8],
  [0.2, 0.3, 2, 0.5, 12, 4, 0.7],
  [0.55, 0.3, 4, 0.9, 12, 8, 0.7],
  [0.55, 0.3, 4.5, 0.85, 12, 8, 0.65],
  [0.55, 0.3, 2.5, 0.85, 12, 12, 0.55],
] as const;
/** (fog strength, plasma wibble decay). */
export const FOG = [[1.5, 2], [2, 2], [2.5, 1.7], [2.5, 1.5], [3, 1.4]] as const;

/** Luma as cv2.COLOR_RGB2GRAY weighs it. */
function gray(r: number, g: number, b: number): number {
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

export function snow(image: FloatImage, severity: Severity, rng: Rng): FloatImage {
  const [mean, std, zoom, threshold, radius, sigma, blend] = atSeverity(SNOW, severity);
  const { width, height, data } = image;
  const field = rng.stream().fillNormal(scratch('snow.field', Float32Array, width * height), mean, std);
  const zoomed = clippedZoom(field, width, height, 1, zoom);
  for (let i = 0; i < zoomed.length; i++) {
    const v = zoomed[i];
    zoomed[i] = v < threshold ? 0 : v > 1 ? 1 : v;
  }
  // Flakes fall: the blur direction is uniform in [-135, -45] degrees.
  const flakes = motionBlur(zoomed, width, height, 1, radius, sigma, rng.uniformIn(-135, -45));
  // The reference stores the layer as 8-bit.
  for (let i = 0; i < flakes.length; i++) flakes[i] = Math.round(flakes[i] * 255) / 255;
  const out = new Float32Array(data.length);
  const n = width * height;
  for (let p = 0; p < n; p++) {
    const r = data[3 * p];
    const g = data[3 * p + 1];
    const b = data[3 * p + 2];
    const lifted = gray(r, g, b) * 1.5 + 0.5;
    // The layer is added twice: as is and rotated by 180 degrees.
    const s = flakes[p] + flakes[n - 1 - p];
    for (let c = 0; c < 3; c++) {
      const x = data[3 * p + c];
      const v = blend * x + (1 - blend) * Math.max(x, lifted) + s;
      out[3 * p + c] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  return sameSize(image, out);
}

export function fog(image: FloatImage, severity: Severity, rng: Rng): FloatImage {
  const [strength, decay] = atSeverity(FOG, severity);
  const { width, height, data } = image;
  const mapSize = Math.max(2, nextPowerOfTwo(Math.max(width, height, 3)));
  const plasma = plasmaFractal(mapSize, decay, rng);
  let maxValue = 0;
  for (let i = 0; i < data.length; i++) if (data[i] > maxValue) maxValue = data[i];
  // Renormalise so the brightest clean value keeps its level after the fog is added.
  const scale = maxValue / (maxValue + strength);
  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const f = strength * plasma[y * mapSize + x];
      const p = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const v = (data[p + c] + f) * scale;
        out[p + c] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    }
  }
  return sameSize(image, out);
}

// Pixel differences between decoder x resizer combinations for one image: per-combination numbers against a
// reference combination, and a heat map of where the combinations disagree.
import type { RgbImage } from '../../data/image.js';
import type { Decoder, Resizer } from '../../data/seams.js';
import { RobustartError } from '../../errors.js';
import { maxOf } from '../../util/array.js';

export interface ImageDiff {
  /** largest |a - b| over pixels and channels, in grey levels */
  readonly maxAbs: number;
  readonly meanAbs: number;
  /** fraction of pixels where any channel differs */
  readonly changedFraction: number;
  /** PSNR in dB (Infinity when identical) */
  readonly psnr: number;
}

export function imageDiff(a: RgbImage, b: RgbImage): ImageDiff {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`cannot compare ${a.width}x${a.height} with ${b.width}x${b.height}`);
  let max = 0;
  let sum = 0;
  let sq = 0;
  let changed = 0;
  for (let p = 0; p < a.width * a.height; p++) {
    let any = false;
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(a.data[3 * p + c] - b.data[3 * p + c]);
      if (d) any = true;
      max = Math.max(max, d);
      sum += d;
      sq += d * d;
    }
    if (any) changed++;
  }
  const n = a.data.length;
  const mse = sq / n;
  return { maxAbs: max, meanAbs: sum / n, changedFraction: changed / (a.width * a.height), psnr: mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse) };
}

export interface CombinationResult {
  readonly decoder: string;
  readonly resizer: string;
  readonly image?: RgbImage;
  /** why this combination produced no image (e.g. a JPEG-only decoder on a PNG) */
  readonly error?: string;
}

/** Decodes once per decoder, resizes each decode with every resizer; failures are recorded, not thrown. */
export async function runCombinations(bytes: Uint8Array, decoders: readonly Decoder[], resizers: readonly Resizer[], size: (w: number, h: number) => { width: number; height: number }): Promise<CombinationResult[]> {
  const results: CombinationResult[] = [];
  for (const decoder of decoders) {
    let decoded: RgbImage;
    try {
      decoded = await decoder.decode(bytes);
    } catch (err) {
      if (!(err instanceof RobustartError)) throw err;
      for (const resizer of resizers) results.push({ decoder: decoder.name, resizer: resizer.name, error: err.message });
      continue;
    }
    const { width, height } = size(decoded.width, decoded.height);
    for (const resizer of resizers) results.push({ decoder: decoder.name, resizer: resizer.name, image: await resizer.resize(decoded, width, height) });
  }
  return results;
}

/**
 * Heat map of disagreement: per pixel, the largest channel difference from the reference over all combinations,
 * scaled so `scaleMax` grey levels is full heat (black -> red -> yellow -> white).
 */
export function disagreementHeatmap(reference: RgbImage, others: readonly RgbImage[], scaleMax?: number): { heatmap: RgbImage; perPixelMax: Uint8Array } {
  const n = reference.width * reference.height;
  const perPixelMax = new Uint8Array(n);
  for (const img of others) {
    if (img.width !== reference.width || img.height !== reference.height) continue;
    for (let p = 0; p < n; p++) {
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(img.data[3 * p + c] - reference.data[3 * p + c]);
        if (d > perPixelMax[p]) perPixelMax[p] = d;
      }
    }
  }
  const top = scaleMax ?? Math.max(1, maxOf(perPixelMax));
  const data = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) {
    const t = Math.min(1, perPixelMax[p] / top) * 3; // 0..3 through the three colour ramps
    data[3 * p] = Math.round(255 * Math.min(1, t));
    data[3 * p + 1] = Math.round(255 * Math.min(1, Math.max(0, t - 1)));
    data[3 * p + 2] = Math.round(255 * Math.min(1, Math.max(0, t - 2)));
  }
  return { heatmap: { width: reference.width, height: reference.height, data }, perPixelMax };
}

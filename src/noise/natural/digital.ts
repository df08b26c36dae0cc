// Digital corruptions of ImageNet-C: brightness, contrast, the extra saturate, pixelate (elastic_transform is in
// elastic.ts, jpeg_compression in jpeg.ts). Parameters: ../../../shared/spec/natural-noise.md.
import type { FloatImage } from '../../data/image.js';
import type { Rng } from '../../util/rng.js';
import { borderIndex, gaussianBlur } from './filters.js';
import { atSeverity, sameSize, type Severity } from './types.js';

/** Added to HSV value. */
export const BRIGHTNESS = [0.1, 0.2, 0.3, 0.4, 0.5] as const;
/** Factor on each channel's deviation from its mean. */
export const CONTRAST = [0.4, 0.3, 0.2, 0.1, 0.05] as const;
/** HSV saturation -> saturation * c0 + c1. */
export const SATURATE = [[0.3, 0], [0.1, 0], [2, 0], [5, 0.1], [20, 0.2]] as const;
/** Side of the box-downscaled image as a fraction of the original. */
export const PIXELATE = [0.6, 0.5, 0.4, 0.3, 0.25] as const;

/**
 * HSV value + c, clipped at 1. With hue and saturation fixed, every RGB channel is proportional to V, so the
 * HSV round trip (skimage rgb2hsv / hsv2rgb) reduces to scaling the pixel by V'/V; black (V = 0, S = 0 in
 * skimage) becomes grey c.
 */
export function brightness(image: FloatImage, severity: Severity): FloatImage {
  const c = atSeverity(BRIGHTNESS, severity);
  const src = image.data;
  const out = new Float32Array(src.length);
  for (let p = 0; p < src.length; p += 3) {
    const r = src[p], g = src[p + 1], b = src[p + 2];
    const v = Math.max(r, g, b);
    const raised = Math.min(v + c, 1);
    if (v <= 0) {
      out[p] = out[p + 1] = out[p + 2] = raised;
    } else {
      const k = raised / v;
      out[p] = Math.min(r * k, 1);
      out[p + 1] = Math.min(g * k, 1);
      out[p + 2] = Math.min(b * k, 1);
    }
  }
  return sameSize(image, out);
}

export function contrast(image: FloatImage, severity: Severity): FloatImage {
  const c = atSeverity(CONTRAST, severity);
  const src = image.data;
  const means = [0, 0, 0];
  for (let p = 0; p < src.length; p += 3) {
    means[0] += src[p];
    means[1] += src[p + 1];
    means[2] += src[p + 2];
  }
  const pixels = src.length / 3;
  for (let ch = 0; ch < 3; ch++) means[ch] /= pixels;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const m = means[i % 3];
    const v = (src[i] - m) * c + m;
    out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return sameSize(image, out);
}

/**
 * HSV saturation -> clip(S * c0 + c1). With hue and value fixed each channel is V - S * V * f(hue), so the new
 * channel is V - (S'/S) * (V - channel). Greys have S = 0 and hue 0 (red) in skimage, so a grey given
 * saturation S' becomes (V, V(1 - S'), V(1 - S')).
 */
export function saturate(image: FloatImage, severity: Severity): FloatImage {
  const [gain, offset] = atSeverity(SATURATE, severity);
  const src = image.data;
  const out = new Float32Array(src.length);
  for (let p = 0; p < src.length; p += 3) {
    const r = src[p], g = src[p + 1], b = src[p + 2];
    const v = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    const delta = v - min;
    if (v <= 0) {
      out[p] = out[p + 1] = out[p + 2] = 0;
      continue;
    }
    const s = delta / v;
    const s2 = Math.min(Math.max(s * gain + offset, 0), 1);
    if (delta <= 0) {
      out[p] = v;
      out[p + 1] = out[p + 2] = v * (1 - s2);
      continue;
    }
    const k = s2 / s;
    out[p] = Math.max(0, v - k * (v - r));
    out[p + 1] = Math.max(0, v - k * (v - g));
    out[p + 2] = Math.max(0, v - k * (v - b));
  }
  return sameSize(image, out);
}

/**
 * PIL resize with Image.BOX to floor(size * c), then Image.NEAREST back. PIL's box filter averages the input
 * pixels whose centres fall inside each output pixel's footprint, horizontally then vertically, rounding to
 * 8 bits after each pass (the reference works on 8-bit images); nearest picks source floor((x + 0.5) * in / out).
 */
export function pixelate(image: FloatImage, severity: Severity): FloatImage {
  const c = atSeverity(PIXELATE, severity);
  const { width, height, data } = image;
  const smallW = Math.max(1, Math.floor(width * c));
  const smallH = Math.max(1, Math.floor(height * c));
  const xs = boxFootprints(width, smallW);
  const ys = boxFootprints(height, smallH);
  const to8bit = (v: number) => Math.floor(v * 255 + 0.5) / 255;
  // Horizontal pass: height x smallW.
  const narrow = new Float32Array(height * smallW * 3);
  for (let y = 0; y < height; y++) {
    for (let sx = 0; sx < smallW; sx++) {
      let r = 0, g = 0, b = 0;
      for (let x = xs.start[sx]; x < xs.end[sx]; x++) {
        const p = (y * width + x) * 3;
        r += data[p];
        g += data[p + 1];
        b += data[p + 2];
      }
      const count = xs.end[sx] - xs.start[sx];
      const q = (y * smallW + sx) * 3;
      narrow[q] = to8bit(r / count);
      narrow[q + 1] = to8bit(g / count);
      narrow[q + 2] = to8bit(b / count);
    }
  }
  // Vertical pass: smallH x smallW.
  const small = new Float32Array(smallW * smallH * 3);
  for (let sy = 0; sy < smallH; sy++) {
    const count = ys.end[sy] - ys.start[sy];
    for (let i = 0; i < smallW * 3; i++) {
      let sum = 0;
      for (let y = ys.start[sy]; y < ys.end[sy]; y++) sum += narrow[y * smallW * 3 + i];
      small[sy * smallW * 3 + i] = to8bit(sum / count);
    }
  }
  const out = new Float32Array(data.length);
  const mapX = nearestSources(width, smallW);
  const mapY = nearestSources(height, smallH);
  const rowLength = width * 3;
  for (let y = 0; y < height; y++) {
    const sy = mapY[y];
    // Rows that read the same small row are equal: copy the previous one.
    if (y > 0 && mapY[y - 1] === sy) {
      out.copyWithin(y * rowLength, (y - 1) * rowLength, y * rowLength);
      continue;
    }
    for (let x = 0; x < width; x++) {
      const q = (sy * smallW + mapX[x]) * 3;
      const p = (y * width + x) * 3;
      out[p] = small[q];
      out[p + 1] = small[q + 1];
      out[p + 2] = small[q + 2];
    }
  }
  return sameSize(image, out);
}

/**
 * Source index of each pixel when PIL upsamples `inSize` to `outSize` with NEAREST: its affine transform starts
 * at step / 2 and adds step = in / out per pixel, truncating; the accumulated sum is kept as PIL computes it so
 * the rounding at exact block boundaries agrees.
 */
function nearestSources(outSize: number, inSize: number): Int32Array {
  const step = inSize / outSize;
  const map = new Int32Array(outSize);
  let at = step * 0.5;
  for (let i = 0; i < outSize; i++) {
    map[i] = Math.min(inSize - 1, Math.trunc(at));
    at += step;
  }
  return map;
}

/** Input ranges [start, end) of each output pixel when PIL box-downsamples `inSize` to `outSize`. */
export function boxFootprints(inSize: number, outSize: number): { start: Int32Array; end: Int32Array } {
  const scale = inSize / outSize;
  const start = new Int32Array(outSize);
  const end = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    // Input pixel j counts when its centre j + 0.5 lies in (center - scale/2, center + scale/2].
    let lo = Math.ceil(center - scale / 2 - 0.5);
    if (center - scale / 2 - 0.5 === lo) lo += 1;
    let hi = Math.floor(center + scale / 2 - 0.5) + 1;
    lo = Math.max(0, lo);
    hi = Math.min(inSize, Math.max(hi, lo + 1));
    start[i] = lo;
    end[i] = hi;
  }
  return { start, end };
}

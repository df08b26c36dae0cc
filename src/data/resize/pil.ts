// Pillow's Image.resize for 8-bit RGB (Pillow 9.x, libImaging/Resample.c and Geometry.c), reproduced bit for bit.
// Facts reproduced:
//  - separable convolution, horizontal pass first, 8-bit clipped intermediate, a pass skipped when its size is unchanged;
//  - support = filter support * max(scale, 1): downscaling antialiases by stretching the kernel;
//  - window per output x: centre = (x + 0.5) * scale, xmin = trunc(centre - support + 0.5) clamped at 0,
//    xmax = trunc(centre + support + 0.5) clamped at the input size, weights filter((i - centre + 0.5) / max(scale, 1))
//    normalised to sum 1 in double;
//  - weights become 22-bit fixed point (PRECISION_BITS = 32 - 8 - 2), rounded half away from zero; the accumulator starts
//    at 1 << 21 (rounding) and the result is acc >> 22 clamped to 0..255;
//  - NEAREST is an affine scale: source x = floor(x0 + scale/2 + k*scale) accumulated in double, not a convolution.
import type { RgbImage } from '../image.js';
import type { Resizer } from '../../noise/types.js';
import { checkResizeArgs } from './common.js';

const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
// Pillow writes the Hamming constants as float literals (0.54f, 0.46f), so their single-precision values are used.
const HAMMING_A = Math.fround(0.54);
const HAMMING_B = Math.fround(0.46);

export interface PilFilter {
  readonly support: number;
  weight(x: number): number;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

/** Pillow's filter table (Resample.c): box, bilinear (triangle), hamming, bicubic (a = -0.5), lanczos (a = 3). */
export const PIL_FILTERS = {
  box: { support: 0.5, weight: (x: number) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: { support: 1, weight: (x: number) => (x < 0 ? (x > -1 ? 1 + x : 0) : x < 1 ? 1 - x : 0) },
  hamming: {
    support: 1,
    weight: (x: number) => {
      const ax = Math.abs(x);
      if (ax === 0) return 1;
      if (ax >= 1) return 0;
      const px = ax * Math.PI;
      return (Math.sin(px) / px) * (HAMMING_A + HAMMING_B * Math.cos(px));
    },
  },
  bicubic: {
    support: 2,
    weight: (x: number) => {
      const a = -0.5;
      const ax = Math.abs(x);
      if (ax < 1) return ((a + 2) * ax - (a + 3)) * ax * ax + 1;
      if (ax < 2) return (((ax - 5) * ax + 8) * ax - 4) * a;
      return 0;
    },
  },
  lanczos: { support: 3, weight: (x: number) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
} satisfies Record<string, PilFilter>;

export type PilFilterName = keyof typeof PIL_FILTERS | 'nearest';

/** Per output sample: first input index, tap count and fixed-point weights (Pillow's precompute_coeffs + normalize). */
export interface FixedCoefficients {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly taps: number;
  readonly weights: Int32Array;
}

export function pilCoefficients(inSize: number, outSize: number, filter: PilFilter): FixedCoefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * taps);
  const k = new Float64Array(taps);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterScale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = filter.weight((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const w = ww !== 0 ? k[x] / ww : k[x];
      weights[xx * taps + x] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { start, count, taps, weights };
}

function clip8(acc: number): number {
  const v = Math.floor(acc / ONE); // arithmetic shift right by 22 on an int32 that cannot overflow here
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

function horizontalPass(src: RgbImage, outWidth: number, c: FixedCoefficients): RgbImage {
  const { width, height, data } = src;
  const out = new Uint8Array(outWidth * height * 3);
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    for (let xx = 0; xx < outWidth; xx++) {
      const xmin = c.start[xx];
      const n = c.count[xx];
      const kOff = xx * c.taps;
      let r = ONE / 2, g = ONE / 2, b = ONE / 2;
      for (let x = 0; x < n; x++) {
        const w = c.weights[kOff + x];
        const p = row + (xmin + x) * 3;
        r += data[p] * w;
        g += data[p + 1] * w;
        b += data[p + 2] * w;
      }
      const o = (y * outWidth + xx) * 3;
      out[o] = clip8(r);
      out[o + 1] = clip8(g);
      out[o + 2] = clip8(b);
    }
  }
  return { width: outWidth, height, data: out };
}

function verticalPass(src: RgbImage, outHeight: number, c: FixedCoefficients): RgbImage {
  const { width, data } = src;
  const stride = width * 3;
  const out = new Uint8Array(width * outHeight * 3);
  for (let yy = 0; yy < outHeight; yy++) {
    const ymin = c.start[yy];
    const n = c.count[yy];
    const kOff = yy * c.taps;
    for (let i = 0; i < stride; i++) {
      let acc = ONE / 2;
      for (let y = 0; y < n; y++) acc += data[(ymin + y) * stride + i] * c.weights[kOff + y];
      out[yy * stride + i] = clip8(acc);
    }
  }
  return { width, height: outHeight, data: out };
}

/** Pillow's convolution resize (every filter except NEAREST). */
export function pilConvolve(image: RgbImage, width: number, height: number, filter: PilFilter): RgbImage {
  let current = image;
  if (width !== image.width) current = horizontalPass(current, width, pilCoefficients(image.width, width, filter));
  if (height !== image.height) current = verticalPass(current, height, pilCoefficients(image.height, height, filter));
  return current === image ? { width, height, data: image.data.slice() } : current;
}

/** Source indices of Pillow's NEAREST (ImagingScaleAffine): positions accumulated in double, COORD truncation. */
export function pilNearestIndices(inSize: number, outSize: number): Int32Array {
  const step = inSize / outSize;
  const idx = new Int32Array(outSize);
  let pos = step * 0.5;
  for (let x = 0; x < outSize; x++) {
    const i = pos < 0 ? -1 : Math.trunc(pos);
    idx[x] = Math.min(Math.max(i, 0), inSize - 1);
    pos += step;
  }
  return idx;
}

export function pilNearest(image: RgbImage, width: number, height: number): RgbImage {
  const xs = pilNearestIndices(image.width, width);
  const ys = pilNearestIndices(image.height, height);
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = ys[y] * image.width;
    for (let x = 0; x < width; x++) {
      const s = (row + xs[x]) * 3;
      const o = (y * width + x) * 3;
      out[o] = image.data[s];
      out[o + 1] = image.data[s + 1];
      out[o + 2] = image.data[s + 2];
    }
  }
  return { width, height, data: out };
}

export function pilResizer(filter: PilFilterName): Resizer {
  const name = `pil-${filter}`;
  return {
    name,
    resize(image, width, height) {
      checkResizeArgs(name, image, width, height);
      if (width === image.width && height === image.height) return { width, height, data: image.data.slice() };
      return filter === 'nearest' ? pilNearest(image, width, height) : pilConvolve(image, width, height, PIL_FILTERS[filter]);
    },
  };
}

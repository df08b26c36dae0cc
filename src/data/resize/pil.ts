// Pillow's Image.resize for 8-bit RGB (Pillow 9.x, libImaging/Resample.c and Geometry.c), reproduced bit for bit.
// Facts reproduced:
//  - separable convolution, horizontal pass first, 8-bit clipped intermediate, a pass skipped when its size is unchanged;
//  - support = filter support * max(scale, 1): downscaling antialiases by stretching the kernel;
//  - window per output x: centre = (x + 0.5) * scale, xmin = trunc(centre - support + 0.5) clamped at 0,
//    xmax = trunc(centre + support + 0.5) clamped at the input size, weights filter((i - centre + 0.5) / max(scale, 1))
//    normalised to sum 1 in double;
//  - weights become 22-bit fixed point (PRECISION_BITS = 32 - 8 - 2), rounded half away from zero; the accumulator starts
//    at 1 << 21 (rounding) and the result is acc >> 22 clamped to 0..255 (the passes run as WebAssembly SIMD kernels,
//    wasm-resample.ts: integer sums, so order-independent and exact);
//  - NEAREST is an affine scale: source x = floor(x0 + scale/2 + k*scale) accumulated in double, not a convolution.
import { crop, type RgbImage } from '../image.js';
import type { Resizer } from '../seams.js';
import { checkResizeArgs } from './common.js';
import { maxOf } from '../../util/array.js';
import { horizontalRows, verticalRows } from './wasm-resample.js';

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

/** Output columns [x0, x1) of the horizontal pass, for input rows [y0, y1) (WebAssembly SIMD: wasm-resample.ts). */
function horizontalPass(src: RgbImage, c: FixedCoefficients, x0: number, x1: number, y0: number, y1: number): RgbImage {
  const data = horizontalRows(src.data.subarray(y0 * src.width * 3), src.width, y1 - y0, c, x0, x1);
  return { width: x1 - x0, height: y1 - y0, data };
}

/**
 * Output rows [yy0, yy1) of the vertical pass; `src` holds input rows from `firstRow` on. Row-wise: each
 * output row accumulates whole input rows, so memory is read in order (WebAssembly SIMD: wasm-resample.ts).
 */
function verticalPass(src: RgbImage, c: FixedCoefficients, yy0: number, yy1: number, firstRow: number): RgbImage {
  return { width: src.width, height: yy1 - yy0, data: verticalRows(src.data, src.width, src.height, firstRow, c, yy0, yy1) };
}

export interface ResizeWindow {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Pillow's convolution resize (every filter except NEAREST): horizontal pass, then vertical, each skipped when
 * that side keeps its size. With `window`, only the window of the result is computed (each output pixel is
 * independent, so this equals resizing and cropping, with the work outside the window skipped).
 */
export function pilConvolve(image: RgbImage, width: number, height: number, filter: PilFilter, window: ResizeWindow = { left: 0, top: 0, width, height }): RgbImage {
  const { left, top } = window;
  const right = left + window.width;
  const bottom = top + window.height;
  const vertical = height !== image.height ? pilCoefficients(image.height, height, filter) : undefined;
  // Input rows the wanted output rows read.
  const firstRow = vertical ? vertical.start[top] : top;
  const lastRow = vertical ? maxOf(Array.from({ length: window.height }, (_, k) => vertical.start[top + k] + vertical.count[top + k])) : bottom;
  let current: RgbImage;
  if (width !== image.width) {
    current = horizontalPass(image, pilCoefficients(image.width, width, filter), left, right, firstRow, lastRow);
  } else {
    current = crop(image, left, firstRow, window.width, lastRow - firstRow);
  }
  return vertical ? verticalPass(current, vertical, top, bottom, firstRow) : current;
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
    resizeWindow(image, width, height, window) {
      checkResizeArgs(name, image, width, height);
      if (filter === 'nearest' || (width === image.width && height === image.height)) {
        const full = this.resize(image, width, height) as RgbImage;
        return crop(full, window.left, window.top, window.width, window.height);
      }
      return pilConvolve(image, width, height, PIL_FILTERS[filter], window);
    },
  };
}

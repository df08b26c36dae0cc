// Image filters shared by the corruptions: border index rules, separable convolution, box sums,
// bilinear sampling. All work on interleaved float buffers with `channels` values per pixel (1 or 3)
// and allocate only their outputs; the line arithmetic runs in wasm-kernels.ts on its scratch heap.

/**
 * How an index outside [0, n) is mapped back inside, named after the libraries whose defaults they copy:
 * - 'nearest': a a a | a b c d | d d d (scipy 'nearest', skimage.filters.gaussian's default)
 * - 'reflect': c b a | a b c d | d c b (scipy/skimage 'reflect', half-sample symmetric)
 * - 'reflect101': d c b | a b c d | c b a (OpenCV BORDER_REFLECT_101, the default of filter2D and blur)
 */
import { axpy, axpy2, gatherLerp, heap, lerp, lerpAdd, readResult, scale as setScaled } from './wasm-kernels.js';

export type BorderMode = 'nearest' | 'reflect' | 'reflect101';

export function borderIndex(i: number, n: number, mode: BorderMode): number {
  if (i >= 0 && i < n) return i;
  if (n === 1) return 0;
  if (mode === 'nearest') return i < 0 ? 0 : n - 1;
  // Reflection is periodic with period 2n (reflect) or 2n-2 (reflect101): fold into one period.
  if (mode === 'reflect') {
    const period = 2 * n;
    let k = ((i % period) + period) % period;
    if (k >= n) k = period - 1 - k;
    return k;
  }
  const period = 2 * n - 2;
  let k = ((i % period) + period) % period;
  if (k >= n) k = period - k;
  return k;
}

/** Index table for a padded line: entry j is the source index of padded position j - pad. */
function paddedIndices(n: number, pad: number, mode: BorderMode): Int32Array {
  const table = new Int32Array(n + 2 * pad);
  for (let j = 0; j < table.length; j++) table[j] = borderIndex(j - pad, n, mode);
  return table;
}

/**
 * Sampled Gaussian as scipy.ndimage.gaussian_filter1d builds it: radius = floor(truncate*sigma + 0.5),
 * weights exp(-x^2 / 2 sigma^2) normalised to sum 1.
 */
export function gaussianKernel(sigma: number, truncate = 4): Float64Array {
  const radius = Math.floor(truncate * sigma + 0.5);
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const w = Math.exp((-0.5 * i * i) / (sigma * sigma));
    kernel[i + radius] = w;
    sum += w;
  }
  for (let i = 0; i < kernel.length; i++) kernel[i] /= sum;
  return kernel;
}

function isSymmetric(kernel: ArrayLike<number>): boolean {
  for (let k = 0; k < kernel.length >> 1; k++) if (kernel[k] !== kernel[kernel.length - 1 - k]) return false;
  return true;
}

/**
 * Horizontal correlation of every row of `src` with an odd-length kernel centred on its middle tap, into the
 * scratch heap at byte offset `outAt`. Each row is copied once into a padded line on the heap; the taps are
 * then accumulated over the whole row (wasm-kernels.ts), symmetric kernels (all of ours) in mirrored pairs.
 */
function rowsOnHeap(src: Float32Array, width: number, height: number, channels: number, kernel: ArrayLike<number>, mode: BorderMode, outAt: number): void {
  const radius = (kernel.length - 1) >> 1;
  const symmetric = isSymmetric(kernel);
  const table = paddedIndices(width, radius, mode);
  const rowLength = width * channels;
  const mark = heap.mark();
  const paddedAt = heap.alloc(table.length * channels);
  const padded = paddedAt >> 2;
  const h = heap.f32();
  for (let y = 0; y < height; y++) {
    const rowStart = y * rowLength;
    // The row itself in one copy; only the padding goes through the border table.
    h.set(src.subarray(rowStart, rowStart + rowLength), padded + radius * channels);
    for (let j = 0; j < table.length; j++) {
      if (j === radius) j = radius + width;
      if (j >= table.length) break;
      const s = rowStart + table[j] * channels;
      for (let c = 0; c < channels; c++) h[padded + j * channels + c] = src[s + c];
    }
    const out = outAt + 4 * rowStart;
    setScaled(out, paddedAt + 4 * radius * channels, kernel[radius], rowLength);
    for (let k = 0; k < radius; k++) {
      const w = kernel[k];
      const lo = paddedAt + 4 * k * channels;
      const hi = paddedAt + 4 * (kernel.length - 1 - k) * channels;
      if (symmetric) {
        if (w !== 0) axpy2(out, lo, hi, w, rowLength);
      } else {
        axpy(out, lo, w, rowLength);
        axpy(out, hi, kernel[kernel.length - 1 - k], rowLength);
      }
    }
  }
  heap.release(mark);
}

/** Vertical correlation of every column of the image at heap offset `srcAt` into heap offset `outAt`. */
function columnsOnHeap(srcAt: number, width: number, height: number, channels: number, kernel: ArrayLike<number>, mode: BorderMode, outAt: number): void {
  const radius = (kernel.length - 1) >> 1;
  const symmetric = isSymmetric(kernel);
  const rowBytes = 4 * width * channels;
  const rowLength = width * channels;
  const table = paddedIndices(height, radius, mode);
  for (let y = 0; y < height; y++) {
    const out = outAt + y * rowBytes;
    setScaled(out, srcAt + table[y + radius] * rowBytes, kernel[radius], rowLength);
    for (let k = 0; k < radius; k++) {
      const w = kernel[k];
      const lo = srcAt + table[y + k] * rowBytes;
      const hi = srcAt + table[y + kernel.length - 1 - k] * rowBytes;
      if (symmetric) {
        if (w !== 0) axpy2(out, lo, hi, w, rowLength);
      } else {
        axpy(out, lo, w, rowLength);
        axpy(out, hi, kernel[kernel.length - 1 - k], rowLength);
      }
    }
  }
}

/** Horizontal correlation of every row with an odd-length kernel centred on its middle tap. */
export function convolveRows(src: Float32Array, width: number, height: number, channels: number, kernel: ArrayLike<number>, mode: BorderMode, dst = new Float32Array(src.length)): Float32Array {
  const mark = heap.mark();
  try {
    const outAt = heap.alloc(src.length);
    rowsOnHeap(src, width, height, channels, kernel, mode, outAt);
    return heap.read(outAt, src.length, dst);
  } finally {
    heap.release(mark);
  }
}

/** Vertical correlation of every column with an odd-length kernel centred on its middle tap. */
export function convolveColumns(src: Float32Array, width: number, height: number, channels: number, kernel: ArrayLike<number>, mode: BorderMode, dst = new Float32Array(src.length)): Float32Array {
  const mark = heap.mark();
  try {
    const srcAt = heap.load(src);
    const outAt = heap.alloc(src.length);
    columnsOnHeap(srcAt, width, height, channels, kernel, mode, outAt);
    return heap.read(outAt, src.length, dst);
  } finally {
    heap.release(mark);
  }
}

/** A row pass then a column pass, the intermediate kept on the heap; the result clipped to [0, 1] there when `clip`. */
function separable(src: Float32Array, width: number, height: number, channels: number, rowKernel: ArrayLike<number>, columnKernel: ArrayLike<number>, mode: BorderMode, dst?: Float32Array, clip = false): Float32Array {
  const mark = heap.mark();
  try {
    const rowsAt = heap.alloc(src.length);
    rowsOnHeap(src, width, height, channels, rowKernel, mode, rowsAt);
    const outAt = heap.alloc(src.length);
    columnsOnHeap(rowsAt, width, height, channels, columnKernel, mode, outAt);
    return readResult(outAt, src.length, clip, dst);
  } finally {
    heap.release(mark);
  }
}

/**
 * Separable Gaussian blur (skimage.filters.gaussian semantics: sigma per spatial axis, none across channels), into
 * `dst` when given; with `clip`, clipped to [0, 1] as clip01 does (on the heap, before the result is read out).
 */
export function gaussianBlur(src: Float32Array, width: number, height: number, channels: number, sigma: number, mode: BorderMode = 'nearest', truncate = 4, sigmaY = sigma, dst?: Float32Array, clip = false): Float32Array {
  return separable(src, width, height, channels, gaussianKernel(sigma, truncate), gaussianKernel(sigmaY, truncate), mode, dst, clip);
}

/** Mean over a (2r+1)x(2r+1) window, as cv2.blur with ksize 3 does for r = 1 (BORDER_REFLECT_101), into `dst` when given. */
export function boxBlur(src: Float32Array, width: number, height: number, channels: number, radius: number, mode: BorderMode = 'reflect101', dst?: Float32Array): Float32Array {
  const taps = new Float64Array(2 * radius + 1).fill(1 / (2 * radius + 1));
  return separable(src, width, height, channels, taps, taps, mode, dst);
}

/**
 * Bilinear sample tables for resampling a line of `inLength` samples starting at `first` onto `outLength`
 * positions with coordinate map x_in = first + x_out * step: lower index and weight of the upper neighbour.
 */
export function linearTaps(outLength: number, inLength: number, first: number, step: number, offset = 0): { lower: Int32Array; weight: Float32Array } {
  const lower = new Int32Array(outLength);
  const weight = new Float32Array(outLength);
  for (let i = 0; i < outLength; i++) {
    const x = first + (i + offset) * step;
    let x0 = Math.floor(x);
    let w = x - x0;
    if (x0 >= inLength - 1) {
      x0 = Math.max(inLength - 2, 0);
      w = inLength > 1 ? x - x0 : 0;
      if (w > 1) w = 1;
    }
    if (x0 < 0) {
      x0 = 0;
      w = 0;
    }
    lower[i] = x0;
    weight[i] = w;
  }
  return { lower, weight };
}

/**
 * scipy.ndimage.zoom(order=1) of the centre crop followed by a centre trim back to the input size — the
 * "clipped zoom" of ImageNet-C (zoom_blur, snow). The crop is ceil(n / zoom) wide, zoomed to round(crop * zoom)
 * with scipy's corner-aligned coordinates x_in = x_out * (crop - 1) / (zoomed - 1), then trimmed centrally.
 * Separable: rows are resampled first, then columns. Reads the image at heap offset `srcAt`; writes the result
 * to heap offset `outAt`, or adds `scale` times it there when `accumulate`.
 */
function clippedZoomOnHeap(srcAt: number, width: number, height: number, channels: number, zoom: number, outAt: number, accumulate: boolean, scale: number): void {
  const cropH = Math.ceil(height / zoom);
  const cropW = Math.ceil(width / zoom);
  const top = (height - cropH) >> 1;
  const left = (width - cropW) >> 1;
  const zoomedH = Math.round(cropH * zoom);
  const zoomedW = Math.round(cropW * zoom);
  const trimTop = (zoomedH - height) >> 1;
  const trimLeft = (zoomedW - width) >> 1;
  const stepY = zoomedH > 1 ? (cropH - 1) / (zoomedH - 1) : 0;
  const stepX = zoomedW > 1 ? (cropW - 1) / (zoomedW - 1) : 0;
  const ys = linearTaps(height, cropH, 0, stepY, trimTop);
  const xs = linearTaps(width, cropW, 0, stepX, trimLeft);
  // Horizontal pass over only the crop rows that the vertical pass reads.
  const rowLength = width * channels;
  const firstRow = ys.lower[0];
  const lastRow = Math.min(ys.lower[height - 1] + 1, cropH - 1);
  const mark = heap.mark();
  const rowsAt = heap.alloc((lastRow - firstRow + 1) * rowLength);
  // Per output value of a row: byte offsets (from the crop row's start) of its two source values, and the weight.
  const lowerAt = heap.alloc(rowLength);
  const upperAt = heap.alloc(rowLength);
  const weightAt = heap.alloc(rowLength);
  const offsets = heap.i32();
  const weights = heap.f32();
  for (let x = 0; x < width; x++) {
    const a = xs.lower[x] * channels;
    const b = Math.min(xs.lower[x] + 1, cropW - 1) * channels; // a one-pixel crop has no right neighbour
    for (let c = 0; c < channels; c++) {
      const j = x * channels + c;
      offsets[(lowerAt >> 2) + j] = 4 * (a + c);
      offsets[(upperAt >> 2) + j] = 4 * (b + c);
      weights[(weightAt >> 2) + j] = xs.weight[x];
    }
  }
  for (let r = firstRow; r <= lastRow; r++) {
    gatherLerp(rowsAt + 4 * (r - firstRow) * rowLength, srcAt + 4 * ((top + r) * width * channels + left * channels), lowerAt, upperAt, weightAt, rowLength);
  }
  for (let y = 0; y < height; y++) {
    const r0 = rowsAt + 4 * (ys.lower[y] - firstRow) * rowLength;
    const r1 = rowsAt + 4 * Math.min(ys.lower[y] + 1 - firstRow, lastRow - firstRow) * rowLength;
    const d = outAt + 4 * y * rowLength;
    if (accumulate) lerpAdd(d, r0, r1, ys.weight[y], scale, rowLength);
    else lerp(d, r0, r1, ys.weight[y], rowLength);
  }
  heap.release(mark);
}

/** The clipped zoom (clippedZoomOnHeap) of `src`; adds `scale` times it into `accumulate` if given. */
export function clippedZoom(src: Float32Array, width: number, height: number, channels: number, zoom: number, accumulate?: Float32Array, scale = 1): Float32Array {
  const mark = heap.mark();
  try {
    const srcAt = heap.load(src);
    const outAt = accumulate ? heap.load(accumulate) : heap.alloc(src.length);
    clippedZoomOnHeap(srcAt, width, height, channels, zoom, outAt, accumulate !== undefined, scale);
    return heap.read(outAt, src.length, accumulate);
  } finally {
    heap.release(mark);
  }
}

/**
 * scale * (src + the clipped zoom of src by each factor), a factor of exactly 1 adding src itself: the mean
 * that zoom_blur takes, summed on the heap in the order the factors come; with `clip`, clipped to [0, 1] there.
 */
export function clippedZoomMean(src: Float32Array, width: number, height: number, channels: number, zooms: readonly number[], scale: number, clip = false): Float32Array {
  const mark = heap.mark();
  try {
    const srcAt = heap.load(src);
    const outAt = heap.alloc(src.length);
    setScaled(outAt, srcAt, scale, src.length);
    for (const zoom of zooms) {
      if (zoom === 1) axpy(outAt, srcAt, scale, src.length);
      else clippedZoomOnHeap(srcAt, width, height, channels, zoom, outAt, true, scale);
    }
    return readResult(outAt, src.length, clip);
  } finally {
    heap.release(mark);
  }
}

/**
 * Clips every value to [0, 1] in place (v < 0 ? 0 : v > 1 ? 1 : v), on the heap in SIMD: copying in and out costs
 * less than the loop. A blur that ends in a clip takes its `clip` flag instead, saving both copies.
 */
export function clip01(data: Float32Array): Float32Array {
  const mark = heap.mark();
  try {
    return readResult(heap.load(data), data.length, true, data);
  } finally {
    heap.release(mark);
  }
}

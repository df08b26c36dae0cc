// defocus_blur: convolution with an anti-aliased disk, as imagecorruptions builds it with OpenCV.
// Kernel: the indicator of x^2 + y^2 <= r^2 on a grid of half-size max(8, r), normalised, then blurred by
// cv2.GaussianBlur (3x3 when r <= 8, else 5x5, sigma = alias blur, BORDER_REFLECT_101); applied with filter2D.
//
// Fast path, exact up to float round-off: the disk is a stack of horizontal runs, so disk(img) costs one
// subtraction of row prefix sums per kernel row; the Gaussian is separable and applied after; a few taps
// where the kernel's own border reflection differs from the full convolution G*disk are added back directly.
import type { FloatImage } from '../../data/image.js';
import { borderIndex, convolveColumns, convolveRows } from './filters.js';
import { scratch } from '../../util/scratch.js';
import { atSeverity, sameSize, type Severity } from './types.js';
import { diff64Add, heap } from './wasm-kernels.js';

/** (disk radius, alias blur sigma) per severity (spec natural-noise.md). */
export const DEFOCUS_BLUR = [[3, 0.1], [4, 0.5], [6, 0.5], [8, 0.5], [10, 0.5]] as const;

/** cv2.getGaussianKernel for an explicit sigma. */
function cvGaussian(ksize: number, sigma: number): Float64Array {
  const k = new Float64Array(ksize);
  const mid = (ksize - 1) / 2;
  let sum = 0;
  for (let i = 0; i < ksize; i++) {
    k[i] = Math.exp(-((i - mid) ** 2) / (2 * sigma * sigma));
    sum += k[i];
  }
  for (let i = 0; i < ksize; i++) k[i] /= sum;
  return k;
}

export interface DiskKernel {
  /** Half-size of the kernel grid. */
  readonly half: number;
  /** Run half-widths of the aliased disk per row offset -half..half (-1: empty row). */
  readonly runs: Int32Array;
  /** Number of grid points in the disk (its normaliser). */
  readonly count: number;
  /** 1-D Gaussian of the alias blur. */
  readonly gaussian: Float64Array;
  /** The OpenCV kernel, (2*half+1)^2 row-major. */
  readonly kernel: Float64Array;
  /** Sparse correction taps: kernel - (gaussian (x) disk), over the grid grown by the Gaussian's radius. */
  readonly corrections: readonly { dy: number; dx: number; weight: number }[];
}

export function diskKernel(radius: number, aliasBlur: number): DiskKernel {
  const half = radius <= 8 ? 8 : radius;
  const ksize = radius <= 8 ? 3 : 5;
  const n = 2 * half + 1;
  const aliased = new Float64Array(n * n);
  const runs = new Int32Array(n).fill(-1);
  let count = 0;
  for (let y = -half; y <= half; y++) {
    for (let x = -half; x <= half; x++) {
      if (x * x + y * y <= radius * radius) {
        aliased[(y + half) * n + x + half] = 1;
        count++;
        runs[y + half] = Math.max(runs[y + half], Math.abs(x));
      }
    }
  }
  for (let i = 0; i < aliased.length; i++) aliased[i] /= count;
  const gaussian = cvGaussian(ksize, aliasBlur);
  const g = (ksize - 1) >> 1;
  // cv2.GaussianBlur of the kernel image itself, with BORDER_REFLECT_101 at the kernel's edges.
  const tmp = new Float64Array(n * n);
  const kernel = new Float64Array(n * n);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
    let s = 0;
    for (let k = -g; k <= g; k++) s += gaussian[k + g] * aliased[y * n + borderIndex(x + k, n, 'reflect101')];
    tmp[y * n + x] = s;
  }
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
    let s = 0;
    for (let k = -g; k <= g; k++) s += gaussian[k + g] * tmp[borderIndex(y + k, n, 'reflect101') * n + x];
    kernel[y * n + x] = s;
  }
  // Full (unclipped) convolution G * aliased on the grown grid, to find where the OpenCV kernel departs from it.
  const m = n + 2 * g;
  const corrections: { dy: number; dx: number; weight: number }[] = [];
  for (let y = 0; y < m; y++) for (let x = 0; x < m; x++) {
    let full = 0;
    for (let ky = -g; ky <= g; ky++) for (let kx = -g; kx <= g; kx++) {
      const sy = y - g + ky;
      const sx = x - g + kx;
      if (sy < 0 || sy >= n || sx < 0 || sx >= n) continue;
      full += gaussian[ky + g] * gaussian[kx + g] * aliased[sy * n + sx];
    }
    const ky = y - g;
    const kx = x - g;
    const cv = ky >= 0 && ky < n && kx >= 0 && kx < n ? kernel[ky * n + kx] : 0;
    const weight = cv - full;
    if (Math.abs(weight) > 1e-12) corrections.push({ dy: ky - half, dx: kx - half, weight });
  }
  return { half, runs, count, gaussian, kernel, corrections };
}

const kernelCache = new Map<string, DiskKernel>();

function cachedDisk(radius: number, aliasBlur: number): DiskKernel {
  const key = `${radius}/${aliasBlur}`;
  let k = kernelCache.get(key);
  if (!k) kernelCache.set(key, (k = diskKernel(radius, aliasBlur)));
  return k;
}

/** Correlates an interleaved image with the normalised aliased disk (BORDER_REFLECT_101), by row prefix sums. */
function diskSum(src: Float32Array, width: number, height: number, channels: number, disk: DiskKernel, dst: Float32Array): Float32Array {
  const pad = disk.half;
  const paddedWidth = width + 2 * pad;
  const stride = (paddedWidth + 1) * channels;
  const mark = heap.mark();
  try {
    // prefix[y][j][c] = sum of padded row y over columns < j, in float64 on the heap (2 float32 slots each).
    const prefixAt = heap.alloc(2 * height * stride);
    const outAt = heap.alloc(src.length);
    const prefix = heap.f64();
    const base64 = prefixAt >> 3;
    const columns = new Int32Array(paddedWidth);
    for (let j = 0; j < paddedWidth; j++) columns[j] = borderIndex(j - pad, width, 'reflect101');
    for (let y = 0; y < height; y++) {
      const base = base64 + y * stride;
      const row = y * width * channels;
      for (let c = 0; c < channels; c++) prefix[base + c] = 0;
      for (let j = 0; j < paddedWidth; j++) {
        const s = row + columns[j] * channels;
        const p = base + j * channels;
        for (let c = 0; c < channels; c++) prefix[p + channels + c] = prefix[p + c] + src[s + c];
      }
    }
    heap.f32().fill(0, outAt >> 2, (outAt >> 2) + src.length);
    const rowLength = width * channels;
    const scale = 1 / disk.count;
    for (let r = 0; r < disk.runs.length; r++) {
      const w = disk.runs[r];
      if (w < 0) continue;
      const dy = r - pad;
      // Output x sums padded columns [x + pad - w, x + pad + w].
      const lo = 8 * (pad - w) * channels;
      const hi = 8 * (pad + w + 1) * channels;
      for (let y = 0; y < height; y++) {
        const base = prefixAt + 8 * borderIndex(y + dy, height, 'reflect101') * stride;
        diff64Add(outAt + 4 * y * rowLength, base + lo, base + hi, scale, rowLength);
      }
    }
    return heap.read(outAt, src.length, dst);
  } finally {
    heap.release(mark);
  }
}

/** filter2D(image, diskKernel(radius, aliasBlur)) with BORDER_REFLECT_101, computed the fast way. */
export function defocus(src: Float32Array, width: number, height: number, channels: number, radius: number, aliasBlur: number): Float32Array {
  const disk = cachedDisk(radius, aliasBlur);
  const summed = diskSum(src, width, height, channels, disk, scratch('defocus.disk', Float32Array, src.length));
  const rows = convolveRows(summed, width, height, channels, disk.gaussian, 'reflect101', scratch('defocus.rows', Float32Array, src.length));
  const out = convolveColumns(rows, width, height, channels, disk.gaussian, 'reflect101');
  const rowLength = width * channels;
  for (const { dy, dx, weight } of disk.corrections) {
    for (let y = 0; y < height; y++) {
      const s = borderIndex(y + dy, height, 'reflect101') * rowLength;
      const d = y * rowLength;
      for (let x = 0; x < width; x++) {
        const sx = s + borderIndex(x + dx, width, 'reflect101') * channels;
        for (let c = 0; c < channels; c++) out[d + x * channels + c] += weight * src[sx + c];
      }
    }
  }
  return out;
}

export function defocusBlur(image: FloatImage, severity: Severity): FloatImage {
  const [radius, aliasBlur] = atSeverity(DEFOCUS_BLUR, severity);
  const out = defocus(image.data, image.width, image.height, 3, radius, aliasBlur);
  for (let i = 0; i < out.length; i++) out[i] = out[i] < 0 ? 0 : out[i] > 1 ? 1 : out[i];
  return sameSize(image, out);
}

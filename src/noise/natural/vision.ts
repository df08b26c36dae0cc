// The few OpenCV operations spatter needs, on 8-bit single-channel images, reimplemented from their documented
// behaviour: Canny (3x3 Sobel, L1 magnitude, non-maximum suppression, hysteresis), the 5x5 chamfer
// Euclidean distance transform, histogram equalisation, and a 3x3 filter saturated to bytes.
import { borderIndex } from './filters.js';
import { scratch } from '../../util/scratch.js';
import { chamferMin, heap } from './wasm-kernels.js';

/** Canny edge map: 255 on edges, 0 elsewhere (cv2.Canny(img, low, high) with aperture 3 and L1 gradient). */
export function canny(src: Uint8Array, width: number, height: number, low: number, high: number, out = new Uint8Array(width * height)): Uint8Array {
  const n = width * height;
  // OpenCV's Canny takes the Sobel derivatives with replicated borders: pad by one pixel.
  const pw = width + 2;
  const padded = scratch('canny.padded', Int32Array, pw * (height + 2));
  for (let y = -1; y <= height; y++) {
    const sy = y < 0 ? 0 : y >= height ? height - 1 : y;
    const row = (y + 1) * pw;
    padded.set(src.subarray(sy * width, sy * width + width), row + 1);
    padded[row] = src[sy * width];
    padded[row + pw - 1] = src[sy * width + width - 1];
  }
  const gx = scratch('canny.gx', Int32Array, n);
  const gy = scratch('canny.gy', Int32Array, n);
  // Magnitude with a zero border, so suppression needs no bounds tests.
  const magnitude = scratch('canny.magnitude', Int32Array, pw * (height + 2));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = (y + 1) * pw + x + 1;
      const a = padded[c - pw - 1], b = padded[c - pw], cc = padded[c - pw + 1];
      const d = padded[c - 1], f = padded[c + 1];
      const g = padded[c + pw - 1], h = padded[c + pw], k = padded[c + pw + 1];
      const dx = cc + 2 * f + k - a - 2 * d - g;
      const dy = g + 2 * h + k - a - 2 * b - cc;
      const i = y * width + x;
      gx[i] = dx;
      gy[i] = dy;
      magnitude[c] = (dx < 0 ? -dx : dx) + (dy < 0 ? -dy : dy);
    }
  }
  // 0: not an edge, 1: weak candidate, 2: strong edge.
  const state = scratch('canny.state', Uint8Array, n);
  const stack = scratch('canny.stack', Int32Array, n);
  let top = 0;
  const tan22 = Math.tan(Math.PI / 8);
  const tan67 = Math.tan((3 * Math.PI) / 8);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = (y + 1) * pw + x + 1;
      const m = magnitude[c];
      if (m <= low) continue;
      const i = y * width + x;
      const ax = gx[i] < 0 ? -gx[i] : gx[i];
      const ay = gy[i] < 0 ? -gy[i] : gy[i];
      let isMax: boolean;
      if (ay < ax * tan22) isMax = m > magnitude[c - 1] && m >= magnitude[c + 1];
      else if (ay > ax * tan67) isMax = m > magnitude[c - pw] && m >= magnitude[c + pw];
      else {
        const s = (gx[i] < 0) !== (gy[i] < 0) ? -1 : 1;
        isMax = m > magnitude[c - pw - s] && m > magnitude[c + pw + s];
      }
      if (!isMax) continue;
      if (m > high) {
        state[i] = 2;
        stack[top++] = i;
      } else state[i] = 1;
    }
  }
  // Hysteresis: weak candidates 8-connected to a strong edge become edges.
  while (top > 0) {
    const i = stack[--top];
    const y = (i / width) | 0;
    const x = i - y * width;
    for (let dy = -1; dy <= 1; dy++) {
      const yy = y + dy;
      if (yy < 0 || yy >= height) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        if (xx < 0 || xx >= width) continue;
        const j = yy * width + xx;
        if (state[j] === 1) {
          state[j] = 2;
          stack[top++] = j;
        }
      }
    }
  }
  for (let i = 0; i < n; i++) out[i] = state[i] === 2 ? 255 : 0;
  return out;
}

/**
 * Distance from each pixel to the nearest edge pixel (edges: non-zero in `edges`), by the two-pass 5x5 chamfer
 * OpenCV uses for DIST_L2 with mask 5 (steps 1, 1.4 and 2.1969 for axial, diagonal and knight moves).
 * With no edge at all every distance is "far" (1e6).
 */
export function distanceTransformL2(edges: Uint8Array, width: number, height: number, out = new Float32Array(width * height)): Float32Array {
  const far = 1e6;
  const a = 1, b = 1.4, c = 2.1969;
  // Two-pixel border of "far" so the masks need no bounds tests; the grid lives on the kernels' heap.
  const pw = width + 4;
  const mark = heap.mark();
  try {
    const gridAt = heap.alloc(pw * (height + 4));
    const lineAt = heap.alloc(width);
    const h = heap.f32();
    const grid = gridAt >> 2, line = lineAt >> 2;
    h.fill(far, grid, grid + pw * (height + 4));
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (edges[y * width + x]) h[grid + (y + 2) * pw + x + 2] = 0;
    // Each pass takes a line's minimum over the neighbours on the lines already done (chamferMin, in SIMD), then
    // runs along the line for the in-line neighbour; the minimum of the same sums, so the same distances.
    const r1 = 4 * pw, r2 = 8 * pw;
    const above = [-r2 - 4, -r2 + 4, -r1 - 8, -r1 - 4, -r1, -r1 + 4, -r1 + 8];
    const below = above.map((delta) => -delta);
    for (let y = 0; y < height; y++) {
      const start = grid + (y + 2) * pw + 2;
      chamferMin(lineAt, 4 * start, above, a, b, c, width);
      let left = h[start - 1];
      for (let x = 0; x < width; x++) {
        const v = left + a;
        const t = h[line + x];
        h[start + x] = v < t ? v : t;
        left = h[start + x];
      }
    }
    for (let y = height - 1; y >= 0; y--) {
      const start = grid + (y + 2) * pw + 2;
      chamferMin(lineAt, 4 * start, below, a, b, c, width);
      let right = h[start + width];
      for (let x = width - 1; x >= 0; x--) {
        const v = right + a;
        const t = h[line + x];
        h[start + x] = v < t ? v : t;
        right = h[start + x];
      }
    }
    for (let y = 0; y < height; y++) out.set(h.subarray(grid + (y + 2) * pw + 2, grid + (y + 2) * pw + 2 + width), y * width);
    return out;
  } finally {
    heap.release(mark);
  }
}

/** cv2.equalizeHist: lut[v] = round(255 * (cdf(v) - h(first)) / (N - h(first))). */
export function equalizeHistogram(src: Uint8Array, out = new Uint8Array(src.length)): Uint8Array {
  const hist = new Int32Array(256);
  for (let i = 0; i < src.length; i++) hist[src[i]]++;
  let first = 0;
  while (first < 256 && hist[first] === 0) first++;
  if (first === 256) return out.fill(0);
  if (hist[first] === src.length) return out.fill(first);
  const scale = 255 / (src.length - hist[first]);
  const lut = new Uint8Array(256);
  let sum = 0;
  for (let v = first + 1; v < 256; v++) {
    sum += hist[v];
    lut[v] = Math.min(255, Math.round(sum * scale));
  }
  for (let i = 0; i < src.length; i++) out[i] = lut[src[i]];
  return out;
}

/** 3x3 correlation (cv2.filter2D with BORDER_REFLECT_101) rounded and saturated to 0..255. */
export function filter3x3ToByte(src: Uint8Array, width: number, height: number, kernel: readonly number[], out = new Uint8Array(width * height)): Uint8Array {
  const pw = width + 2;
  const padded = scratch('filter3x3.padded', Float32Array, pw * (height + 2));
  for (let y = -1; y <= height; y++) {
    const sy = borderIndex(y, height, 'reflect101') * width;
    const row = (y + 1) * pw;
    padded.set(src.subarray(sy, sy + width), row + 1);
    padded[row] = src[sy + borderIndex(-1, width, 'reflect101')];
    padded[row + pw - 1] = src[sy + borderIndex(width, width, 'reflect101')];
  }
  const [k0, k1, k2, k3, k4, k5, k6, k7, k8] = kernel;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = (y + 1) * pw + x + 1;
      const s = k0 * padded[c - pw - 1] + k1 * padded[c - pw] + k2 * padded[c - pw + 1] + k3 * padded[c - 1] + k4 * padded[c] + k5 * padded[c + 1] + k6 * padded[c + pw - 1] + k7 * padded[c + pw] + k8 * padded[c + pw + 1];
      out[y * width + x] = s < 0 ? 0 : s > 255 ? 255 : Math.round(s);
    }
  }
  return out;
}

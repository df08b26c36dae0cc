// Motion blur as imagecorruptions implements it (in place of ImageMagick's motion-blur in make_imagenet_c.py):
// a one-sided Gaussian-weighted sum of the image shifted along a line at `angle` degrees, edges clamped.
// Shared by motion_blur and snow. The per-tap line sums run in wasm-kernels.ts.
import { axpy, heap, readResult } from './wasm-kernels.js';

/** Half-Gaussian weights over offsets 0..2*radius, normalised to sum 1 (kernel width = 2*radius + 1). */
export function motionKernel(radius: number, sigma: number): Float64Array {
  const width = 2 * radius + 1;
  const kernel = new Float64Array(width);
  let sum = 0;
  for (let i = 0; i < width; i++) {
    kernel[i] = Math.exp((-i * i) / (2 * sigma * sigma));
    sum += kernel[i];
  }
  for (let i = 0; i < width; i++) kernel[i] /= sum;
  return kernel;
}

/** Pixel offsets (dx, dy) of each tap: the i-th tap reads the pixel i steps back along the direction of motion. */
export function motionOffsets(taps: number, angleDegrees: number): { dx: Int32Array; dy: Int32Array } {
  const theta = (angleDegrees * Math.PI) / 180;
  const sin = Math.sin(theta);
  const cos = Math.cos(theta);
  const dx = new Int32Array(taps);
  const dy = new Int32Array(taps);
  for (let i = 0; i < taps; i++) {
    dy[i] = -Math.ceil(i * sin - 0.5);
    dx[i] = -Math.ceil(i * cos - 0.5);
  }
  return { dx, dy };
}

/**
 * out(y, x) = sum_i k_i * src(clamp(y - dy_i), clamp(x - dx_i)); taps stop once a shift leaves the image. With
 * `clip`, out is clipped to [0, 1] as clip01 does (on the heap, before it is read out).
 */
export function motionBlur(src: Float32Array, width: number, height: number, channels: number, radius: number, sigma: number, angleDegrees: number, clip = false): Float32Array {
  const kernel = motionKernel(radius, sigma);
  const { dx, dy } = motionOffsets(kernel.length, angleDegrees);
  let taps = 0;
  let pad = 0;
  while (taps < kernel.length && Math.abs(dy[taps]) < height && Math.abs(dx[taps]) < width) pad = Math.max(pad, Math.abs(dx[taps++]));
  const rowLength = width * channels;
  // Each row with `pad` copies of its edge pixels on both sides, so every tap is one multiply-add over whole rows:
  // the clamped reads become plain reads of the padding.
  const paddedLength = (width + 2 * pad) * channels;
  const mark = heap.mark();
  try {
    const paddedAt = heap.alloc(height * paddedLength);
    const outAt = heap.alloc(src.length);
    const h = heap.f32();
    const padded = paddedAt >> 2;
    for (let y = 0; y < height; y++) {
      const row = padded + y * paddedLength;
      h.set(src.subarray(y * rowLength, (y + 1) * rowLength), row + pad * channels);
      for (let c = 0; c < channels; c++) {
        const first = src[y * rowLength + c];
        const last = src[(y + 1) * rowLength - channels + c];
        for (let x = 0; x < pad; x++) {
          h[row + x * channels + c] = first;
          h[row + (pad + width + x) * channels + c] = last;
        }
      }
    }
    const target = outAt >> 2;
    h.fill(0, target, target + src.length);
    for (let i = 0; i < taps; i++) {
      const w = kernel[i];
      // Output column x reads padded column x + pad - dx.
      const shift = 4 * (pad - dx[i]) * channels;
      for (let y = 0; y < height; y++) {
        let sy = y - dy[i];
        sy = sy < 0 ? 0 : sy >= height ? height - 1 : sy;
        axpy(outAt + 4 * y * rowLength, paddedAt + 4 * sy * paddedLength + shift, w, rowLength);
      }
    }
    return readResult(outAt, src.length, clip);
  } finally {
    heap.release(mark);
  }
}

// Motion blur as imagecorruptions implements it (in place of ImageMagick's motion-blur in make_imagenet_c.py):
// a one-sided Gaussian-weighted sum of the image shifted along a line at `angle` degrees, edges clamped.
// Shared by motion_blur and snow. The per-tap line sums run in wasm-kernels.ts.
import { axpy, heap } from './wasm-kernels.js';

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

/** out(y, x) = sum_i k_i * src(clamp(y - dy_i), clamp(x - dx_i)); taps stop once a shift leaves the image. */
export function motionBlur(src: Float32Array, width: number, height: number, channels: number, radius: number, sigma: number, angleDegrees: number): Float32Array {
  const kernel = motionKernel(radius, sigma);
  const { dx, dy } = motionOffsets(kernel.length, angleDegrees);
  const rowLength = width * channels;
  const mark = heap.mark();
  try {
    const srcAt = heap.load(src);
    const outAt = heap.alloc(src.length);
    const h = heap.f32();
    const source = srcAt >> 2;
    const target = outAt >> 2;
    h.fill(0, target, target + src.length);
    for (let i = 0; i < kernel.length; i++) {
      if (Math.abs(dy[i]) >= height || Math.abs(dx[i]) >= width) break;
      const w = kernel[i];
      const sx = dx[i];
      // Columns whose source x - sx is inside the image form one contiguous run; the rest repeat an edge column.
      const runStart = Math.max(0, sx);
      const runEnd = Math.min(width, width + sx);
      for (let y = 0; y < height; y++) {
        let sy = y - dy[i];
        sy = sy < 0 ? 0 : sy >= height ? height - 1 : sy;
        const srow = source + sy * rowLength;
        const drow = target + y * rowLength;
        for (let x = 0; x < runStart; x++) for (let c = 0; c < channels; c++) h[drow + x * channels + c] += w * h[srow + c];
        axpy(4 * (drow + runStart * channels), 4 * (srow + (runStart - sx) * channels), w, (runEnd - runStart) * channels);
        const last = srow + (width - 1) * channels;
        for (let x = runEnd; x < width; x++) for (let c = 0; c < channels; c++) h[drow + x * channels + c] += w * h[last + c];
      }
    }
    return heap.read(outAt, src.length);
  } finally {
    heap.release(mark);
  }
}

// TensorFlow 2's tf.image.resize, reimplemented from the documented semantics and kernel facts of
// tensorflow/core/kernels/image (resize_bilinear_op, resize_bicubic_op, resize_area_op, scale_and_translate_op,
// sampling_kernels). TensorFlow is not installable here, so these are pinned by hand-computed values in the tests,
// not by a TF run. tf.image.resize returns float32; robustart rounds half to even and clips to 8 bits
// (tf.round + tf.clip_by_value + cast), the conversion an 8-bit pipeline needs.
// Facts reproduced:
//  - antialias=False: bilinear = ResizeBilinear(half_pixel_centers) with source (x + 0.5) * scale - 0.5 in float32,
//    lower index floor clamped at 0, upper ceil clamped at size - 1, lerp top/bottom then between them;
//    bicubic = ResizeBicubic(half_pixel_centers) with Keys a = -0.5 from a 1024-entry table indexed by
//    round(frac * 1024), taps outside the image get weight 0 and the rest are renormalised; columns of rows first;
//  - antialias=True (downscale only matters): ScaleAndTranslate with kernel 'triangle' / 'keyscubic':
//    scale = out / in (float32), sample = (x + 0.5) / scale, kernel stretched by max(1 / scale, 1),
//    taps ceil(sample - r - 0.5) .. floor(sample + r - 0.5) clamped, weights normalised; rows pass, then columns;
//  - area = ResizeArea (antialias ignored): box average over exact overlaps with scale = in / out, float32.
import type { RgbImage } from '../../../data/image.js';
import type { Resizer } from '../../../data/seams.js';
import { checkResizeArgs, f32, floatToU8, roundHalfEven } from '../../../data/resize/common.js';

export type TfMethod = 'bilinear' | 'bicubic' | 'area';

function bilinear(src: RgbImage, width: number, height: number): Float32Array {
  const axis = (inSize: number, outSize: number) => {
    const scale = f32(inSize / outSize);
    const lower = new Int32Array(outSize);
    const upper = new Int32Array(outSize);
    const lerp = new Float32Array(outSize);
    for (let i = 0; i < outSize; i++) {
      const pos = f32(f32(f32(i + 0.5) * scale) - 0.5);
      const fl = Math.floor(pos);
      lower[i] = Math.max(fl, 0);
      upper[i] = Math.min(Math.ceil(pos), inSize - 1);
      lerp[i] = f32(pos - fl);
    }
    return { lower, upper, lerp };
  };
  const xs = axis(src.width, width);
  const ys = axis(src.height, height);
  const out = new Float32Array(width * height * 3);
  const px = (y: number, x: number, c: number) => src.data[(y * src.width + x) * 3 + c];
  for (let y = 0; y < height; y++) {
    const yl = ys.lerp[y];
    for (let x = 0; x < width; x++) {
      const xl = xs.lerp[x];
      for (let c = 0; c < 3; c++) {
        const tl = px(ys.lower[y], xs.lower[x], c);
        const tr = px(ys.lower[y], xs.upper[x], c);
        const bl = px(ys.upper[y], xs.lower[x], c);
        const br = px(ys.upper[y], xs.upper[x], c);
        const top = f32(tl + f32((tr - tl) * xl));
        const bottom = f32(bl + f32((br - bl) * xl));
        out[(y * width + x) * 3 + c] = f32(top + f32(f32(bottom - top) * yl));
      }
    }
  }
  return out;
}

const TABLE_SIZE = 1024;
/** Keys (a = -0.5) weights at x and x + 1 for x = i / 1024, tabulated in float as ResizeBicubic does. */
const KEYS_TABLE = (() => {
  const a = -0.5;
  const t = new Float32Array((TABLE_SIZE + 1) * 2);
  for (let i = 0; i <= TABLE_SIZE; i++) {
    let x = f32(i / TABLE_SIZE);
    t[i * 2] = ((a + 2) * x - (a + 3)) * x * x + 1;
    x = f32(x + 1);
    t[i * 2 + 1] = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  }
  return t;
})();

function bicubicTaps(inSize: number, outSize: number): { index: Int32Array; weight: Float32Array } {
  const scale = f32(inSize / outSize);
  const index = new Int32Array(outSize * 4);
  const weight = new Float32Array(outSize * 4);
  for (let i = 0; i < outSize; i++) {
    const pos = f32(f32(f32(i + 0.5) * scale) - 0.5);
    const p = Math.floor(pos);
    const offset = roundHalfEven(f32(f32(pos - p) * TABLE_SIZE)); // lrintf
    const raw = [KEYS_TABLE[offset * 2 + 1], KEYS_TABLE[offset * 2], KEYS_TABLE[(TABLE_SIZE - offset) * 2], KEYS_TABLE[(TABLE_SIZE - offset) * 2 + 1]];
    let sum = 0;
    for (let j = 0; j < 4; j++) {
      const want = p - 1 + j;
      const got = Math.min(Math.max(want, 0), inSize - 1);
      index[i * 4 + j] = got;
      weight[i * 4 + j] = got === want ? raw[j] : 0;
    }
    for (let j = 0; j < 4; j++) sum = f32(sum + weight[i * 4 + j]);
    if (Math.abs(sum) >= 1000 * 1.1754943508222875e-38) {
      const inv = f32(1 / sum);
      for (let j = 0; j < 4; j++) weight[i * 4 + j] = f32(weight[i * 4 + j] * inv);
    }
  }
  return { index, weight };
}

function bicubic(src: RgbImage, width: number, height: number): Float32Array {
  const xt = bicubicTaps(src.width, width);
  const yt = bicubicTaps(src.height, height);
  const out = new Float32Array(width * height * 3);
  const cols = new Float32Array(4);
  for (let y = 0; y < height; y++) {
    const yw = y * 4;
    const r0 = yt.index[yw] * src.width, r1 = yt.index[yw + 1] * src.width, r2 = yt.index[yw + 2] * src.width, r3 = yt.index[yw + 3] * src.width;
    const w0 = yt.weight[yw], w1 = yt.weight[yw + 1], w2 = yt.weight[yw + 2], w3 = yt.weight[yw + 3];
    for (let x = 0; x < width; x++) {
      const xw = x * 4;
      for (let c = 0; c < 3; c++) {
        // Interpolate each of the 4 source columns along y (float, left to right), then combine them along x.
        for (let j = 0; j < 4; j++) {
          const sx = xt.index[xw + j] * 3 + c;
          const d = src.data;
          cols[j] = f32(f32(f32(f32(d[r0 * 3 + sx] * w0) + f32(d[r1 * 3 + sx] * w1)) + f32(d[r2 * 3 + sx] * w2)) + f32(d[r3 * 3 + sx] * w3));
        }
        out[(y * width + x) * 3 + c] = f32(f32(f32(f32(cols[0] * xt.weight[xw]) + f32(cols[1] * xt.weight[xw + 1])) + f32(cols[2] * xt.weight[xw + 2])) + f32(cols[3] * xt.weight[xw + 3]));
      }
    }
  }
  return out;
}

interface Span { start: number; weights: Float32Array }

/** sampling_kernels.h: hat function of radius 1. */
function triangleKernel(x: number): number {
  return x < 1 ? f32(1 - x) : 0;
}

/** sampling_kernels.h: Keys cubic (a = -0.5), radius 2, evaluated in float. */
function keysCubicKernel(x: number): number {
  if (x >= 2) return 0;
  if (x >= 1) {
    const p = f32(f32(-0.5 * x) + 2.5);
    return f32(f32(f32(f32(p * x) - 4) * x) + 2);
  }
  const q = f32(f32(1.5 * x) - 2.5);
  return f32(f32(f32(q * x) * x) + 1);
}

/** ScaleAndTranslate spans for one axis (translation 0). */
function spans(inSize: number, outSize: number, kernel: 'triangle' | 'keyscubic', antialias: boolean): Span[] {
  const radius = kernel === 'triangle' ? 1 : 2;
  const k = kernel === 'triangle' ? triangleKernel : keysCubicKernel;
  const scale = f32(outSize / inSize);
  const invScale = f32(1 / scale);
  const kernelScale = antialias ? Math.max(invScale, 1) : 1;
  const oneOverKernelScale = f32(1 / kernelScale);
  const reach = f32(radius * kernelScale);
  const result: Span[] = [];
  for (let x = 0; x < outSize; x++) {
    const sample = f32(f32(x + 0.5) * invScale);
    if (sample < 0 || sample > inSize) { result.push({ start: 0, weights: new Float32Array(0) }); continue; }
    const start = Math.min(Math.max(Math.ceil(f32(f32(sample - reach) - 0.5)), 0), inSize - 1);
    const end = Math.min(Math.max(Math.floor(f32(f32(sample + reach) - 0.5)), 0), inSize - 1) + 1;
    const weights = new Float32Array(end - start);
    let total = 0;
    for (let s = start; s < end; s++) {
      const w = k(Math.abs(f32(f32(f32(s + 0.5) - sample) * oneOverKernelScale)));
      weights[s - start] = w;
      total = f32(total + w);
    }
    if (Math.abs(total) >= 1000 * 1.1754943508222875e-38) {
      const inv = f32(1 / total);
      for (let i = 0; i < weights.length; i++) weights[i] = f32(weights[i] * inv);
    } else {
      weights.fill(0);
    }
    result.push({ start, weights });
  }
  return result;
}

function scaleAndTranslate(src: RgbImage, width: number, height: number, kernel: 'triangle' | 'keyscubic'): Float32Array {
  const rows = spans(src.height, height, kernel, true);
  const cols = spans(src.width, width, kernel, true);
  const inRow = src.width * 3;
  const mid = new Float32Array(height * inRow);
  for (let y = 0; y < height; y++) {
    const { start, weights } = rows[y];
    for (let j = 0; j < weights.length; j++) {
      const w = weights[j];
      for (let i = 0; i < inRow; i++) mid[y * inRow + i] = f32(mid[y * inRow + i] + f32(w * src.data[(start + j) * inRow + i]));
    }
  }
  const out = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const { start, weights } = cols[x];
      for (let j = 0; j < weights.length; j++) {
        for (let c = 0; c < 3; c++) {
          const o = (y * width + x) * 3 + c;
          out[o] = f32(out[o] + f32(weights[j] * mid[y * inRow + (start + j) * 3 + c]));
        }
      }
    }
  }
  return out;
}

function area(src: RgbImage, width: number, height: number): Float32Array {
  const cells = (inSize: number, outSize: number) => {
    const scale = f32(inSize / outSize);
    return Array.from({ length: outSize }, (_, i) => {
      const lo = f32(i * scale);
      const hi = f32((i + 1) * scale);
      const first = Math.floor(lo);
      const last = Math.ceil(hi);
      const taps: { index: number; weight: number }[] = [];
      for (let s = first; s < last; s++) {
        const w = s < lo ? (s + 1 > hi ? scale : f32(s + 1 - lo)) : s + 1 > hi ? f32(hi - s) : 1;
        taps.push({ index: Math.min(Math.max(s, 0), inSize - 1), weight: w });
      }
      return { scale, taps };
    });
  };
  const xs = cells(src.width, width);
  const ys = cells(src.height, height);
  const norm = f32(1 / f32(ys[0].scale * xs[0].scale));
  const out = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const xt = xs[x].taps;
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (const { index: sy, weight: wy } of ys[y].taps) {
          const row = sy * src.width;
          // first and last columns weighted by their overlap, the ones between counted whole
          let sumY = f32(src.data[(row + xt[0].index) * 3 + c] * xt[0].weight);
          if (xt.length > 1) {
            for (let j = 1; j < xt.length - 1; j++) sumY = f32(sumY + src.data[(row + xt[j].index) * 3 + c]);
            const last = xt[xt.length - 1];
            sumY = f32(sumY + f32(src.data[(row + last.index) * 3 + c] * last.weight));
          }
          sum = f32(sum + f32(sumY * wy));
        }
        out[(y * width + x) * 3 + c] = f32(sum * norm);
      }
    }
  }
  return out;
}

export function tfResize(image: RgbImage, width: number, height: number, method: TfMethod, antialias: boolean): RgbImage {
  let values: Float32Array;
  if (method === 'area') values = area(image, width, height);
  else if (antialias) values = scaleAndTranslate(image, width, height, method === 'bilinear' ? 'triangle' : 'keyscubic');
  else values = method === 'bilinear' ? bilinear(image, width, height) : bicubic(image, width, height);
  return { width, height, data: floatToU8(values) };
}

export function tfResizer(method: TfMethod, antialias = false): Resizer {
  const name = `tf-${method}${antialias ? '-aa' : ''}`;
  return {
    name,
    resize(image, width, height) {
      checkResizeArgs(name, image, width, height);
      return tfResize(image, width, height, method, antialias);
    },
  };
}

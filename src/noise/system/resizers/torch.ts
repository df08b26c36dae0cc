// torchvision's tensor resize (torchvision.transforms.functional.resize on a uint8 CHW tensor, torchvision 0.14 /
// torch 1.13 CPU kernels). Facts reproduced:
//  - the uint8 tensor is cast to float32, interpolated, rounded half to even, clamped to 0..255 (bicubic) and cast back;
//  - scale = float32(in) / out; source position (i + 0.5) * scale - 0.5 in double (the CPU accumulate type),
//    clamped at 0 for bilinear only, its fraction rounded to float32;
//  - bilinear without antialias: two taps, the upper one clamped, weights 1 - l and l; bicubic without antialias:
//    Keys a = -0.75, four taps with indices clamped into the image; both evaluated as sum over rows of
//    weight * (sum over columns of weight * pixel);
//  - antialias=True: PIL-style separable filtering in float32 (support scaled by the downscale factor, window
//    [trunc(c - s + 0.5), trunc(c + s + 0.5)), weights normalised), bicubic with a = -0.5, vertical pass first;
//  - nearest: floor(i * scale) clamped; an exact 2x upscale uses i >> 1.
import type { RgbImage } from '../../../data/image.js';
import type { Resizer } from '../../../data/seams.js';
import { checkResizeArgs, f32, floatToU8 } from '../../../data/resize/common.js';

export type TorchInterpolation = 'nearest' | 'bilinear' | 'bicubic';

interface Taps {
  readonly ksize: number;
  readonly index: Int32Array;
  readonly weight: Float32Array;
}

function cubic1(x: number, a: number): number {
  return f32(f32(f32(f32(f32(f32(a + 2) * x) - f32(a + 3)) * x) * x) + 1);
}
function cubic2(x: number, a: number): number {
  return f32(f32(f32(f32(f32(f32(f32(a * x) - f32(5 * a)) * x) + f32(8 * a)) * x)) - f32(4 * a));
}

/** Interpolating taps for bilinear / bicubic without antialias (upsample_bilinear2d / upsample_bicubic2d). */
function plainTaps(inSize: number, outSize: number, mode: 'bilinear' | 'bicubic'): Taps {
  const ksize = mode === 'bilinear' ? 2 : 4;
  const scale = f32(inSize / outSize);
  const index = new Int32Array(outSize * ksize);
  const weight = new Float32Array(outSize * ksize);
  for (let i = 0; i < outSize; i++) {
    // The source position is evaluated in the CPU accumulate type (double) from the float scale.
    let real = scale * (i + 0.5) - 0.5;
    if (mode === 'bilinear') {
      if (real < 0) real = 0;
      const i0 = Math.trunc(real);
      const l1 = f32(real - i0);
      index[i * 2] = i0;
      index[i * 2 + 1] = i0 + (i0 < inSize - 1 ? 1 : 0);
      weight[i * 2] = f32(1 - l1);
      weight[i * 2 + 1] = l1;
    } else {
      const i0 = Math.floor(real);
      const t = f32(real - i0);
      const A = -0.75;
      const w = [cubic2(f32(t + 1), A), cubic1(t, A), cubic1(f32(1 - t), A), cubic2(f32(2 - t), A)];
      for (let j = 0; j < 4; j++) {
        index[i * 4 + j] = Math.min(Math.max(i0 - 1 + j, 0), inSize - 1);
        weight[i * 4 + j] = w[j];
      }
    }
  }
  return { ksize, index, weight };
}

/** Antialiased taps (_compute_indices_weights_aa): unused trailing taps have weight 0 and index of the first tap. */
function antialiasTaps(inSize: number, outSize: number, mode: 'bilinear' | 'bicubic'): Taps {
  const interpSize = mode === 'bilinear' ? 2 : 4;
  const filter = mode === 'bilinear'
    ? (x: number) => { const ax = Math.abs(x); return ax < 1 ? f32(1 - ax) : 0; }
    : (x: number) => { const ax = Math.abs(x); return ax < 1 ? cubic1(ax, -0.5) : ax < 2 ? cubic2(ax, -0.5) : 0; };
  const scale = f32(inSize / outSize);
  const support = f32(scale >= 1 ? interpSize * 0.5 * scale : interpSize * 0.5);
  const invScale = scale >= 1 ? f32(1 / scale) : 1;
  const ksize = Math.ceil(support) * 2 + 1;
  const index = new Int32Array(outSize * ksize);
  const weight = new Float32Array(outSize * ksize);
  for (let i = 0; i < outSize; i++) {
    const center = f32(scale * (i + 0.5));
    const xmin = Math.max(Math.trunc(f32(center - support) + 0.5), 0);
    const xsize = Math.min(Math.trunc(f32(center + support) + 0.5), inSize) - xmin;
    let total = 0;
    for (let j = 0; j < xsize; j++) {
      const w = filter(f32((f32(j + xmin - center) + 0.5) * invScale));
      weight[i * ksize + j] = w;
      total = f32(total + w);
    }
    for (let j = 0; j < ksize; j++) {
      index[i * ksize + j] = j < xsize ? xmin + j : xmin;
      if (j < xsize && total !== 0) weight[i * ksize + j] = f32(weight[i * ksize + j] / total);
    }
  }
  return { ksize, index, weight };
}

/** One separable float32 pass along x (axis 'x') or y: sum of weight * sample, first product then accumulate. */
function pass(src: Float32Array, width: number, height: number, taps: Taps, axis: 'x' | 'y'): Float32Array {
  const outW = axis === 'x' ? taps.index.length / taps.ksize : width;
  const outH = axis === 'y' ? taps.index.length / taps.ksize : height;
  const out = new Float32Array(outW * outH * 3);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const o = axis === 'x' ? x : y;
      for (let c = 0; c < 3; c++) {
        let acc: number;
        if (taps.ksize === 2) {
          // t0 * w0 + t1 * w1, which the compiler contracts to fma(t0, w0, t1 * w1) in torch's AVX2/AVX-512 kernels
          const s0 = taps.index[o * 2];
          const s1 = taps.index[o * 2 + 1];
          const v0 = axis === 'x' ? src[(y * width + s0) * 3 + c] : src[(s0 * width + x) * 3 + c];
          const v1 = axis === 'x' ? src[(y * width + s1) * 3 + c] : src[(s1 * width + x) * 3 + c];
          acc = f32(v0 * taps.weight[o * 2] + f32(v1 * taps.weight[o * 2 + 1])); // product exact in double: one rounding, as fma
        } else {
          acc = 0;
          for (let k = 0; k < taps.ksize; k++) {
            const s = taps.index[o * taps.ksize + k];
            const v = axis === 'x' ? src[(y * width + s) * 3 + c] : src[(s * width + x) * 3 + c];
            const w = taps.weight[o * taps.ksize + k];
            acc = k === 0 ? f32(v * w) : f32(acc + f32(v * w));
          }
        }
        out[(y * outW + x) * 3 + c] = acc;
      }
    }
  }
  return out;
}

function nearestIndex(inSize: number, outSize: number): Int32Array {
  const idx = new Int32Array(outSize);
  const scale = f32(inSize / outSize);
  for (let i = 0; i < outSize; i++) {
    idx[i] = outSize === inSize ? i : outSize === 2 * inSize ? i >> 1 : Math.min(Math.floor(f32(i * scale)), inSize - 1);
  }
  return idx;
}

export function torchResize(image: RgbImage, width: number, height: number, mode: TorchInterpolation, antialias: boolean): RgbImage {
  if (mode === 'nearest') {
    const xs = nearestIndex(image.width, width);
    const ys = nearestIndex(image.height, height);
    const out = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < 3; c++) out[(y * width + x) * 3 + c] = image.data[(ys[y] * image.width + xs[x]) * 3 + c];
      }
    }
    return { width, height, data: out };
  }
  let data: Float32Array = Float32Array.from(image.data);
  if (antialias) {
    // Vertical pass first, then horizontal (matches torch 1.13's float rounding on the fixtures; the other order does not).
    let h = image.height;
    if (height !== image.height) { data = pass(data, image.width, h, antialiasTaps(image.height, height, mode), 'y'); h = height; }
    if (width !== image.width) data = pass(data, image.width, h, antialiasTaps(image.width, width, mode), 'x');
  } else {
    // Rows outside, columns inside: weight_y * (sum_x weight_x * pixel), as the generic 2-D kernel nests them.
    data = pass(pass(data, image.width, image.height, plainTaps(image.width, width, mode), 'x'), width, image.height, plainTaps(image.height, height, mode), 'y');
  }
  return { width, height, data: floatToU8(data) };
}

export function torchResizer(mode: TorchInterpolation, antialias = false): Resizer {
  const name = `torch-${mode}${antialias ? '-aa' : ''}`;
  return {
    name,
    resize(image, width, height) {
      checkResizeArgs(name, image, width, height);
      return torchResize(image, width, height, mode, antialias);
    },
  };
}

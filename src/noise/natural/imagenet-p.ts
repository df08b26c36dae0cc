// ImageNet-P perturbation sequences (Hendrycks & Dietterich 2019, section 3): 31 frames, the first the clean
// image (or its first noisy draw), each later frame a small step further (geometric, blur, weather, brightness)
// or an independent draw (noise). 10 main types + 4 extra (spec natural-noise.md).
//
// The spec lists the types but not their step sizes; robustart's steps (PERTURBATION_STEPS) are chosen so that
// 30 steps reach a clearly visible but mild change (e.g. 15 degrees of rotation, 15% zoom, 30 px of
// translation), in the spirit of the paper's "subtle" sequences. Geometric steps have a fixed direction, so a
// frame is a pure function of (image, type, frame index, seed) and can be computed on its own, on the fly.
import type { FloatImage } from '../../data/image.js';
import { RobustartError } from '../../errors.js';
import { rngFor } from '../../util/rng.js';
import type { ImageNoise } from '../types.js';
import { arange } from './blur.js';
import { borderIndex, clip01, clippedZoom, gaussianBlur } from './filters.js';
import { motionBlur } from './motion.js';
import { poissonByInversion } from './noise.js';
import { RandomStream } from './stream.js';
import { sameSize } from './types.js';
import { snow } from './weather.js';
import { spatter } from './spatter.js';

export const FRAMES = 31;

export const PERTURBATIONS = ['gaussian_noise', 'shot_noise', 'motion_blur', 'zoom_blur', 'snow', 'brightness', 'translate', 'rotate', 'tilt', 'scale'] as const;
export const EXTRA_PERTURBATIONS = ['speckle_noise', 'gaussian_blur', 'spatter', 'shear'] as const;
export type Perturbation = (typeof PERTURBATIONS)[number] | (typeof EXTRA_PERTURBATIONS)[number];
export const ALL_PERTURBATIONS: readonly Perturbation[] = [...PERTURBATIONS, ...EXTRA_PERTURBATIONS];

/** Frames of these types are independent draws: flip probability compares each with the first (metrics.md). */
export const NOISE_LIKE: ReadonlySet<Perturbation> = new Set(['gaussian_noise', 'shot_noise', 'speckle_noise']);

/** robustart's per-frame parameters (see the file comment). */
export const PERTURBATION_STEPS = {
  gaussian_noise: { std: 0.03 },
  shot_noise: { photons: 200 },
  speckle_noise: { std: 0.06 },
  /** Horizontal motion blur of radius 10 whose sigma grows by `sigmaPerFrame` (frame 0 is clean). */
  motion_blur: { radius: 10, sigmaPerFrame: 0.1 },
  /** Zoom blur reaching 1 + zoomPerFrame * j at frame j. */
  zoom_blur: { zoomPerFrame: 0.005 },
  gaussian_blur: { sigmaStart: 0.3, sigmaPerFrame: 0.04 },
  /** ImageNet-C snow (severity 1) falling by `pixelsPerFrame`. */
  snow: { pixelsPerFrame: 2 },
  /** ImageNet-C spatter (severity 1) fading in by `opacityPerFrame`. */
  spatter: { opacityPerFrame: 1 / 30 },
  brightness: { valuePerFrame: 0.005 },
  translate: { pixelsPerFrame: 1 },
  rotate: { degreesPerFrame: 0.5 },
  tilt: { degreesPerFrame: 0.5 },
  scale: { zoomPerFrame: 0.005 },
  shear: { shearPerFrame: 0.005 },
} as const;

export function checkPerturbation(name: string): Perturbation {
  if (!(ALL_PERTURBATIONS as readonly string[]).includes(name)) throw new RobustartError(`unknown perturbation '${name}'; choose from ${ALL_PERTURBATIONS.join(', ')}`);
  return name as Perturbation;
}

/** Bilinear resampling through a 3x3 homography mapping output (x, y, 1) to input coordinates; reflected borders. */
export function warp(image: FloatImage, h: readonly number[]): FloatImage {
  const { width, height, data } = image;
  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const w = h[6] * x + h[7] * y + h[8];
      const sx = (h[0] * x + h[1] * y + h[2]) / w;
      const sy = (h[3] * x + h[4] * y + h[5]) / w;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const fx = sx - x0, fy = sy - y0;
      const r0 = borderIndex(y0, height, 'reflect') * width;
      const r1 = borderIndex(y0 + 1, height, 'reflect') * width;
      const c0 = borderIndex(x0, width, 'reflect');
      const c1 = borderIndex(x0 + 1, width, 'reflect');
      const a = (r0 + c0) * 3, b = (r0 + c1) * 3, c = (r1 + c0) * 3, d = (r1 + c1) * 3;
      const o = (y * width + x) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const top = data[a + ch] + fx * (data[b + ch] - data[a + ch]);
        const bottom = data[c + ch] + fx * (data[d + ch] - data[c + ch]);
        out[o + ch] = top + fy * (bottom - top);
      }
    }
  }
  return sameSize(image, clip01(out));
}

/** Inverse maps (output -> input) about the image centre for the geometric perturbations at frame j. */
function geometricMap(type: Perturbation, j: number, width: number, height: number): number[] {
  const cx = (width - 1) / 2, cy = (height - 1) / 2;
  // Conjugate a centred map M by the translation to the centre: T(c) M T(-c).
  const centred = (m: number[]) => {
    const [a, b, c, d, e, f, g, h, i] = m;
    // T(c) * M * T(-c) with T(t) = [[1,0,tx],[0,1,ty],[0,0,1]].
    const r0 = [a + cx * g, b + cx * h, c + cx * i];
    const r1 = [d + cy * g, e + cy * h, f + cy * i];
    const r2 = [g, h, i];
    const mul = (r: number[]) => [r[0], r[1], -cx * r[0] - cy * r[1] + r[2]];
    return [...mul(r0), ...mul(r1), ...mul(r2)];
  };
  switch (type) {
    case 'translate': {
      const t = PERTURBATION_STEPS.translate.pixelsPerFrame * j;
      // The view moves right and down: output (x, y) shows input (x + t/sqrt2, y + t/sqrt2).
      return [1, 0, t / Math.SQRT2, 0, 1, t / Math.SQRT2, 0, 0, 1];
    }
    case 'rotate': {
      const a = (-PERTURBATION_STEPS.rotate.degreesPerFrame * j * Math.PI) / 180;
      return centred([Math.cos(a), -Math.sin(a), 0, Math.sin(a), Math.cos(a), 0, 0, 0, 1]);
    }
    case 'scale': {
      const s = 1 / (1 + PERTURBATION_STEPS.scale.zoomPerFrame * j);
      return centred([s, 0, 0, 0, s, 0, 0, 0, 1]);
    }
    case 'shear': {
      const k = PERTURBATION_STEPS.shear.shearPerFrame * j;
      return centred([1, k, 0, 0, 1, 0, 0, 0, 1]);
    }
    case 'tilt': {
      // Rotation about the horizontal axis through the centre, seen by a pinhole camera of focal length = width:
      // the inverse homography is K R(-a) K^-1 in centred coordinates.
      const a = (PERTURBATION_STEPS.tilt.degreesPerFrame * j * Math.PI) / 180;
      const f = width;
      const c = Math.cos(a), s = Math.sin(a);
      return centred([1, 0, 0, 0, c, f * s, 0, -s / f, c]);
    }
    default:
      throw new Error(`not geometric: ${type}`);
  }
}

/**
 * Frame j (0..30) of a perturbation sequence. `seed` keys the sequence: frames of one sequence share it
 * (snow and spatter layers, noise streams per frame), so any frame can be computed alone.
 */
export function perturbationFrame(image: FloatImage, type: Perturbation, j: number, seed: number): FloatImage {
  if (!Number.isInteger(j) || j < 0 || j >= FRAMES) throw new RobustartError(`frame ${j} is outside 0..${FRAMES - 1}`);
  const frameRng = rngFor(seed, 1 + j);
  const { width, height, data } = image;
  switch (type) {
    case 'gaussian_noise':
    case 'speckle_noise': {
      const std = type === 'gaussian_noise' ? PERTURBATION_STEPS.gaussian_noise.std : PERTURBATION_STEPS.speckle_noise.std;
      const out = new RandomStream(frameRng).fillNormal(new Float32Array(data.length), 0, std);
      for (let i = 0; i < out.length; i++) out[i] = data[i] + (type === 'gaussian_noise' ? out[i] : data[i] * out[i]);
      return sameSize(image, clip01(out));
    }
    case 'shot_noise': {
      const c = PERTURBATION_STEPS.shot_noise.photons;
      const out = new RandomStream(frameRng).fillUniform(new Float32Array(data.length));
      for (let i = 0; i < out.length; i++) out[i] = poissonByInversion(data[i] * c, out[i]) / c;
      return sameSize(image, clip01(out));
    }
    case 'motion_blur': {
      if (j === 0) return image;
      const { radius, sigmaPerFrame } = PERTURBATION_STEPS.motion_blur;
      return sameSize(image, clip01(motionBlur(data, width, height, 3, radius, sigmaPerFrame * j, 0)));
    }
    case 'zoom_blur': {
      if (j === 0) return image;
      const top = 1 + PERTURBATION_STEPS.zoom_blur.zoomPerFrame * j;
      const factors = arange(1, top + 1e-9, (top - 1) / Math.min(10, j));
      const out = new Float32Array(data.length);
      const scale = 1 / (factors.length + 1);
      for (let i = 0; i < data.length; i++) out[i] = data[i] * scale;
      for (const z of factors) clippedZoom(data, width, height, 3, z, out, scale);
      return sameSize(image, clip01(out));
    }
    case 'gaussian_blur': {
      const { sigmaStart, sigmaPerFrame } = PERTURBATION_STEPS.gaussian_blur;
      return sameSize(image, clip01(gaussianBlur(data, width, height, 3, sigmaStart + sigmaPerFrame * j, 'nearest')));
    }
    case 'brightness': {
      const c = PERTURBATION_STEPS.brightness.valuePerFrame * j;
      const out = new Float32Array(data.length);
      for (let p = 0; p < data.length; p += 3) {
        const v = Math.max(data[p], data[p + 1], data[p + 2]);
        const raised = Math.min(v + c, 1);
        const k = v > 0 ? raised / v : 0;
        for (let ch = 0; ch < 3; ch++) out[p + ch] = v > 0 ? Math.min(1, data[p + ch] * k) : raised;
      }
      return sameSize(image, out);
    }
    case 'snow': {
      // One snow layer for the sequence, on a canvas taller by the fall; frame j sees it shifted down.
      const fall = PERTURBATION_STEPS.snow.pixelsPerFrame * (FRAMES - 1);
      const blank: FloatImage = { width, height: height + fall, data: new Float32Array(width * (height + fall) * 3) };
      const layer = snow(blank, 1, rngFor(seed, 0));
      const out = new Float32Array(data.length);
      const offset = fall - PERTURBATION_STEPS.snow.pixelsPerFrame * j;
      // The blank canvas is black, so the snow frame on it is the flakes alone (greying adds 0.5 * (1 - blend)).
      const base = 0.5 * (1 - 0.8);
      for (let y = 0; y < height; y++) {
        for (let i = 0; i < width * 3; i++) {
          const flakes = Math.max(0, layer.data[((y + offset) * width) * 3 + i] - base);
          // Unlike ImageNet-C snow the image is not greyed: across a sequence only the flakes move.
          out[y * width * 3 + i] = Math.min(1, data[y * width * 3 + i] + flakes);
        }
      }
      return sameSize(image, out);
    }
    case 'spatter':
      return spatterFrame(image, j, seed);
    default:
      return warp(image, geometricMap(type, j, width, height));
  }
}

/** Spatter drops fade in: frame j is the clean image blended j/30 of the way to spatter severity 1 (one field per sequence). */
function spatterFrame(image: FloatImage, j: number, seed: number): FloatImage {
  const full = spatter(image, 1, rngFor(seed, 0));
  const t = (PERTURBATION_STEPS.spatter.opacityPerFrame * j);
  const out = new Float32Array(image.data.length);
  for (let i = 0; i < out.length; i++) out[i] = image.data[i] + t * (full.data[i] - image.data[i]);
  return sameSize(image, out);
}

/** The whole sequence of a perturbation: 31 frames. */
export function perturbationSequence(image: FloatImage, type: Perturbation, seed: number): FloatImage[] {
  return Array.from({ length: FRAMES }, (_, j) => perturbationFrame(image, type, j, seed));
}

/** Frame j as the ImageNoise seam ("rotate/07"); the sequence seed is drawn from the rng it is given. */
export function perturbationNoise(type: Perturbation, j: number): ImageNoise {
  return { name: `${type}/${String(j).padStart(2, '0')}`, apply: (image, rng) => perturbationFrame(image, type, j, rng.seed) };
}

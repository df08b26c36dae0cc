// AutoAugment (Cubuk et al. 2019, ImageNet policy), RandAugment (Cubuk et al. 2020) and AugMix
// (Hendrycks et al. 2020) on CHW float images in [0,1], with torchvision.transforms.autoaugment's
// operations, magnitude tables and sampling (v0.15): nearest-neighbour geometry with fill 0, shear about
// the top-left corner, rotation about the centre; 8-bit ops (posterize, solarize, autocontrast, equalize,
// invert) act on the image scaled to 0..255 and rounded.
import type { Rng } from '../util/rng.js';
import { adjustBrightness, adjustContrast, adjustSaturation } from './augment.js';
import { sampleGamma } from './targets.js';

export type AugmentOp = 'Identity' | 'ShearX' | 'ShearY' | 'TranslateX' | 'TranslateY' | 'Rotate' | 'Brightness' | 'Color' | 'Contrast' | 'Sharpness' | 'Posterize' | 'Solarize' | 'AutoContrast' | 'Equalize' | 'Invert';

export interface Shape {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

const linspace = (a: number, b: number, n: number) => Array.from({ length: n }, (_, i) => (n === 1 ? a : a + ((b - a) * i) / (n - 1)));

/** torchvision's magnitude bins per op (signed ops take a random sign); AugMix's variant differs for translate and posterize. */
export function magnitudeTable(bins: number, shape: Shape, variant: 'autoaugment' | 'augmix' = 'autoaugment'): Partial<Record<AugmentOp, { magnitudes: number[]; signed: boolean }>> {
  const translate = variant === 'augmix' ? [shape.width / 3, shape.height / 3] : [(150 / 331) * shape.width, (150 / 331) * shape.height];
  const posterizeTop = variant === 'augmix' ? 4 : 8;
  return {
    ShearX: { magnitudes: linspace(0, 0.3, bins), signed: true },
    ShearY: { magnitudes: linspace(0, 0.3, bins), signed: true },
    TranslateX: { magnitudes: linspace(0, translate[0], bins), signed: true },
    TranslateY: { magnitudes: linspace(0, translate[1], bins), signed: true },
    Rotate: { magnitudes: linspace(0, 30, bins), signed: true },
    Brightness: { magnitudes: linspace(0, 0.9, bins), signed: true },
    Color: { magnitudes: linspace(0, 0.9, bins), signed: true },
    Contrast: { magnitudes: linspace(0, 0.9, bins), signed: true },
    Sharpness: { magnitudes: linspace(0, 0.9, bins), signed: true },
    Posterize: { magnitudes: Array.from({ length: bins }, (_, i) => posterizeTop - Math.round(i / ((bins - 1) / 4))), signed: false },
    Solarize: { magnitudes: linspace(255, 0, bins), signed: false },
    AutoContrast: { magnitudes: [0], signed: false },
    Equalize: { magnitudes: [0], signed: false },
    Invert: { magnitudes: [0], signed: false },
  };
}

/** Nearest-neighbour resampling: output (x, y) reads input `map(x, y)`; outside is 0. */
function warp(image: Float32Array, s: Shape, map: (x: number, y: number) => [number, number]): Float32Array {
  const out = new Float32Array(image.length);
  const plane = s.height * s.width;
  for (let y = 0; y < s.height; y++) {
    for (let x = 0; x < s.width; x++) {
      const [sx, sy] = map(x, y);
      const ix = Math.round(sx);
      const iy = Math.round(sy);
      if (ix < 0 || iy < 0 || ix >= s.width || iy >= s.height) continue;
      for (let c = 0; c < s.channels; c++) out[c * plane + y * s.width + x] = image[c * plane + iy * s.width + ix];
    }
  }
  return out;
}

const per255 = (image: Float32Array, f: (v: number) => number) => image.map((v) => f(Math.round(Math.min(1, Math.max(0, v)) * 255)) / 255);

function autoContrast(image: Float32Array, s: Shape): Float32Array {
  const plane = s.height * s.width;
  const out = new Float32Array(image.length);
  for (let c = 0; c < s.channels; c++) {
    const ch = image.subarray(c * plane, (c + 1) * plane);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of ch) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    for (let i = 0; i < plane; i++) out[c * plane + i] = hi > lo ? Math.min(1, Math.max(0, (ch[i] - lo) / (hi - lo))) : ch[i];
  }
  return out;
}

/** PIL ImageOps.equalize per channel: lut from the cumulative histogram with step (n − last bin count) // 255. */
export function equalize(image: Float32Array, s: Shape): Float32Array {
  const plane = s.height * s.width;
  const out = new Float32Array(image.length);
  for (let c = 0; c < s.channels; c++) {
    const values = Array.from(image.subarray(c * plane, (c + 1) * plane), (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
    const hist = new Array(256).fill(0);
    for (const v of values) hist[v]++;
    const nonzero = hist.filter((h) => h > 0);
    const step = Math.floor((plane - nonzero[nonzero.length - 1]) / 255);
    if (step === 0) {
      out.set(image.subarray(c * plane, (c + 1) * plane), c * plane);
      continue;
    }
    const lut = new Array(256);
    let n = Math.floor(step / 2);
    for (let i = 0; i < 256; i++) {
      lut[i] = Math.min(255, Math.floor(n / step));
      n += hist[i];
    }
    values.forEach((v, i) => (out[c * plane + i] = lut[v] / 255));
  }
  return out;
}

/** PIL ImageEnhance.Sharpness: blend with the 3×3 smoothing kernel [[1,1,1],[1,5,1],[1,1,1]]/13, border kept. */
function sharpness(image: Float32Array, s: Shape, factor: number): Float32Array {
  const plane = s.height * s.width;
  const out = image.slice();
  for (let c = 0; c < s.channels; c++) {
    for (let y = 1; y < s.height - 1; y++) {
      for (let x = 1; x < s.width - 1; x++) {
        let sum = 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) sum += image[c * plane + (y + dy) * s.width + x + dx] * (dx === 0 && dy === 0 ? 5 : 1);
        const i = c * plane + y * s.width + x;
        out[i] = Math.min(1, Math.max(0, sum / 13 + factor * (image[i] - sum / 13)));
      }
    }
  }
  return out;
}

export function applyOp(image: Float32Array, s: Shape, op: AugmentOp, magnitude: number): Float32Array {
  const plane = s.height * s.width;
  const cx = (s.width - 1) / 2;
  const cy = (s.height - 1) / 2;
  switch (op) {
    case 'Identity':
      return image;
    case 'ShearX':
      return warp(image, s, (x, y) => [x + magnitude * y, y]);
    case 'ShearY':
      return warp(image, s, (x, y) => [x, y + magnitude * x]);
    case 'TranslateX':
      return warp(image, s, (x, y) => [x - Math.trunc(magnitude), y]);
    case 'TranslateY':
      return warp(image, s, (x, y) => [x, y - Math.trunc(magnitude)]);
    case 'Rotate': {
      // counter-clockwise by `magnitude` degrees about the centre: sample the inverse rotation
      const t = (magnitude * Math.PI) / 180;
      const cos = Math.cos(t);
      const sin = Math.sin(t);
      return warp(image, s, (x, y) => [cx + cos * (x - cx) - sin * (y - cy), cy + sin * (x - cx) + cos * (y - cy)]);
    }
    case 'Brightness':
      return adjustBrightness(image, 1 + magnitude);
    case 'Color':
      return s.channels === 3 ? adjustSaturation(image, plane, 1 + magnitude) : image;
    case 'Contrast':
      return s.channels === 3 ? adjustContrast(image, plane, 1 + magnitude) : image;
    case 'Sharpness':
      return sharpness(image, s, 1 + magnitude);
    case 'Posterize': {
      const mask = 0xff & ~((1 << (8 - magnitude)) - 1);
      return per255(image, (v) => v & mask);
    }
    case 'Solarize':
      return per255(image, (v) => (v >= magnitude ? 255 - v : v));
    case 'AutoContrast':
      return autoContrast(image, s);
    case 'Equalize':
      return equalize(image, s);
    case 'Invert':
      return image.map((v) => 1 - v);
  }
}

type SubPolicy = readonly [readonly [AugmentOp, number, number | null], readonly [AugmentOp, number, number | null]];

/** torchvision AutoAugmentPolicy.IMAGENET: (op, probability, magnitude bin of 10). */
export const IMAGENET_POLICY: readonly SubPolicy[] = [
  [['Posterize', 0.4, 8], ['Rotate', 0.6, 9]], [['Solarize', 0.6, 5], ['AutoContrast', 0.6, null]],
  [['Equalize', 0.8, null], ['Equalize', 0.6, null]], [['Posterize', 0.6, 7], ['Posterize', 0.6, 6]],
  [['Equalize', 0.4, null], ['Solarize', 0.2, 4]], [['Equalize', 0.4, null], ['Rotate', 0.8, 8]],
  [['Solarize', 0.6, 3], ['Equalize', 0.6, null]], [['Posterize', 0.8, 5], ['Equalize', 1.0, null]],
  [['Rotate', 0.2, 3], ['Solarize', 0.6, 8]], [['Equalize', 0.6, null], ['Posterize', 0.4, 6]],
  [['Rotate', 0.8, 8], ['Color', 0.4, 0]], [['Rotate', 0.4, 9], ['Equalize', 0.6, null]],
  [['Equalize', 0.0, null], ['Equalize', 0.8, null]], [['Invert', 0.6, null], ['Equalize', 1.0, null]],
  [['Color', 0.6, 4], ['Contrast', 1.0, 8]], [['Rotate', 0.8, 8], ['Color', 1.0, 2]],
  [['Color', 0.8, 8], ['Solarize', 0.8, 7]], [['Sharpness', 0.4, 7], ['Invert', 0.6, null]],
  [['ShearX', 0.6, 5], ['Equalize', 1.0, null]], [['Color', 0.4, 0], ['Equalize', 0.6, null]],
  [['Equalize', 0.4, null], ['Solarize', 0.2, 4]], [['Solarize', 0.6, 5], ['AutoContrast', 0.6, null]],
  [['Invert', 0.6, null], ['Equalize', 1.0, null]], [['Color', 0.6, 4], ['Contrast', 1.0, 8]],
  [['Equalize', 0.8, null], ['Equalize', 0.6, null]],
];

/** torchvision AutoAugment.forward: one random sub-policy; each op applied with its probability, signed ops with a random sign. */
export function autoAugment(image: Float32Array, s: Shape, rng: Rng): Float32Array {
  const table = magnitudeTable(10, s);
  const policy = IMAGENET_POLICY[rng.int(IMAGENET_POLICY.length)];
  let x = image;
  for (const [op, p, bin] of policy) {
    const apply = rng.uniform() <= p;
    const negative = rng.uniform() < 0.5;
    if (!apply) continue;
    const entry = table[op]!;
    let magnitude = bin === null ? 0 : entry.magnitudes[bin];
    if (entry.signed && negative) magnitude = -magnitude;
    x = applyOp(x, s, op, magnitude);
  }
  return x;
}

/** RandAugment's 14 ops (torchvision order). */
export const RANDAUGMENT_OPS: readonly AugmentOp[] = ['Identity', 'ShearX', 'ShearY', 'TranslateX', 'TranslateY', 'Rotate', 'Brightness', 'Color', 'Contrast', 'Sharpness', 'Posterize', 'Solarize', 'AutoContrast', 'Equalize'];

/** RandAugment(N, M): N ops drawn uniformly, each at magnitude bin M of `bins` (torchvision default 31). */
export function randAugment(image: Float32Array, s: Shape, rng: Rng, numOps: number, magnitude: number, bins = 31): Float32Array {
  const table = magnitudeTable(bins, s);
  let x = image;
  for (let i = 0; i < numOps; i++) {
    const op = RANDAUGMENT_OPS[rng.int(RANDAUGMENT_OPS.length)];
    const entry = table[op];
    let m = entry ? entry.magnitudes[entry.magnitudes.length === 1 ? 0 : magnitude] : 0;
    if (entry?.signed && rng.uniform() < 0.5) m = -m;
    x = applyOp(x, s, op, m);
  }
  return x;
}

export interface AugMixSettings {
  /** Magnitude bins drawn from 0 … severity − 1 of 10 (torchvision default 3). */
  readonly severity: number;
  /** Number of augmentation chains (default 3). */
  readonly width: number;
  /** Ops per chain; −1: uniform in 1..3. */
  readonly depth: number;
  /** Dirichlet/Beta concentration (default 1). */
  readonly alpha: number;
}

/** AugMix ops (torchvision all_ops = true). */
const AUGMIX_OPS: readonly AugmentOp[] = ['ShearX', 'ShearY', 'TranslateX', 'TranslateY', 'Rotate', 'Posterize', 'Solarize', 'AutoContrast', 'Equalize', 'Brightness', 'Color', 'Contrast', 'Sharpness'];

/** x_augmix = m·x + (1 − m)·Σ_i w_i·chain_i(x), m ~ Beta(α, α), w ~ Dirichlet(α, …, α). */
export function augMix(image: Float32Array, s: Shape, rng: Rng, settings: AugMixSettings): Float32Array {
  const table = magnitudeTable(10, s, 'augmix');
  const gammas = [sampleGamma(rng, settings.alpha), sampleGamma(rng, settings.alpha)];
  const m = gammas[0] / (gammas[0] + gammas[1]);
  const w = Array.from({ length: settings.width }, () => sampleGamma(rng, settings.alpha));
  const wSum = w.reduce((a, b) => a + b, 0);
  const mix = image.map((v) => m * v);
  for (let i = 0; i < settings.width; i++) {
    let aug = image;
    const depth = settings.depth > 0 ? settings.depth : 1 + rng.int(3);
    for (let d = 0; d < depth; d++) {
      const op = AUGMIX_OPS[rng.int(AUGMIX_OPS.length)];
      const entry = table[op]!;
      let magnitude = entry.magnitudes.length === 1 ? 0 : entry.magnitudes[rng.int(settings.severity)];
      if (entry.signed && rng.uniform() < 0.5) magnitude = -magnitude;
      aug = applyOp(aug, s, op, magnitude);
    }
    const weight = ((1 - m) * w[i]) / wSum;
    for (let k = 0; k < mix.length; k++) mix[k] += weight * aug[k];
  }
  return mix;
}

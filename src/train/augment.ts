// Per-sample training transforms on CHW float images in [0,1], each drawing from the sample's own
// stream (torchvision.transforms semantics):
//   RandomResizedCrop(scale, ratio): area fraction ~ U(scale), log-aspect ~ U(log ratio), 10 tries then
//     the centre crop clamped to the ratio range; resized back with bilinear interpolation
//   RandomHorizontalFlip(p)
//   ColorJitter(b, c, s, h): factors U[max(0, 1 − v), 1 + v] (hue U[−h, h]) applied in a random order;
//     contrast blends with the mean gray level, saturation with the gray image, hue rotates in HSV
import type { Rng } from '../util/rng.js';
import type { SampleTransform } from './trainer.js';
import { autoAugment, randAugment, augMix, type AugMixSettings } from './auto-augment.js';

export interface TransformSettings {
  readonly randomResizedCrop?: { readonly scale: readonly [number, number]; readonly ratio: readonly [number, number] };
  readonly horizontalFlip?: number;
  readonly colorJitter?: { readonly brightness: number; readonly contrast: number; readonly saturation: number; readonly hue: number };
  /** After crop and flip, before ColorJitter (timm's order): one of the policies. */
  readonly autoAugment?: 'imagenet';
  readonly randAugment?: { readonly numOps: number; readonly magnitude: number; readonly bins: number };
  /** AugMix as a single view (without its consistency loss). */
  readonly augMix?: AugMixSettings;
}

export interface CropBox {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}

/** torchvision RandomResizedCrop.get_params. */
export function randomResizedCropBox(rng: Rng, height: number, width: number, scale: readonly [number, number], ratio: readonly [number, number]): CropBox {
  const area = height * width;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniformIn(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniformIn(logRatio[0], logRatio[1]));
    const w = Math.round(Math.sqrt(target * aspect));
    const h = Math.round(Math.sqrt(target / aspect));
    if (w > 0 && h > 0 && w <= width && h <= height) return { top: rng.int(height - h + 1), left: rng.int(width - w + 1), height: h, width: w };
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < ratio[0]) h = Math.round(w / ratio[0]);
  else if (inRatio > ratio[1]) w = Math.round(h * ratio[1]);
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

/** The crop box resized to height × width, bilinear with half-pixel centres (align_corners false). */
export function cropAndResize(image: Float32Array, channels: number, height: number, width: number, box: CropBox): Float32Array {
  const out = new Float32Array(channels * height * width);
  const sy = box.height / height;
  const sx = box.width / width;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), box.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, box.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), box.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, box.width - 1);
      const wx = fx - x0;
      for (let c = 0; c < channels; c++) {
        const base = c * height * width;
        const at = (yy: number, xx: number) => image[base + (box.top + yy) * width + box.left + xx];
        out[base + y * width + x] = (1 - wy) * ((1 - wx) * at(y0, x0) + wx * at(y0, x1)) + wy * ((1 - wx) * at(y1, x0) + wx * at(y1, x1));
      }
    }
  }
  return out;
}

export function horizontalFlip(image: Float32Array, channels: number, height: number, width: number): Float32Array {
  const out = new Float32Array(image.length);
  for (let c = 0; c < channels; c++) for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[(c * height + y) * width + x] = image[(c * height + y) * width + width - 1 - x];
  return out;
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/** ITU-R 601 luma, torchvision's rgb_to_grayscale. */
function gray(image: Float32Array, plane: number, p: number): number {
  return 0.299 * image[p] + 0.587 * image[plane + p] + 0.114 * image[2 * plane + p];
}

export function adjustBrightness(image: Float32Array, factor: number): Float32Array {
  return image.map((v) => clamp01(v * factor));
}

export function adjustContrast(image: Float32Array, plane: number, factor: number): Float32Array {
  let mean = 0;
  for (let p = 0; p < plane; p++) mean += gray(image, plane, p);
  mean /= plane;
  return image.map((v) => clamp01(factor * v + (1 - factor) * mean));
}

export function adjustSaturation(image: Float32Array, plane: number, factor: number): Float32Array {
  const out = new Float32Array(image.length);
  for (let p = 0; p < plane; p++) {
    const g = gray(image, plane, p);
    for (let c = 0; c < 3; c++) out[c * plane + p] = clamp01(factor * image[c * plane + p] + (1 - factor) * g);
  }
  return out;
}

/** Rotates hue by `shift` turns (torchvision adjust_hue: RGB → HSV, h += shift mod 1, → RGB). */
export function adjustHue(image: Float32Array, plane: number, shift: number): Float32Array {
  const out = new Float32Array(image.length);
  for (let p = 0; p < plane; p++) {
    const r = image[p], g = image[plane + p], b = image[2 * plane + p];
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    const delta = max - min;
    let h = 0;
    if (delta > 0) {
      if (max === r) h = ((g - b) / delta) % 6;
      else if (max === g) h = (b - r) / delta + 2;
      else h = (r - g) / delta + 4;
      h /= 6;
    }
    h = (((h + shift) % 1) + 1) % 1;
    const s = max === 0 ? 0 : delta / max;
    const v = max;
    const i = Math.floor(h * 6);
    const f = h * 6 - i;
    const pp = v * (1 - s), q = v * (1 - f * s), t = v * (1 - (1 - f) * s);
    const [rr, gg, bb] = [[v, t, pp], [q, v, pp], [pp, v, t], [pp, q, v], [t, pp, v], [v, pp, q]][i % 6];
    out[p] = rr;
    out[plane + p] = gg;
    out[2 * plane + p] = bb;
  }
  return out;
}

/** The per-sample transform of `settings` for images of the given shape. */
export function trainTransform(settings: TransformSettings, channels: number, height: number, width: number): SampleTransform | undefined {
  const { randomResizedCrop: rrc, horizontalFlip: flipP, colorJitter: cj } = settings;
  if (!rrc && !flipP && !cj && !settings.autoAugment && !settings.randAugment && !settings.augMix) return undefined;
  const plane = height * width;
  const shape = { channels, height, width };
  return (image, rng) => {
    let x = image;
    if (rrc) x = cropAndResize(x, channels, height, width, randomResizedCropBox(rng, height, width, rrc.scale, rrc.ratio));
    if (flipP && rng.uniform() < flipP) x = horizontalFlip(x, channels, height, width);
    if (settings.autoAugment) x = autoAugment(x, shape, rng);
    if (settings.randAugment) x = randAugment(x, shape, rng, settings.randAugment.numOps, settings.randAugment.magnitude, settings.randAugment.bins);
    if (settings.augMix) x = augMix(x, shape, rng, settings.augMix);
    if (cj && channels === 3) {
      const factor = (v: number) => rng.uniformIn(Math.max(0, 1 - v), 1 + v);
      const order = rng.shuffle([0, 1, 2, 3]);
      const draws = [cj.brightness > 0 ? factor(cj.brightness) : 1, cj.contrast > 0 ? factor(cj.contrast) : 1, cj.saturation > 0 ? factor(cj.saturation) : 1, cj.hue > 0 ? rng.uniformIn(-cj.hue, cj.hue) : 0];
      for (const op of order) {
        if (op === 0 && cj.brightness > 0) x = adjustBrightness(x, draws[0]);
        if (op === 1 && cj.contrast > 0) x = adjustContrast(x, plane, draws[1]);
        if (op === 2 && cj.saturation > 0) x = adjustSaturation(x, plane, draws[2]);
        if (op === 3 && cj.hue > 0) x = adjustHue(x, plane, draws[3]);
      }
    }
    return x;
  };
}

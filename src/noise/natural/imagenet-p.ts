// ImageNet-P perturbation sequences (Hendrycks & Dietterich 2019, section 3; spec natural-noise.md): frame 0 is the
// clean image (or the sequence's start), each later frame a small step further (geometric, blur, weather,
// brightness) or an independent draw (noise). 10 main types + 4 extra. Steps follow the reference generation
// script (hendrycks/robustness ImageNet-P/create_p/make_imagenet_p.py, difficulty 1), listed in PERTURBATION_STEPS.
//
// The reference applies geometric steps to the image resized to 256 and centre-crops 224 afterwards, so content
// from outside the crop moves in and uncovered areas are black. Given such a larger image and a crop size, this
// module does the same; given only the crop (on-the-fly evaluation), it warps the crop with reflected borders.
// Any frame is a pure function of (image, type, frame index, sequence seed), so frames can be computed alone.
import type { FloatImage } from '../../data/image.js';
import { centerCropOffsets } from '../../data/preprocess.js';
import { RobustartError } from '../../errors.js';
import { rngFor } from '../../util/rng.js';
import type { ImageNoise } from '../../data/seams.js';
import { borderIndex, clip01, clippedZoom, gaussianBlur } from './filters.js';
import { motionBlur } from './motion.js';
import { poissonScaled } from './noise.js';
import { WATER_COLOUR, waterShading } from './spatter.js';
import { sameSize } from './types.js';

/** Frames per sequence; translate has 41 (shifts -20..20 px). */
export const FRAMES = 31;

export const PERTURBATIONS = ['gaussian_noise', 'shot_noise', 'motion_blur', 'zoom_blur', 'snow', 'brightness', 'translate', 'rotate', 'tilt', 'scale'] as const;
export const EXTRA_PERTURBATIONS = ['speckle_noise', 'gaussian_blur', 'spatter', 'shear'] as const;
export type Perturbation = (typeof PERTURBATIONS)[number] | (typeof EXTRA_PERTURBATIONS)[number];
export const ALL_PERTURBATIONS: readonly Perturbation[] = [...PERTURBATIONS, ...EXTRA_PERTURBATIONS];

/** Frames of these types are independent draws: flip probability compares each with the first (metrics.md). */
export const NOISE_LIKE: ReadonlySet<Perturbation> = new Set(['gaussian_noise', 'shot_noise', 'speckle_noise']);

/** Geometric types move content: they act on the larger image before the crop. */
const GEOMETRIC: ReadonlySet<Perturbation> = new Set(['translate', 'rotate', 'tilt', 'scale', 'shear', 'zoom_blur']);

/** Per-frame parameters of make_imagenet_p.py (difficulty 1); frame index i. */
export const PERTURBATION_STEPS = {
  gaussian_noise: 'frames 1..30: x + N(0, 0.03)',
  shot_noise: 'frames 1..30: Poisson(300 x) / 300',
  speckle_noise: 'frames 1..30: x + x N(0, 0.05)',
  motion_blur: 'motion blur radius 10, sigma 3, angle 4 (i - 30) degrees',
  zoom_blur: 'mean of the zooms by 1 + 0.004 k, k = 0..i',
  gaussian_blur: 'Gaussian sigma 0.25 + 0.035 i (truncate 6)',
  snow: 'one snow layer (N(0.05, 0.3), zoom 3, threshold 0.5); motion blur radius 14, sigma 4, angle 4 i - 150; blend 0.85',
  spatter: 'one water layer (N(0.65, 0.27), sigma 3.7, threshold 0.69) running down: each frame convolves its columns with [0.05, 0.1, 0.15, 0.7]',
  brightness: 'HSV value + 0.02 (i - 15)',
  translate: 'horizontal shift i - 20 px, i = 0..40',
  rotate: 'rotation by i - 15 degrees',
  tilt: 'perspective rotation by i - 15 degrees about both image axes, focal length = image diagonal',
  scale: 'zoom by (2.5 i + 40) / 100',
  shear: 'shear by t = i - 15 degrees: [[1, -sin t], [0, cos t]] about the centre',
} as const satisfies Record<Perturbation, string>;

export function checkPerturbation(name: string): Perturbation {
  if (!(ALL_PERTURBATIONS as readonly string[]).includes(name)) throw new RobustartError(`unknown perturbation '${name}'; choose from ${ALL_PERTURBATIONS.join(', ')}`);
  return name as Perturbation;
}

export function frameCount(type: Perturbation): number {
  return type === 'translate' ? 41 : FRAMES;
}

/**
 * Outside the input: 'zero' - each bilinear tap outside is black (cv2.warpPerspective, BORDER_CONSTANT: tilt);
 * 'zero-outside' - a sample whose position lies outside the image (beyond the outer pixels' half-pixel edge) is
 * black, inside it the taps clamp to the edge (PIL's bilinear transform, under old torchvision's affine: translate,
 * rotate, scale, shear, zoom); 'reflect' - mirrored (frames warped from the crop alone).
 */
export type Fill = 'zero' | 'zero-outside' | 'reflect';

/**
 * Bilinear resampling through a 3x3 homography h mapping output (x, y, 1) to input coordinates (pixel centres at
 * integers).
 */
export function warp(image: FloatImage, h: readonly number[], fill: Fill = 'reflect'): FloatImage {
  const { width, height, data } = image;
  const out = new Float32Array(data.length);
  const index = (i: number, n: number) => (fill === 'reflect' ? borderIndex(i, n, 'reflect') : fill === 'zero-outside' ? (i < 0 ? 0 : i >= n ? n - 1 : i) : i >= 0 && i < n ? i : -1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const w = h[6] * x + h[7] * y + h[8];
      const sx = (h[0] * x + h[1] * y + h[2]) / w;
      const sy = (h[3] * x + h[4] * y + h[5]) / w;
      if (fill === 'zero-outside' && (sx < -0.5 || sx >= width - 0.5 || sy < -0.5 || sy >= height - 0.5)) continue;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const fx = sx - x0, fy = sy - y0;
      const r0 = index(y0, height), r1 = index(y0 + 1, height);
      const c0 = index(x0, width), c1 = index(x0 + 1, width);
      const o = (y * width + x) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const at = (r: number, c: number) => (r < 0 || c < 0 ? 0 : data[(r * width + c) * 3 + ch]);
        const top = at(r0, c0) + fx * (at(r0, c1) - at(r0, c0));
        const bottom = at(r1, c0) + fx * (at(r1, c1) - at(r1, c0));
        out[o + ch] = top + fy * (bottom - top);
      }
    }
  }
  return sameSize(image, clip01(out));
}

function multiply(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}

function invert3(m: number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [A / det, -(b * i - c * h) / det, (b * f - c * e) / det, B / det, (a * i - c * g) / det, -(a * f - c * d) / det, C / det, -(a * h - b * g) / det, (a * e - b * d) / det];
}

/**
 * torchvision <= 0.2's affine (make_imagenet_p.py) as an inverse map in pixel-index coordinates. Its inverse of
 * C * RSS * C^-1, RSS = scale * [[cos a, -sin(a + shear)], [sin a, cos(a + shear)]], about the centre
 * (w * 0.5 + 0.5, h * 0.5 + 0.5) in PIL's continuous coordinates (pixel index (w / 2, h / 2)), evaluated in the same
 * order as there; PIL samples output pixel x at x + 0.5 and input position p lies at index p - 0.5.
 */
export function torchvisionAffineInverse(width: number, height: number, angleDegrees: number, scale: number, shearDegrees: number): number[] {
  const cx = width * 0.5 + 0.5, cy = height * 0.5 + 0.5;
  const a = (angleDegrees * Math.PI) / 180, s = (shearDegrees * Math.PI) / 180;
  const d = Math.cos(a + s) * Math.cos(a) + Math.sin(a + s) * Math.sin(a);
  const m = [Math.cos(a + s), Math.sin(a + s), 0, -Math.sin(a), Math.cos(a), 0].map((v) => ((1 / scale) / d) * v);
  m[2] += m[0] * -cx + m[1] * -cy;
  m[5] += m[3] * -cx + m[4] * -cy;
  m[2] += cx;
  m[5] += cy;
  return [m[0], m[1], m[0] * 0.5 + m[1] * 0.5 + m[2] - 0.5, m[3], m[4], m[3] * 0.5 + m[4] * 0.5 + m[5] - 0.5, 0, 0, 1];
}

/**
 * Inverse map (output -> input) of a geometric frame on a width x height image. Rotate, scale and shear follow
 * torchvision <= 0.2's affine, which make_imagenet_p.py called: C * RSS * C^-1 with RSS = scale * [[cos a,
 * -sin(a + shear)], [sin a, cos(a + shear)]] (so shear is [[1, -sin t], [0, cos t]], squeezing vertically too, not
 * a pure x-shear by tan t) and the centre at PIL position (w * 0.5 + 0.5, h * 0.5 + 0.5), which is pixel index
 * (w / 2, h / 2).
 */
export function geometricInverse(type: Perturbation, i: number, width: number, height: number): number[] {
  const rad = (deg: number) => (deg * Math.PI) / 180;
  let forward: number[];
  switch (type) {
    case 'translate':
      forward = [1, 0, i - 20, 0, 1, 0, 0, 0, 1];
      break;
    case 'rotate':
      return torchvisionAffineInverse(width, height, i - 15, 1, 0);
    case 'shear':
      return torchvisionAffineInverse(width, height, 0, 1, i - 15);
    case 'scale':
      return torchvisionAffineInverse(width, height, 0, (i * 2.5 + 40) / 100, 0);
    case 'tilt': {
      // P2 * T * RX(theta) * RY(phi) * P1 with phi = theta = i - 15 degrees and f = the image diagonal.
      const t = rad(i - 15);
      const f = Math.hypot(width, height);
      const p1 = [[1, 0, -width / 2], [0, 1, -height / 2], [0, 0, 1], [0, 0, 1]];
      const rx = [[1, 0, 0, 0], [0, Math.cos(t), -Math.sin(t), 0], [0, Math.sin(t), Math.cos(t), 0], [0, 0, 0, 1]];
      const ry = [[Math.cos(t), 0, -Math.sin(t), 0], [0, 1, 0, 0], [Math.sin(t), 0, Math.cos(t), 0], [0, 0, 0, 1]];
      const tz = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, f], [0, 0, 0, 1]];
      const p2 = [[f, 0, width / 2, 0], [0, f, height / 2, 0], [0, 0, 1, 0]];
      forward = multiply(multiply(multiply(multiply(p2, tz), rx), ry), p1).flat();
      break;
    }
    default:
      throw new Error(`not a geometric perturbation: ${type}`);
  }
  return invert3(forward);
}

function zoomAverage(image: FloatImage, i: number, fill: Fill): FloatImage {
  const out = new Float32Array(image.data.length);
  const { width, height } = image;
  for (let k = 0; k <= i; k++) {
    // The same affine as scale (torchvision <= 0.2).
    const frame = k === 0 ? image : warp(image, torchvisionAffineInverse(width, height, 0, 1 + 0.004 * k, 0), fill);
    for (let p = 0; p < out.length; p++) out[p] += frame.data[p] / (i + 1);
  }
  return sameSize(image, out);
}

export function centreCrop(image: FloatImage, width: number, height: number): FloatImage {
  if (image.width === width && image.height === height) return image;
  const { left, top } = centerCropOffsets(image.width, image.height, width, height);
  const data = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) data.set(image.data.subarray(((top + y) * image.width + left) * 3, ((top + y) * image.width + left + width) * 3), y * width * 3);
  return { width, height, data };
}

function brightnessShift(image: FloatImage, c: number): FloatImage {
  const { data } = image;
  const out = new Float32Array(data.length);
  for (let p = 0; p < data.length; p += 3) {
    const v = Math.max(data[p], data[p + 1], data[p + 2]);
    const shifted = Math.min(Math.max(v + c, 0), 1);
    for (let ch = 0; ch < 3; ch++) out[p + ch] = v > 0 ? Math.min(1, (data[p + ch] * shifted) / v) : shifted;
  }
  return sameSize(image, out);
}

/** One snow layer per sequence: N(0.05, 0.3), zoomed 3x, thresholded at 0.5, 8-bit. */
function snowLayer(width: number, height: number, seed: number): Float32Array {
  const field = rngFor(seed, 0).stream().fillNormal(new Float32Array(width * height), 0.05, 0.3);
  const layer = clippedZoom(field, width, height, 1, 3);
  for (let i = 0; i < layer.length; i++) layer[i] = layer[i] < 0.5 ? 0 : Math.floor(Math.min(1, layer[i]) * 255) / 255;
  return layer;
}

function snowFrame(image: FloatImage, i: number, seed: number): FloatImage {
  const { width, height, data } = image;
  const flakes = motionBlur(snowLayer(width, height, seed), width, height, 1, 14, 4, 4 * i - 150);
  for (let k = 0; k < flakes.length; k++) flakes[k] = Math.round(flakes[k] * 255) / 255;
  const n = width * height;
  const out = new Float32Array(data.length);
  for (let p = 0; p < n; p++) {
    const lifted = (0.299 * data[3 * p] + 0.587 * data[3 * p + 1] + 0.114 * data[3 * p + 2]) * 1.5 + 0.5;
    const s = flakes[p] + flakes[n - 1 - p];
    for (let c = 0; c < 3; c++) {
      const x = data[3 * p + c];
      out[3 * p + c] = Math.min(1, Math.max(0, 0.85 * x + 0.15 * Math.max(x, lifted) + s));
    }
  }
  return sameSize(image, out);
}

/** Water drops running down: the sequence's layer, its columns convolved i times with [0.05, 0.1, 0.15, 0.7]. */
function spatterFrame(image: FloatImage, i: number, seed: number): FloatImage {
  const { width, height, data } = image;
  const field = rngFor(seed, 0).stream().fillNormal(new Float32Array(width * height), 0.65, 0.27);
  let liquid = gaussianBlur(field, width, height, 1, 3.7, 'nearest');
  for (let k = 0; k < liquid.length; k++) if (liquid[k] < 0.69) liquid[k] = 0;
  for (let step = 0; step < i; step++) {
    // numpy.convolve(column, [0.05, 0.1, 0.15, 0.7], mode='same'): new[y] = .05 old[y+1] + .1 old[y] + .15 old[y-1] + .7 old[y-2].
    const next = new Float32Array(liquid.length);
    const at = (y: number, x: number) => (y >= 0 && y < height ? liquid[y * width + x] : 0);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) next[y * width + x] = 0.05 * at(y + 1, x) + 0.1 * at(y, x) + 0.15 * at(y - 1, x) + 0.7 * at(y - 2, x);
    liquid = next;
  }
  const shade = waterShading(liquid, width, height, 0.6);
  const out = new Float32Array(data.length);
  for (let p = 0; p < width * height; p++) for (let c = 0; c < 3; c++) out[3 * p + c] = Math.min(1, data[3 * p + c] + shade[p] * WATER_COLOUR[c]);
  return sameSize(image, out);
}

export interface FrameOptions {
  /**
   * Size of the frames. `image` may be larger (the reference's image resized to 256): geometric frames then move
   * its content into the centre crop and fill uncovered areas with black, the rest act on the crop.
   */
  readonly crop?: { readonly width: number; readonly height: number };
}

/**
 * Frame i of a perturbation sequence. `seed` keys the sequence: frames of one sequence share it (snow and
 * spatter layers; each noise frame draws its own stream from it), so any frame can be computed alone.
 */
export function perturbationFrame(image: FloatImage, type: Perturbation, i: number, seed: number, options: FrameOptions = {}): FloatImage {
  const count = frameCount(type);
  if (!Number.isInteger(i) || i < 0 || i >= count) throw new RobustartError(`frame ${i} of ${type} is outside 0..${count - 1}`);
  const crop = options.crop ?? { width: image.width, height: image.height };
  const context = crop.width < image.width || crop.height < image.height;
  if (GEOMETRIC.has(type)) {
    const fill: Fill = !context ? 'reflect' : type === 'tilt' ? 'zero' : 'zero-outside';
    const moved = type === 'zoom_blur' ? zoomAverage(image, i, fill) : warp(image, geometricInverse(type, i, image.width, image.height), fill);
    return centreCrop(moved, crop.width, crop.height);
  }
  const x = centreCrop(image, crop.width, crop.height);
  const { width, height, data } = x;
  const frameStream = () => rngFor(seed, 1 + i).stream();
  switch (type) {
    case 'gaussian_noise':
    case 'speckle_noise': {
      if (i === 0) return x;
      const noise = frameStream().fillNormal(new Float32Array(data.length), 0, type === 'gaussian_noise' ? 0.03 : 0.05);
      for (let k = 0; k < noise.length; k++) noise[k] = data[k] + (type === 'gaussian_noise' ? noise[k] : data[k] * noise[k]);
      return sameSize(x, clip01(noise));
    }
    case 'shot_noise':
      return i === 0 ? x : sameSize(x, poissonScaled(data, 300, frameStream()));
    case 'motion_blur':
      return sameSize(x, motionBlur(data, width, height, 3, 10, 3, 4 * (i - 30), true));
    case 'gaussian_blur': {
      const sigma = 0.25 + 0.035 * i;
      return sameSize(x, gaussianBlur(data, width, height, 3, sigma, 'nearest', 6, sigma, undefined, true));
    }
    case 'brightness':
      return brightnessShift(x, 0.02 * (i - 15));
    case 'snow':
      return snowFrame(x, i, seed);
    case 'spatter':
      return spatterFrame(x, i, seed);
    default:
      throw new Error(`unhandled perturbation ${type}`);
  }
}

/** The whole sequence of a perturbation (31 frames; 41 for translate). */
export function perturbationSequence(image: FloatImage, type: Perturbation, seed: number, options: FrameOptions = {}): FloatImage[] {
  return Array.from({ length: frameCount(type) }, (_, i) => perturbationFrame(image, type, i, seed, options));
}

/** Frame i as the ImageNoise seam ("rotate/07"); the sequence seed is drawn from the rng it is given. */
export function perturbationNoise(type: Perturbation, i: number): ImageNoise {
  return { name: `${type}/${String(i).padStart(2, '0')}`, apply: (image, rng) => perturbationFrame(image, type, i, rng.seed) };
}

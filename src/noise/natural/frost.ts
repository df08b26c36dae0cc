// frost: c0 * image + c1 * a random crop of a frost photograph (make_imagenet_c.py; imagecorruptions).
//
// By default the six reference photographs shipped in data/frost/ (Apache-2.0, from imagecorruptions, which took
// them from hendrycks/robustness): one of the first five is drawn with randint(5) - frost6 ships but, as in both
// references, is never drawn - then imagecorruptions' size rule: scale the photograph by 1.1 (times the factor
// that makes it cover the image, when it is smaller) with OpenCV's INTER_CUBIC, draw the crop's top row, then its
// left column (randint(0, H' - h), randint(0, W' - w)), and blend.
//
// The procedural textures (options.frost = 'procedural') remain for comparison with earlier runs: a bank of six
// 512x512 textures, each made from a fixed seed so every run sees the same bank. A texture is
//   - a low-frequency haze: a plasma fractal (wibble decay 1.6) mapped to 0.12..0.40, the fogged glass;
//   - ice grain: uniform noise blurred with sigma 1.2;
//   - ice crystals: ~1 seed per 900 px growing dendrites (steps of 1 px, direction jitter N(0, 0.025 rad) per
//     step, side needles at +-60 degrees on alternating sides with probability 0.12 per step, up to 3 levels,
//     brightness fading along each needle), splatted bilinearly, then a sharp pass (sigma 0.6) and a glow (sigma 4);
//   - a cold tint (R, G, B) = v * (0.84, 0.93, 1.0) - the photographs are bluish white.
// They measured +1.1 to +1.4 dB PSNR milder than the photographs.
import { readFileSync } from 'node:fs';
import { toRgbImage, type FloatImage, type RgbImage } from '../../data/image.js';
import { decodePng } from '../../data/png.js';
import { RobustartError } from '../../errors.js';
import { decodeWithSkia } from '../system/decoders/skia.js';
import { cv2Resize } from '../system/resizers/opencv.js';
import { packagePath } from '../../util/paths.js';
import { Rng, rngFor } from '../../util/rng.js';
import { gaussianBlur, linearTaps } from './filters.js';
import { plasmaFractal } from './plasma.js';
import { atSeverity, sameSize, type CorruptionOptions, type Severity } from './types.js';

/** (image weight, frost weight), make_imagenet_c.py / imagecorruptions frost(). */
export const FROST = [[1, 0.4], [0.8, 0.6], [0.7, 0.7], [0.65, 0.7], [0.6, 0.75]] as const;

/** The reference photographs in data/frost/, in the references' order. */
export const FROST_PHOTOGRAPHS = ['frost1.png', 'frost2.png', 'frost3.png', 'frost4.jpg', 'frost5.jpg', 'frost6.jpg'] as const;
/** Both references draw np.random.randint(5): frost1..frost5. */
export const FROST_PHOTOGRAPHS_DRAWN = 5;
/** imagecorruptions enlarges every photograph by this factor (after any factor that makes it cover the image). */
export const FROST_RESCALE_MARGIN = 1.1;

export const FROST_TEXTURE_SIZE = 512;
export const FROST_TEXTURE_COUNT = 6;
const FROST_SEED = 0x0f405707;

/** One procedural frost texture (see the file comment); deterministic in `rng`. */
export function frostTexture(size: number, rng: Rng): FloatImage {
  const n = size * size;
  const haze = plasmaFractal(size, 1.6, rng);
  const crystals = new Float32Array(n);
  const splat = (x: number, y: number, v: number) => {
    const x0 = Math.floor(x), y0 = Math.floor(y);
    const fx = x - x0, fy = y - y0;
    const put = (xx: number, yy: number, w: number) => {
      xx = ((xx % size) + size) % size; // the texture wraps, like the plasma
      yy = ((yy % size) + size) % size;
      crystals[yy * size + xx] += w * v;
    };
    put(x0, y0, (1 - fx) * (1 - fy));
    put(x0 + 1, y0, fx * (1 - fy));
    put(x0, y0 + 1, (1 - fx) * fy);
    put(x0 + 1, y0 + 1, fx * fy);
  };
  // Dendrites: nearly straight needles with side needles at +-60 degrees on alternating sides (ice's hexagonal
  // habit), each level shorter and fainter.
  type Branch = { x: number; y: number; angle: number; length: number; level: number; intensity: number };
  const seeds = Math.round(n / 900);
  const stack: Branch[] = [];
  for (let s = 0; s < seeds; s++) {
    stack.push({ x: rng.uniform() * size, y: rng.uniform() * size, angle: rng.uniform() * 2 * Math.PI, length: rng.uniformIn(30, 140), level: 0, intensity: rng.uniformIn(0.25, 0.55) });
    while (stack.length > 0) {
      const b = stack.pop()!;
      let { x, y, angle } = b;
      let side = rng.uniform() < 0.5 ? -1 : 1;
      for (let step = 0; step < b.length; step++) {
        splat(x, y, b.intensity * (1 - (0.6 * step) / b.length));
        angle += rng.normal(0, 0.025);
        x += Math.cos(angle);
        y += Math.sin(angle);
        if (b.level < 3 && rng.uniform() < 0.12) {
          side = -side;
          stack.push({ x, y, angle: angle + side * (Math.PI / 3), length: (b.length - step) * rng.uniformIn(0.25, 0.5), level: b.level + 1, intensity: b.intensity * 0.85 });
        }
      }
    }
  }
  // Ice grain: fine blurred noise over the whole pane.
  const grain = new Float32Array(n);
  for (let i = 0; i < n; i++) grain[i] = rng.uniform();
  const grainBlurred = gaussianBlur(grain, size, size, 1, 1.2, 'reflect');
  const sharp = gaussianBlur(crystals, size, size, 1, 0.6, 'reflect');
  const glow = gaussianBlur(crystals, size, size, 1, 4, 'reflect');
  const data = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    let v = 0.14 + 0.3 * haze[i] + 0.5 * (grainBlurred[i] - 0.5) + 0.8 * sharp[i] + 1.6 * glow[i];
    v = v > 1 ? 1 : v < 0 ? 0 : v;
    data[3 * i] = 0.84 * v;
    data[3 * i + 1] = 0.93 * v;
    data[3 * i + 2] = v;
  }
  return { width: size, height: size, data };
}

const bank: (FloatImage | undefined)[] = [];

/** Texture k of the shipped procedural bank, built on first use (a pure function of the fixed seed, so caching is safe). */
export function proceduralFrostTexture(k: number): FloatImage {
  return (bank[k] ??= frostTexture(FROST_TEXTURE_SIZE, rngFor(FROST_SEED, k)));
}

export function proceduralFrostBank(): readonly FloatImage[] {
  return Array.from({ length: FROST_TEXTURE_COUNT }, (_, k) => proceduralFrostTexture(k));
}

const photographs: (RgbImage | undefined)[] = [];

/** Reference photograph k (0-based), decoded once per thread with its pixels as stored (OpenCV's imread). */
export function frostPhotograph(k: number): RgbImage {
  const name = FROST_PHOTOGRAPHS[k];
  if (name === undefined) throw new RobustartError(`frost photograph ${k} does not exist; there are ${FROST_PHOTOGRAPHS.length}`);
  if (!photographs[k]) {
    const path = packagePath(`data/frost/${name}`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      throw new RobustartError(`frost photograph ${path} is missing; reinstall robustart (the package ships data/frost/)`);
    }
    photographs[k] = name.endsWith('.png') ? decodePng(bytes, path) : decodeWithSkia(bytes);
  }
  return photographs[k]!;
}

/** imagecorruptions' size for a photograph blended into a width x height image: cover it, then enlarge by 1.1. */
export function frostRescaledSize(photoWidth: number, photoHeight: number, width: number, height: number): { width: number; height: number } {
  let scale = 1;
  if (photoHeight < height && photoWidth >= width) scale = height / photoHeight;
  else if (photoHeight >= height && photoWidth < width) scale = width / photoWidth;
  else if (photoHeight < height && photoWidth < width) scale = Math.max(height / photoHeight, width / photoWidth);
  scale *= FROST_RESCALE_MARGIN;
  // Same double arithmetic as the reference: 900 * 1.1 = 990.0000000000001 -> 991.
  return { width: Math.ceil(photoWidth * scale), height: Math.ceil(photoHeight * scale) };
}

const rescaled = new WeakMap<RgbImage, Map<string, RgbImage>>();
const userPhotographs = new WeakMap<FloatImage, RgbImage>();

/** The photograph at the size used for a width x height image (cv2.resize INTER_CUBIC), cached per size. */
export function rescaledFrostPhotograph(photo: RgbImage, width: number, height: number): RgbImage {
  const size = frostRescaledSize(photo.width, photo.height, width, height);
  let bySize = rescaled.get(photo);
  if (!bySize) rescaled.set(photo, (bySize = new Map()));
  const key = `${size.width}x${size.height}`;
  let out = bySize.get(key);
  if (!out) {
    if (bySize.size >= 8) bySize.clear(); // images of many sizes: keep the cache small
    bySize.set(key, (out = cv2Resize(photo, size.width, size.height, 'cubic')));
  }
  return out;
}

/** c0 * image + c1 * the frost crop at (left, top), clipped: the deterministic part of frost. */
export function frostBlend(image: FloatImage, severity: Severity, frost: RgbImage | FloatImage, left: number, top: number): FloatImage {
  const [imageWeight, frostWeight] = atSeverity(FROST, severity);
  const { width, height, data } = image;
  if (left < 0 || top < 0 || left + width > frost.width || top + height > frost.height) throw new RobustartError(`frost crop at (${left}, ${top}) of ${width}x${height} does not fit the ${frost.width}x${frost.height} texture`);
  const levels = frost.data instanceof Uint8Array ? frostWeight / 255 : frostWeight;
  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    const t = ((top + y) * frost.width + left) * 3;
    const p = y * width * 3;
    for (let i = 0; i < width * 3; i++) {
      const v = imageWeight * data[p + i] + levels * frost.data[t + i];
      out[p + i] = v > 1 ? 1 : v < 0 ? 0 : v;
    }
  }
  return sameSize(image, out);
}

/** Bilinear upscale so the texture covers width x height (the procedural textures are smaller than big images). */
function coverTexture(texture: FloatImage, width: number, height: number): FloatImage {
  if (texture.width >= width && texture.height >= height) return texture;
  const scale = Math.max(width / texture.width, height / texture.height);
  const outW = Math.ceil(texture.width * scale);
  const outH = Math.ceil(texture.height * scale);
  const xs = linearTaps(outW, texture.width, -0.5, 1 / scale, 0.5);
  const ys = linearTaps(outH, texture.height, -0.5, 1 / scale, 0.5);
  const out = new Float32Array(outW * outH * 3);
  for (let y = 0; y < outH; y++) {
    const r0 = ys.lower[y] * texture.width * 3;
    const r1 = Math.min(ys.lower[y] + 1, texture.height - 1) * texture.width * 3;
    const wy = ys.weight[y];
    for (let x = 0; x < outW; x++) {
      const c0 = xs.lower[x] * 3;
      const c1 = Math.min(xs.lower[x] + 1, texture.width - 1) * 3;
      const wx = xs.weight[x];
      for (let c = 0; c < 3; c++) {
        const top = texture.data[r0 + c0 + c] + wx * (texture.data[r0 + c1 + c] - texture.data[r0 + c0 + c]);
        const bottom = texture.data[r1 + c0 + c] + wx * (texture.data[r1 + c1 + c] - texture.data[r1 + c0 + c]);
        out[(y * outW + x) * 3 + c] = top + wy * (bottom - top);
      }
    }
  }
  return { width: outW, height: outH, data: out };
}

/**
 * The frost corruption. Photographs: options.frostTextures (the user's, drawn among all of them) or the shipped
 * reference photographs (drawn among the first five); options.frost = 'procedural' blends the procedural bank.
 */
export function frost(image: FloatImage, severity: Severity, rng: Rng, options?: CorruptionOptions): FloatImage {
  atSeverity(FROST, severity);
  const { width, height } = image;
  if (options?.frost === 'procedural') {
    const texture = coverTexture(proceduralFrostTexture(rng.int(FROST_TEXTURE_COUNT)), width, height);
    const top = rng.int(Math.max(1, texture.height - height));
    const left = rng.int(Math.max(1, texture.width - width));
    return frostBlend(image, severity, texture, left, top);
  }
  const user = options?.frostTextures && options.frostTextures.length > 0 ? options.frostTextures : undefined;
  const index = rng.int(user ? user.length : FROST_PHOTOGRAPHS_DRAWN);
  let photo: RgbImage;
  if (user) {
    const texture = user[index];
    photo = userPhotographs.get(texture) ?? toRgbImage(texture);
    userPhotographs.set(texture, photo);
  } else {
    photo = frostPhotograph(index);
  }
  const scaled = rescaledFrostPhotograph(photo, width, height);
  const top = rng.int(Math.max(1, scaled.height - height));
  const left = rng.int(Math.max(1, scaled.width - width));
  return frostBlend(image, severity, scaled, left, top);
}

// frost: c0 * image + c1 * a random crop of a frost texture (make_imagenet_c.py / imagecorruptions blend
// random crops of six frost photographs, which cannot be shipped here).
//
// Procedural frost textures (the default): a bank of six 512x512 textures, each made from a fixed seed so every
// run sees the same bank. A texture is
//   - a low-frequency haze: a plasma fractal (wibble decay 1.6) mapped to 0.12..0.40, the fogged glass;
//   - ice grain: uniform noise blurred with sigma 1.2;
//   - ice crystals: ~1 seed per 900 px growing dendrites (steps of 1 px, direction jitter N(0, 0.025 rad) per
//     step, side needles at +-60 degrees on alternating sides with probability 0.12 per step, up to 3 levels,
//     brightness fading along each needle), splatted bilinearly, then a sharp pass (sigma 0.6) and a glow (sigma 4);
//   - a cold tint (R, G, B) = v * (0.84, 0.93, 1.0) — the photographs are bluish white.
// Its mean level (~0.45) and contrast are of the same order as the photographs', so the blend weights of the
// spec give a comparable loss of contrast. Users with the photographs pass them with --frost-dir.
import type { FloatImage } from '../../data/image.js';
import { Rng, rngFor } from '../../util/rng.js';
import { gaussianBlur, linearTaps } from './filters.js';
import { plasmaFractal } from './plasma.js';
import { atSeverity, sameSize, type CorruptionOptions, type Severity } from './types.js';

/** (image weight, frost weight). */
export const FROST = [[1, 0.4], [0.8, 0.6], [0.7, 0.7], [0.65, 0.7], [0.6, 0.75]] as const;

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

/** Bilinear upscale so the texture covers width x height (the reference rescales frost smaller than the image). */
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

export function frost(image: FloatImage, severity: Severity, rng: Rng, options?: CorruptionOptions): FloatImage {
  const [imageWeight, frostWeight] = atSeverity(FROST, severity);
  const user = options?.frostTextures && options.frostTextures.length > 0 ? options.frostTextures : undefined;
  const { width, height, data } = image;
  const index = rng.int(user ? user.length : FROST_TEXTURE_COUNT);
  const texture = coverTexture(user ? user[index] : proceduralFrostTexture(index), width, height);
  const top = rng.int(Math.max(1, texture.height - height));
  const left = rng.int(Math.max(1, texture.width - width));
  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    const t = ((top + y) * texture.width + left) * 3;
    const p = y * width * 3;
    for (let i = 0; i < width * 3; i++) {
      const v = imageWeight * data[p + i] + frostWeight * texture.data[t + i];
      out[p + i] = v > 1 ? 1 : v < 0 ? 0 : v;
    }
  }
  return sameSize(image, out);
}

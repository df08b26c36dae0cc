// A synthetic photograph-like test image made by code (gradients, flat shapes with hard edges, fine texture),
// for tests, benchmarks and previews that must not depend on image files. Values sit on 8-bit levels, as in a
// decoded image.
import type { FloatImage } from '../../data/image.js';
import { Rng } from '../../util/rng.js';

export function syntheticImage(width: number, height: number, seed = 1): FloatImage {
  const rng = new Rng(seed);
  const data = new Float32Array(width * height * 3);
  // Multi-scale texture: a sum of oriented sinusoids with wavelengths from 2 to 64 px.
  const waves = Array.from({ length: 12 }, (_, k) => {
    const wavelength = 2 * Math.pow(2, (k % 6));
    const angle = rng.uniform() * Math.PI;
    const f = (2 * Math.PI) / wavelength;
    return { fx: f * Math.cos(angle), fy: f * Math.sin(angle), phase: rng.uniform() * 2 * Math.PI, amplitude: 0.05 / Math.sqrt(1 + k % 6) };
  });
  const discs = Array.from({ length: 6 }, () => ({ x: rng.uniform() * width, y: rng.uniform() * height, r: (0.08 + 0.15 * rng.uniform()) * Math.min(width, height), color: [rng.uniform(), rng.uniform(), rng.uniform()] }));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      // Sky-to-ground gradient with a soft texture.
      const t = y / Math.max(1, height - 1);
      let texture = 0;
      for (const w of waves) texture += w.amplitude * Math.sin(w.fx * x + w.fy * y + w.phase);
      let r = 0.25 + 0.45 * (1 - t) + texture;
      let g = 0.35 + 0.35 * (1 - t) + texture;
      let b = 0.55 + 0.35 * (1 - t) - 0.3 * t + texture;
      for (const d of discs) {
        if ((x - d.x) ** 2 + (y - d.y) ** 2 <= d.r * d.r) [r, g, b] = d.color.map((v) => v * 0.8 + 0.1 + texture);
      }
      if (x > width * 0.6 && x < width * 0.8 && y > height * 0.55) {
        r = 0.15 + 0.1 * ((x + y) % 7 < 3 ? 1 : 0);
        g = 0.12;
        b = 0.1;
      }
      data[p] = Math.round(Math.min(1, Math.max(0, r)) * 255) / 255;
      data[p + 1] = Math.round(Math.min(1, Math.max(0, g)) * 255) / 255;
      data[p + 2] = Math.round(Math.min(1, Math.max(0, b)) * 255) / 255;
    }
  }
  return { width, height, data };
}

/**
 * A test picture from integer arithmetic only, so a Python fixture script can make the same bytes
 * (tools/natural-noise-reference.py ramp_image): triangle-wave ramps per channel with a coarse block pattern.
 */
export function rampImage(width: number, height: number, k: number): FloatImage {
  const data = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const t = (x * (2 + k + c) + y * (3 + 2 * k) + 40 * k + 85 * c) % 512;
        const v = t < 256 ? t : 511 - t;
        const block = ((Math.floor(x / 13) + Math.floor(y / 11) + k + c) % 4) * 12;
        data[(y * width + x) * 3 + c] = Math.min(255, Math.max(0, Math.floor((v * 3) / 4) + block + 10)) / 255;
      }
    }
  }
  return { width, height, data };
}

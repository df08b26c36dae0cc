// Saving adversarial examples: the image as an 8-bit PNG (what a viewer shows) and the exact float perturbation
// δ = x_adv − x as a C×H×W float32 .npy (what reproduces the attack; PNG rounding would change it).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sharp } from '../../util/native.js';
import { writeNpy } from '../../onnx/npy.js';

export interface SavedExample {
  readonly png: string;
  readonly perturbation: string;
}

/** `name` should be file-safe; channels 1 and 3 are written as grey and RGB PNGs. */
export async function saveExample(
  dir: string, name: string, clean: Float32Array, adversarial: Float32Array, shape: readonly [number, number, number],
): Promise<SavedExample> {
  mkdirSync(dir, { recursive: true });
  const [c, h, w] = shape;
  const pixels = new Uint8Array(h * w * c);
  for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) {
    const v = adversarial[ch * h * w + p];
    pixels[p * c + ch] = v >= 1 ? 255 : v > 0 ? Math.round(v * 255) : 0;
  }
  const png = join(dir, `${name}.png`);
  await sharp(pixels, { raw: { width: w, height: h, channels: c as 1 | 3 } }).png().toFile(png);
  const delta = new Float32Array(c * h * w);
  for (let i = 0; i < delta.length; i++) delta[i] = adversarial[i] - clean[i];
  const perturbation = join(dir, `${name}.npy`);
  writeNpy(perturbation, { dtype: 'float32', shape: [c, h, w], data: delta });
  return { png, perturbation };
}

/** A sample id turned into a file name: path separators and odd characters become '_'. */
export function exampleName(index: number, sampleId: string, attack: string, eps: number | undefined): string {
  const id = sampleId.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/\.[A-Za-z]+$/, '');
  return `${String(index).padStart(5, '0')}-${id}-${attack}${eps === undefined ? '' : `-eps${+eps.toPrecision(4)}`}`;
}

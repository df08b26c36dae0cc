// Dataset samples → one N,C,H,W float tensor in [0,1] at a model's input resolution, through the same decoder, resizer
// and crop as the evaluation pipeline: the input of tensor-level tools (attacks, transfer) outside the evaluation spine.
import { readFile } from 'node:fs/promises';
import { RobustartError } from '../errors.js';
import type { Sample } from './dataset.js';
import { sharpDecoder } from './decode.js';
import { modelResizer } from './resize.js';
import { resizeAndCrop, type PreprocessConfig } from './preprocess.js';
import { toFloatImage, writeChw } from './image.js';

export async function loadImages(samples: readonly Sample[], preprocessing: PreprocessConfig): Promise<Float32Array> {
  const [c, h, w] = preprocessing.input_size;
  if (c !== 3) throw new RobustartError(`the model takes ${c} channels; the image pipeline produces RGB (3 channels)`);
  const preprocess = { input_size: preprocessing.input_size, crop_pct: preprocessing.crop_pct, interpolation: preprocessing.interpolation };
  const resizer = modelResizer(preprocessing.interpolation);
  const out = new Float32Array(samples.length * c * h * w);
  await Promise.all(samples.map(async (s, i) => {
    const image = await resizeAndCrop(await sharpDecoder.decode(new Uint8Array(await readFile(s.path))), preprocess, resizer);
    writeChw(toFloatImage(image), out, i * c * h * w);
  }));
  return out;
}

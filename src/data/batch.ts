// Dataset samples to one N,C,H,W float batch in [0,1]: the model's own preprocessing (sharp decode, the model's
// interpolation, resize and centre crop), for code that wants tensors rather than an evaluation run.
import { readFile } from 'node:fs/promises';
import { RobustartError } from '../errors.js';
import type { Sample } from './dataset.js';
import { sharpDecoder } from './decode.js';
import { toFloatImage, writeChw } from './image.js';
import { resizeAndCrop, type PreprocessConfig } from './preprocess.js';
import { modelResizer } from './resize.js';

/** A model as far as preprocessing goes: what loadModelFile returns fits. */
export interface PreprocessedFor {
  readonly name: string;
  readonly metadata: PreprocessConfig;
}

/** Samples → N,C,H,W float batch in [0,1] at the model's input resolution (the model's own preprocessing). */
export async function loadImages(samples: readonly Sample[], model: PreprocessedFor): Promise<Float32Array> {
  const [c, h, w] = model.metadata.input_size;
  if (c !== 3) throw new RobustartError(`model ${model.name} takes ${c} channels; the image pipeline produces RGB (3 channels)`);
  const preprocess = { input_size: model.metadata.input_size, crop_pct: model.metadata.crop_pct, interpolation: model.metadata.interpolation };
  const resizer = modelResizer(model.metadata.interpolation);
  const out = new Float32Array(samples.length * c * h * w);
  await Promise.all(samples.map(async (s, i) => {
    const image = await resizeAndCrop(await sharpDecoder.decode(new Uint8Array(await readFile(s.path))), preprocess, resizer);
    writeChw(toFloatImage(image), out, i * c * h * w);
  }));
  return out;
}

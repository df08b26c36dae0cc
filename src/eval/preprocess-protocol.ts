// The messages between the evaluation and its preprocessing workers (src/eval/preprocess-worker.ts).
import type { RgbImage } from '../data/image.js';
import type { PreprocessConfig } from '../data/preprocess.js';

export interface PreprocessRequest {
  readonly path: string;
  readonly decoder: string;
  readonly resizers: readonly string[];
  readonly config: PreprocessConfig;
}

/** One cropped image per requested resizer, or why the file could not be read or decoded. */
export type PreprocessResult = { images: RgbImage[] } | { undecodable: string };

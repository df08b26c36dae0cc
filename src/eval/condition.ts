// A condition is one way of showing the dataset to the model: the clean pipeline, or the pipeline
// with one noise swapped in (a decoder, a resizer, an image corruption, or a batch attack).
import type { Decoder, Resizer, ImageNoise } from '../data/seams.js';
import type { Sample } from '../data/dataset.js';

/** The samples of one batch as a batch noise sees them: images N,C,H,W in [0,1], labels and ids in the same order. */
export interface BatchNoiseInput {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly sampleIds: readonly string[];
  /** The run's seed: a noise draws sample i's randomness from its own stream keyed by (seed, noise, sampleIds[i]). */
  readonly seed: number;
}

/**
 * A noise on the assembled batch that may query the model: adversarial attacks. A sample's output depends only on that
 * sample, its id and the seed, never on which other samples share the batch.
 */
export interface BatchNoise {
  readonly name: string;
  apply(input: BatchNoiseInput): Promise<{ images: Float32Array; extra?: Record<string, unknown>[] }>;
}

/** What a condition is, as structured fields (records and reports read these, never the name). */
export type ConditionMeta =
  | { readonly kind: 'clean' }
  | { readonly kind: 'corruption'; readonly corruption: string; readonly severity: number }
  | { readonly kind: 'perturbation'; readonly perturbation: string }
  | { readonly kind: 'system'; readonly decoder: string; readonly resizer: string }
  | { readonly kind: 'adversarial'; readonly attack: string; readonly norm: string; readonly eps: number | null }
  | { readonly kind: 'subset'; readonly subset: string; readonly role?: 'positive' | 'negative' };

export interface Condition {
  /** Stored with every record (records.noise), e.g. "clean", "gaussian_noise/3", "jpegjs+pil-bilinear". */
  readonly name: string;
  readonly meta?: ConditionMeta;
  readonly decoder?: Decoder;
  readonly resizer?: Resizer;
  readonly imageNoise?: ImageNoise;
  readonly batchNoise?: BatchNoise;
  /**
   * Where this condition reads a sample's bytes, when not from the dataset itself: a pre-made noisy
   * copy of the dataset (an ImageNet-C tree: <dir>/<corruption>/<severity>/<sample id>).
   */
  readonly samplePath?: (sample: Sample) => string;
  /**
   * Class indices the prediction is restricted to (ImageNet-A/-O/-R: 200 of the 1,000 classes): the
   * logits of other classes are dropped before the softmax and the ranking, as the reference scripts do.
   */
  readonly classSubset?: readonly number[];
  /** Every setting of this condition's noise (an attack's steps, step size, restarts…), recorded with the run's summary. */
  readonly settings?: Readonly<Record<string, number | string | boolean>>;
}

export const CLEAN: Condition = { name: 'clean', meta: { kind: 'clean' } };

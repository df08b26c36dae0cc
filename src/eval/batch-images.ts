// The images one batch needs, for every condition still pending on it: each file is read and decoded once
// per decoder, then resized and cropped once per resizer; in worker threads when a pool is given.
import { readFile } from 'node:fs/promises';
import type { Sample } from '../data/dataset.js';
import type { RgbImage } from '../data/image.js';
import { DecoderUnavailableError, UndecodableImageError } from '../data/decode.js';
import { resizeAndCrop, type PreprocessConfig } from '../data/preprocess.js';
import type { Decoder, Resizer } from '../data/seams.js';
import type { WorkerPool } from '../util/worker-pool.js';
import type { Condition } from './condition.js';
import type { PreprocessRequest, PreprocessResult } from './preprocess-protocol.js';

export type PreparedImage = RgbImage | UndecodableImageError;

export interface BatchImagesOptions {
  readonly preprocess: PreprocessConfig;
  readonly defaultDecoder: Decoder;
  readonly defaultResizer: Resizer;
  readonly pool?: WorkerPool<PreprocessRequest, PreprocessResult>;
  /** Whether a worker can rebuild this decoder and resizer from their names. */
  readonly poolable: (decoder: Decoder, resizer: Resizer) => boolean;
  /** Cancels the workers' requests of this batch. */
  readonly signal?: AbortSignal;
}

interface Group {
  readonly decoder: Decoder;
  readonly resizers: Map<string, Resizer>;
  readonly pathOf: (s: Sample) => string;
  /** Conditions of this group not yet handed their images; the group is dropped at zero. */
  remaining: number;
  images?: Promise<Map<string, PreparedImage[]>>;
}

export class BatchImages {
  private readonly groups = new Map<string, Group>();

  /** `conditions`: those with pending samples in this batch, in the order they will be asked for. */
  constructor(private readonly batch: readonly Sample[], conditions: readonly Condition[], private readonly options: BatchImagesOptions) {
    for (const c of conditions) {
      const key = this.groupKey(c);
      let group = this.groups.get(key);
      if (!group) {
        const samplePath = c.samplePath;
        group = { decoder: c.decoder ?? options.defaultDecoder, resizers: new Map(), pathOf: samplePath ? (s) => samplePath(s) : (s) => s.path, remaining: 0 };
        this.groups.set(key, group);
      }
      const resizer = c.resizer ?? options.defaultResizer;
      group.resizers.set(resizer.name, resizer);
      group.remaining++;
    }
  }

  /** The batch's images as `condition` sees them, in batch order; undecodable samples as errors. */
  async imagesFor(condition: Condition): Promise<PreparedImage[]> {
    const key = this.groupKey(condition);
    const group = this.groups.get(key);
    if (!group) throw new Error(`condition ${condition.name} was not announced to this batch`);
    group.images ??= this.load(group);
    const images = await group.images;
    if (--group.remaining === 0) this.groups.delete(key); // free the crops as soon as the group is done
    return images.get((condition.resizer ?? this.options.defaultResizer).name)!;
  }

  private groupKey(c: Condition): string {
    return `${(c.decoder ?? this.options.defaultDecoder).name}\u0000${c.samplePath ? c.name : ''}`;
  }

  private async load(group: Group): Promise<Map<string, PreparedImage[]>> {
    const resizers = [...group.resizers.values()];
    const { pool, preprocess } = this.options;
    const usePool = pool !== undefined && resizers.every((r) => this.options.poolable(group.decoder, r));
    const perSample = await Promise.all(
      this.batch.map(async (s): Promise<PreparedImage[]> => {
        if (usePool) {
          const result = await pool.run({ path: group.pathOf(s), decoder: group.decoder.name, resizers: resizers.map((r) => r.name), config: preprocess }, { signal: this.options.signal });
          return 'images' in result ? result.images : resizers.map(() => new UndecodableImageError(s.id, result.undecodable));
        }
        return decodeAndResize(group.pathOf(s), s.id, group.decoder, resizers, preprocess);
      }),
    );
    return new Map(resizers.map((r, k) => [r.name, perSample.map((images) => images[k])]));
  }
}

/** Reads, decodes once, then resizes and crops once per resizer; a file that cannot be read or decoded is an error value. */
export async function decodeAndResize(path: string, id: string, decoder: Decoder, resizers: readonly Resizer[], preprocess: PreprocessConfig): Promise<PreparedImage[]> {
  let decoded: RgbImage;
  try {
    decoded = await decoder.decode(new Uint8Array(await readFile(path)));
  } catch (err) {
    // One bad image is skipped and counted; a decoder that cannot run here stops the evaluation.
    if (err instanceof DecoderUnavailableError) throw err;
    const reason = String((err as Error).message ?? err).split('\n')[0].replace(/^cannot decode image [^:]*: /, '');
    return resizers.map(() => new UndecodableImageError(id, reason));
  }
  return Promise.all(resizers.map((r) => resizeAndCrop(decoded, preprocess, r)));
}

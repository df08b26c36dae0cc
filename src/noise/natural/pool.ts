// Worker threads for the corruptions (worker.ts) across images: the CPU-heavy part of ImageNet-C generation, of the
// benchmark and of on-the-fly evaluation scales with cores because each image is independent. Built on the shared
// WorkerPool (idle workers never keep the process alive).
import { availableParallelism } from 'node:os';
import type { FloatImage } from '../../data/image.js';
import { RobustartError } from '../../errors.js';
import { WorkerPool, WorkerPoolError } from '../../util/worker-pool.js';
import { moduleUrl } from '../../util/paths.js';
import type { ImageNoise } from '../../data/seams.js';
import { getCorruption } from './registry.js';
import { checkSeverity, type CorruptionOptions, type Severity } from './types.js';
import type { WorkerRequest } from './worker.js';

export interface PoolOptions {
  /** Number of worker threads (default: all cores). */
  readonly workers?: number;
  /** Corruption options (the user's frost photographs, frost and elastic variants), shared with every worker. */
  readonly corruptionOptions?: CorruptionOptions;
}

export class CorruptionPool {
  private readonly pool: WorkerPool<WorkerRequest, unknown>;

  constructor(options: PoolOptions = {}) {
    const count = Math.max(1, options.workers ?? availableParallelism());
    this.pool = new WorkerPool<WorkerRequest, unknown>(moduleUrl('noise/natural/worker.js'), count, { corruptionOptions: options.corruptionOptions });
  }

  get size(): number {
    return this.pool.size;
  }

  /** Runs one request on the next free worker; a worker's user error comes back as a RobustartError. */
  async run<T>(request: WorkerRequest): Promise<T> {
    try {
      return (await this.pool.run(request)) as T;
    } catch (err) {
      throw err instanceof WorkerPoolError && err.userError ? new RobustartError(err.message) : err;
    }
  }

  /** Stops the workers (also `await using`). */
  dispose(): Promise<void> {
    return this.pool.dispose();
  }

  /** @deprecated the same as dispose(). */
  close(): Promise<void> {
    return this.dispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

/**
 * One corruption at one severity as an ImageNoise that runs on the pool. Same images as corruptionNoise: both
 * seed the corruption with the first 32 bits drawn from the stream they are given.
 */
export function pooledCorruptionNoise(pool: CorruptionPool, corruption: string, severity: Severity): ImageNoise {
  getCorruption(corruption);
  checkSeverity(severity);
  return {
    name: `${corruption}/${severity}`,
    apply: (image, rng) => pool.run<FloatImage>({ kind: 'corrupt', image, corruption, severity, seed: rng.nextUint32() }),
  };
}

// A fixed pool of worker threads running corruption jobs (worker.ts) across images: the CPU-heavy part of
// ImageNet-C generation and of the benchmark scales with cores because each image is independent.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { FloatImage } from '../../data/image.js';
import type { WorkerRequest, WorkerResponse } from './worker.js';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export interface PoolOptions {
  /** Number of worker threads (default: all cores). */
  readonly workers?: number;
  /** Frost textures from --frost-dir, shared with every worker. */
  readonly frostTextures?: readonly FloatImage[];
}

export class CorruptionPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { request: WorkerRequest; pending: Pending }[] = [];
  private readonly inFlight = new Map<Worker, Pending>();
  private failure: Error | undefined;

  constructor(options: PoolOptions = {}) {
    const count = Math.max(1, options.workers ?? availableParallelism());
    for (let i = 0; i < count; i++) {
      const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: { frostTextures: options.frostTextures ?? [] } });
      worker.on('message', (message: WorkerResponse) => this.settle(worker, message));
      worker.on('error', (error) => this.fail(worker, error));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(worker, new Error(`corruption worker exited with code ${code}`));
      });
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Runs one request on the next free worker. */
  run<T>(request: WorkerRequest): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ request, pending: { resolve: resolve as (v: unknown) => void, reject } });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const { request, pending } = this.queue.shift()!;
      this.inFlight.set(worker, pending);
      worker.postMessage(request);
    }
  }

  private settle(worker: Worker, message: WorkerResponse): void {
    const pending = this.inFlight.get(worker);
    this.inFlight.delete(worker);
    this.idle.push(worker);
    if (pending) {
      if (message.ok) pending.resolve(message.result);
      else {
        const error = new Error(message.error) as Error & { userError?: boolean };
        error.userError = message.userError;
        pending.reject(error);
      }
    }
    this.dispatch();
  }

  private fail(worker: Worker, error: Error): void {
    this.failure ??= error;
    const pending = this.inFlight.get(worker);
    this.inFlight.delete(worker);
    pending?.reject(error);
    for (const { pending: p } of this.queue.splice(0)) p.reject(error);
  }
}

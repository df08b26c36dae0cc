// A fixed-size pool of worker threads answering one request at a time each, in submission order.
// Used where CPU work must overlap with ONNX Runtime, which blocks the main thread while it runs.
// A worker that crashes fails only the request it was running; the pool starts a replacement. A request can
// be cancelled with an AbortSignal (a running one by stopping and replacing its worker).
import type { Worker } from 'node:worker_threads';
import { workerThreads } from './native.js';

/** What a worker script posts back for each request it was given. */
export type WorkerReply<T> = { ok: true; result: T } | { ok: false; error: string; userError?: boolean };

export class WorkerPoolError extends Error {
  constructor(message: string, readonly userError: boolean) {
    super(message);
    this.name = 'WorkerPoolError';
  }
}

interface Job<Req, Res> {
  readonly request: Req;
  readonly transfer: ArrayBuffer[];
  readonly signal?: AbortSignal;
  resolve(value: Res): void;
  reject(error: Error): void;
  /** Removes the abort listener once the job is settled. */
  detach(): void;
}

export interface RunOptions {
  /** Buffers moved to the worker rather than copied. */
  readonly transfer?: ArrayBuffer[];
  /** Cancels the request: a queued one is dropped, a running one's worker is stopped and replaced. */
  readonly signal?: AbortSignal;
}

export class WorkerPool<Req, Res> {
  private readonly workers = new Set<Worker>();
  private readonly idle: Worker[] = [];
  private readonly queue: Job<Req, Res>[] = [];
  private readonly inFlight = new Map<Worker, Job<Req, Res>>();
  private disposed = false;
  /** Set when a worker could not even start (a broken script): every request fails with it from then on. */
  private broken: Error | undefined;
  private readonly started = new WeakSet<Worker>();

  constructor(
    private readonly script: URL,
    size: number,
    private readonly workerData?: unknown,
  ) {
    for (let i = 0; i < Math.max(1, size); i++) this.spawn();
  }

  get size(): number {
    return this.workers.size;
  }

  /** `options`: the buffers to transfer (an array, as before) or { transfer, signal }. */
  run(request: Req, options: ArrayBuffer[] | RunOptions = []): Promise<Res> {
    const { transfer = [], signal } = Array.isArray(options) ? { transfer: options } : options;
    if (this.disposed) return Promise.reject(new Error('the worker pool has been disposed'));
    if (this.broken) return Promise.reject(this.broken);
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<Res>((resolve, reject) => {
      const onAbort = () => this.cancel(job);
      const job: Job<Req, Res> = { request, transfer, signal, resolve, reject, detach: () => signal?.removeEventListener('abort', onAbort) };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(job);
      this.dispatch();
    });
  }

  /** Stops every worker; requests still queued or running fail (also `await using`). */
  async dispose(): Promise<void> {
    this.disposed = true;
    const error = new Error('the worker pool has been disposed');
    for (const job of this.queue.splice(0)) settle(job, () => job.reject(error));
    for (const job of this.inFlight.values()) settle(job, () => job.reject(error));
    this.inFlight.clear();
    await Promise.all([...this.workers].map((w) => w.terminate()));
    this.workers.clear();
  }

  /** @deprecated the same as dispose(). */
  close(): Promise<void> {
    return this.dispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  private spawn(): void {
    const worker = new workerThreads.Worker(this.script, { workerData: this.workerData });
    // A worker that has not started yet holds the process despite unref(); unref again once it runs.
    worker.once('online', () => {
      this.started.add(worker);
      if (!this.inFlight.has(worker)) worker.unref();
    });
    worker.on('message', (reply: WorkerReply<Res>) => this.answer(worker, reply));
    worker.on('error', (error) => this.lose(worker, error));
    worker.on('exit', (code) => this.lose(worker, new Error(`worker ${this.script.pathname} exited with code ${code}`)));
    // An idle pool never keeps the process alive. After the listeners: adding a 'message' listener refs the
    // worker's port again, and a process with an idle module-level pool would then never exit.
    worker.unref();
    this.workers.add(worker);
    this.idle.push(worker);
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.inFlight.set(worker, job);
      worker.ref();
      worker.postMessage(job.request, job.transfer);
    }
  }

  private answer(worker: Worker, reply: WorkerReply<Res>): void {
    const job = this.inFlight.get(worker);
    this.inFlight.delete(worker);
    worker.unref();
    this.idle.push(worker);
    if (job) settle(job, () => (reply.ok ? job.resolve(reply.result) : job.reject(new WorkerPoolError(reply.error, reply.userError ?? false))));
    this.dispatch();
  }

  /** A worker crashed, exited or was stopped: its request fails with the reason and a new worker takes its place. */
  private lose(worker: Worker, error: Error): void {
    if (!this.workers.delete(worker)) return; // already handled ('error' is followed by 'exit')
    const idleAt = this.idle.indexOf(worker);
    if (idleAt >= 0) this.idle.splice(idleAt, 1);
    const job = this.inFlight.get(worker);
    this.inFlight.delete(worker);
    if (job) settle(job, () => job.reject(error));
    if (this.disposed) return;
    if (!this.started.has(worker)) {
      // Replacing a worker that cannot start would only fail again: the pool is broken.
      this.broken ??= error;
      for (const queued of this.queue.splice(0)) settle(queued, () => queued.reject(error));
      return;
    }
    this.spawn();
    this.dispatch();
  }

  private cancel(job: Job<Req, Res>): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      settle(job, () => job.reject(abortError(job.signal!)));
      return;
    }
    for (const [worker, running] of this.inFlight) {
      if (running !== job) continue;
      this.inFlight.delete(worker);
      settle(job, () => job.reject(abortError(job.signal!)));
      this.workers.delete(worker);
      void worker.terminate();
      if (!this.disposed) {
        this.spawn();
        this.dispatch();
      }
      return;
    }
  }
}

function settle<Req, Res>(job: Job<Req, Res>, action: () => void): void {
  job.detach();
  action();
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('the request was cancelled', 'AbortError');
}

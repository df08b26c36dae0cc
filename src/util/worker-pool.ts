// A fixed pool of worker threads answering one request at a time each, in submission order per worker.
// Used where CPU work must overlap with ONNX Runtime, which blocks the main thread while it runs.
import { Worker } from 'node:worker_threads';

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
  resolve(value: Res): void;
  reject(error: Error): void;
}

export class WorkerPool<Req, Res> {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Job<Req, Res>[] = [];
  private readonly inFlight = new Map<Worker, Job<Req, Res>>();
  private failure: Error | undefined;
  private closing = false;

  constructor(script: URL, size: number, workerData?: unknown) {
    for (let i = 0; i < Math.max(1, size); i++) {
      const worker = new Worker(script, { workerData });
      worker.on('message', (reply: WorkerReply<Res>) => this.settle(worker, reply));
      worker.on('error', (error) => this.fail(worker, error));
      worker.on('exit', (code) => {
        if (!this.closing && code !== 0) this.fail(worker, new Error(`worker ${script.pathname} exited with code ${code}`));
      });
      // An idle pool never keeps the process alive: unref after the listeners, since adding a 'message' listener
      // refs the worker's port again (a pool that never ran a job would otherwise hold the process open).
      worker.unref();
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  run(request: Req, transfer: ArrayBuffer[] = []): Promise<Res> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ request, transfer, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
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

  private settle(worker: Worker, reply: WorkerReply<Res>): void {
    const job = this.inFlight.get(worker);
    this.inFlight.delete(worker);
    worker.unref();
    this.idle.push(worker);
    if (job) {
      if (reply.ok) job.resolve(reply.result);
      else job.reject(new WorkerPoolError(reply.error, reply.userError ?? false));
    }
    this.dispatch();
  }

  private fail(worker: Worker, error: Error): void {
    this.failure ??= error;
    const job = this.inFlight.get(worker);
    this.inFlight.delete(worker);
    job?.reject(error);
    for (const queued of this.queue.splice(0)) queued.reject(error);
  }
}

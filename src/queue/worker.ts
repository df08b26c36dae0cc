// A shard worker: takes shards from the queue, fetches each model once per hash, reads images from its own
// copy of the dataset, computes in worker threads and returns the records. BullMQ retries a failed shard with
// backoff and hands the shard of a worker that died (its lock expired) to another one.
import { hostname } from 'node:os';
import type { Job } from 'bullmq';
import { bullmq } from '../util/native.js';
import type { Redis } from 'ioredis';
import type { Device } from '../model/session.js';
import { WorkerPool, WorkerPoolError } from '../util/worker-pool.js';
import { moduleUrl } from '../util/paths.js';
import { connectRedis, SHARD_QUEUE } from './connection.js';
import { cachedModelPath, defaultModelCacheDir } from './model-cache.js';
import { mapOptionPaths, mapPath, type PathMapping } from './path-map.js';
import type { ComputeRequest } from './compute.js';
import { workerName, type ShardJobData, type ShardResult, type ShardWorkerInfo } from './shard.js';

export interface ShardWorkerOptions {
  readonly url: string;
  readonly device?: Device;
  /** Shards computed at once, each in its own thread with its own model session (default 1). */
  readonly concurrency?: number;
  /** ONNX Runtime intra-op threads per shard. */
  readonly threads?: number;
  readonly dataMap?: readonly PathMapping[];
  readonly cacheDir?: string;
  /**
   * How long a shard stays locked to this worker without a renewal (ms, default BullMQ's 30 s). The lock is
   * renewed every half of it from the main thread, so it only expires when the worker process is gone.
   */
  readonly lockDuration?: number;
  /** Called as shards finish or fail (for a log line). */
  readonly onShard?: (event: { jobId: string; ok: boolean; records?: number; seconds?: number; error?: string }) => void;
}

export interface ShardWorker {
  readonly name: string;
  /** Finishes the shards in progress, then disconnects. */
  close(): Promise<void>;
}

export async function startShardWorker(options: ShardWorkerOptions): Promise<ShardWorker> {
  const redis: Redis = await connectRedis(options.url);
  const concurrency = options.concurrency ?? 1;
  const cacheDir = options.cacheDir ?? defaultModelCacheDir();
  const dataMap = options.dataMap ?? [];
  const info: ShardWorkerInfo = { host: hostname(), pid: process.pid, device: options.device ?? 'cpu' };
  const name = workerName(info);
  const script = moduleUrl('queue/compute-thread.js');
  let pool = new WorkerPool<ComputeRequest, ShardResult>(script, concurrency);

  const processShard = async (job: Job<ShardJobData, ShardResult>): Promise<ShardResult> => {
    const shard = job.data;
    const request: ComputeRequest = {
      shard,
      modelPath: await cachedModelPath(redis, shard.model.sha256, cacheDir),
      datasetRoot: mapPath(shard.dataset.root, dataMap),
      suiteOptions: mapOptionPaths(shard.suiteOptions, dataMap),
      device: options.device ?? 'cpu',
      threads: options.threads,
      worker: info,
    };
    try {
      return await pool.run(request);
    } catch (err) {
      // A thread that died poisons its pool: start a fresh one for the next shard.
      if (!(err instanceof WorkerPoolError)) {
        const dead = pool;
        pool = new WorkerPool<ComputeRequest, ShardResult>(script, concurrency);
        await dead.close();
      }
      throw new Error((err as Error).message);
    }
  };

  const lockDuration = options.lockDuration ?? 30_000;
  const worker = new bullmq.Worker<ShardJobData, ShardResult>(SHARD_QUEUE, processShard, {
    connection: redis,
    concurrency,
    lockDuration,
    stalledInterval: lockDuration,
    maxStalledCount: 1,
    name,
  });
  worker.on('error', () => undefined); // connection errors: ioredis reconnects
  worker.on('completed', (job, result) => options.onShard?.({ jobId: job.id!, ok: true, records: result.records.count, seconds: result.computeSeconds }));
  worker.on('failed', (job, err) => options.onShard?.({ jobId: job?.id ?? '?', ok: false, error: err.message }));
  await worker.waitUntilReady();
  return {
    name,
    async close() {
      await worker.close();
      await pool.close();
      redis.disconnect();
    },
  };
}

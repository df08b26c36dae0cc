// Queue figures for a progress bar, `robustart queue status` or a dashboard: shard counts and the shards in
// progress (with the worker computing each) from BullMQ, record counts, rates and each worker's share from what
// each coordinator publishes about its run.
import type { Queue } from 'bullmq';
import { bullmq } from '../util/native.js';
import type { Redis } from 'ioredis';
import { connectRedis, SHARD_QUEUE } from './connection.js';
import type { WorkerShare } from './stored-shards.js';

export interface RunProgress {
  readonly runId: string;
  readonly model: string;
  readonly suite: string;
  /** Records stored / records the run needs. */
  readonly done: number;
  readonly total: number;
  readonly failedShards: number;
  /** Records stored per second since the coordinator (re)started. */
  readonly recordsPerSecond: number;
  /** Seconds to go at that rate (null before the first shard came back). */
  readonly etaSeconds: number | null;
  readonly updatedAt: string;
  /** Shards and records each worker process (host, pid, device) computed for this run, from the results store. */
  readonly workers: WorkerShare[];
}

/** Shards waiting, running, delayed for a retry, done (not yet collected by a coordinator) and failed. */
export interface QueueCounts {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly completed: number;
  readonly failed: number;
}

/** A shard being computed now, and by which worker. */
export interface RunningShard {
  readonly shard: string;
  /** The worker's name, host:pid/device. */
  readonly worker: string | null;
  readonly startedAt: string | null;
}

export interface QueueProgress extends QueueCounts {
  /** Worker processes connected to the queue now, by name (host:pid/device), busy or idle. */
  readonly workers: string[];
  readonly running: RunningShard[];
  readonly runs: RunProgress[];
}

const runKey = (runId: string) => `robustart:run:${runId}`;
/** A run's figures outlive a dead coordinator by a day, then Redis drops them. */
const RUN_KEY_TTL_S = 24 * 3600;

export interface RunFigures {
  readonly model: string;
  readonly suite: string;
  readonly done: number;
  readonly total: number;
  readonly failedShards: number;
  readonly sessionStart: number;
  readonly sessionDone: number;
  readonly workers: readonly WorkerShare[];
}

export async function publishRunProgress(redis: Redis, runId: string, figures: RunFigures): Promise<void> {
  const fields = Object.fromEntries(Object.entries({ ...figures, updatedAt: Date.now() }).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]));
  await redis.multi().hset(runKey(runId), fields).expire(runKey(runId), RUN_KEY_TTL_S).exec();
}

export function runProgressOf(runId: string, f: RunFigures & { updatedAt: number }): RunProgress {
  const seconds = Math.max((f.updatedAt - f.sessionStart) / 1000, 1e-3);
  const recordsPerSecond = f.sessionDone / seconds;
  return {
    runId,
    model: f.model,
    suite: f.suite,
    done: f.done,
    total: f.total,
    failedShards: f.failedShards,
    recordsPerSecond,
    etaSeconds: recordsPerSecond > 0 ? (f.total - f.done) / recordsPerSecond : null,
    updatedAt: new Date(f.updatedAt).toISOString(),
    workers: [...f.workers],
  };
}

export async function shardCounts(queue: Queue): Promise<QueueCounts> {
  const c = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed');
  return { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0 };
}

function parseWorkers(text: string | undefined): WorkerShare[] {
  try {
    const parsed: unknown = JSON.parse(text ?? '[]');
    return Array.isArray(parsed) ? (parsed as WorkerShare[]) : [];
  } catch {
    return [];
  }
}

async function runsIn(redis: Redis): Promise<RunProgress[]> {
  const runs: RunProgress[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', runKey('*'), 'COUNT', 100);
    cursor = next;
    for (const key of keys) {
      const h = await redis.hgetall(key);
      if (!h.total) continue;
      const n = (k: string) => Number(h[k] ?? 0);
      runs.push(
        runProgressOf(key.slice(runKey('').length), {
          model: h.model ?? '',
          suite: h.suite ?? '',
          done: n('done'),
          total: n('total'),
          failedShards: n('failedShards'),
          sessionStart: n('sessionStart'),
          sessionDone: n('sessionDone'),
          updatedAt: n('updatedAt'),
          workers: parseWorkers(h.workers),
        }),
      );
    }
  } while (cursor !== '0');
  return runs.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
}

async function connectedWorkers(queue: Queue): Promise<string[]> {
  // BullMQ names a worker's Redis clients <queue client>:w:<worker name>; a worker holds several connections.
  const marker = ':w:';
  const names = (await queue.getWorkers()).map((c) => String(c.rawname ?? '')).filter((n) => n.includes(marker));
  return [...new Set(names.map((n) => n.slice(n.indexOf(marker) + marker.length)))].sort();
}

async function runningShards(queue: Queue): Promise<RunningShard[]> {
  return (await queue.getActive()).map((job) => ({ shard: job.id ?? '?', worker: job.processedBy ?? null, startedAt: job.processedOn ? new Date(job.processedOn).toISOString() : null }));
}

/** A connection kept open to read the queue's figures again and again (a dashboard polling it). */
export interface QueueMonitor {
  readonly url: string;
  progress(): Promise<QueueProgress>;
  close(): Promise<void>;
}

export async function openQueueMonitor(url: string): Promise<QueueMonitor> {
  const redis = await connectRedis(url);
  const queue = new bullmq.Queue(SHARD_QUEUE, { connection: redis });
  queue.on('error', () => undefined); // connection errors: ioredis reconnects
  return {
    url,
    progress: async () => ({ ...(await shardCounts(queue)), workers: await connectedWorkers(queue), running: await runningShards(queue), runs: await runsIn(redis) }),
    async close() {
      await queue.close();
      redis.disconnect();
    },
  };
}

/** The queue's shard counts, the shards in progress and their workers, and each run's records, rate, ETA and workers. */
export async function queueProgress(url: string): Promise<QueueProgress> {
  const monitor = await openQueueMonitor(url);
  try {
    return await monitor.progress();
  } finally {
    await monitor.close();
  }
}

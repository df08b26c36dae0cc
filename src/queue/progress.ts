// Queue figures for a progress bar or a dashboard: shard counts from BullMQ, record counts and rates from
// what each coordinator publishes about its run.
import type { Queue } from 'bullmq';
import { bullmq } from '../util/native.js';
import type { Redis } from 'ioredis';
import { connectRedis, SHARD_QUEUE } from './connection.js';

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
}

export interface QueueProgress {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly completed: number;
  readonly failed: number;
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
}

export async function publishRunProgress(redis: Redis, runId: string, figures: RunFigures): Promise<void> {
  const fields = Object.fromEntries(Object.entries({ ...figures, updatedAt: Date.now() }).map(([k, v]) => [k, String(v)]));
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
  };
}

export async function shardCounts(queue: Queue): Promise<Omit<QueueProgress, 'runs'>> {
  const c = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed');
  return { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0 };
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
      runs.push(runProgressOf(key.slice(runKey('').length), { model: h.model ?? '', suite: h.suite ?? '', done: n('done'), total: n('total'), failedShards: n('failedShards'), sessionStart: n('sessionStart'), sessionDone: n('sessionDone'), updatedAt: n('updatedAt') }));
    }
  } while (cursor !== '0');
  return runs.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
}

/** Shards waiting, running, delayed for a retry, done (not yet collected) and failed, plus each run's records, rate and ETA. */
export async function queueProgress(url: string): Promise<QueueProgress> {
  const redis = await connectRedis(url);
  const queue = new bullmq.Queue(SHARD_QUEUE, { connection: redis });
  try {
    return { ...(await shardCounts(queue)), runs: await runsIn(redis) };
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

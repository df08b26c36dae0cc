// Operator actions on the shard queue: retry what failed, drop what is finished or failed.
import type { Queue } from 'bullmq';
import { bullmq } from '../util/native.js';
import { connectRedis, SHARD_QUEUE } from './connection.js';
import type { ShardJobData, ShardResult } from './shard.js';

async function withQueue<T>(url: string, fn: (queue: Queue<ShardJobData, ShardResult>) => Promise<T>): Promise<T> {
  const redis = await connectRedis(url);
  const queue = new bullmq.Queue<ShardJobData, ShardResult>(SHARD_QUEUE, { connection: redis });
  try {
    return await fn(queue);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

export interface FailedShard {
  readonly id: string;
  readonly reason: string;
  readonly attempts: number;
}

export function failedShards(url: string): Promise<FailedShard[]> {
  return withQueue(url, async (queue) => (await queue.getFailed(0, -1)).map((job) => ({ id: job.id ?? '?', reason: job.failedReason, attempts: job.attemptsMade })));
}

/** Puts every failed shard back in the queue with fresh attempts; returns how many. */
export function retryFailedShards(url: string): Promise<number> {
  return withQueue(url, async (queue) => {
    const failed = await queue.getFailed(0, -1);
    for (const job of failed) await job.retry('failed');
    return failed.length;
  });
}

/**
 * Removes failed shards and finished ones no coordinator collected; with `everything`, also the waiting
 * ones (the queue is empty afterwards; a coordinator rerun queues its missing shards again).
 */
export function cleanQueue(url: string, { everything = false } = {}): Promise<number> {
  return withQueue(url, async (queue) => {
    if (everything) {
      const counts = await queue.getJobCounts();
      await queue.obliterate({ force: true });
      return Object.values(counts).reduce((a, b) => a + b, 0);
    }
    const removed = [...(await queue.clean(0, 0, 'failed')), ...(await queue.clean(0, 0, 'completed'))];
    return removed.length;
  });
}

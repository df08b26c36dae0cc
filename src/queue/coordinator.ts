// The coordinator: splits a run's pending records into shards, queues them, and writes each finished shard's
// records into the results store in one transaction. Everything it needs to go on is in the store (which
// records exist) and in the queue (which shards exist, keyed by range), so a killed coordinator is rerun:
// it collects the shards that finished meanwhile and queues only what is missing. It keeps a bounded number of
// shards queued ahead of the workers (back-pressure), so Redis never holds a whole run's backlog.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import { bullmq } from '../util/native.js';
import type { Redis } from 'ioredis';
import type { EvaluateOptions, PendingWork, RecordExecutor } from '../eval/evaluate.js';
import { runEvaluation, type RunEvaluationOptions, type RunEvaluationResult } from '../eval/run.js';
import type { Progress } from '../eval/progress.js';
import { RobustartError } from '../errors.js';
import { connectRedis, parseQueueUrl, SHARD_QUEUE } from './connection.js';
import { publishModel } from './model-cache.js';
import { publishRunProgress, runProgressOf, shardCounts, type QueueCounts, type RunProgress } from './progress.js';
import { RunShards } from './stored-shards.js';
import { unpackRecords } from './payload.js';
import type { SampleRecord } from '../store/store.js';
import { blocksForDuration, groupBlocks, neededBlocks, parseShardJobId, shardJobId, type ShardJobData, type ShardRange, type ShardResult } from './shard.js';

export interface QueueOptions {
  /** redis://HOST:PORT of the queue. */
  readonly url: string;
  /** Samples per shard (rounded up to whole batches). Default: sized from the first shard of each condition to take `shardSeconds`. */
  readonly shardSize?: number;
  /** Target compute time of one shard when `shardSize` is not given (default 60 s). */
  readonly shardSeconds?: number;
  /** Tries per shard before it is marked failed (default 3), with exponential backoff from `backoffMs` (default 5 s). */
  readonly attempts?: number;
  readonly backoffMs?: number;
  /** How often the coordinator looks at the queue (default 500 ms). */
  readonly pollMs?: number;
  /**
   * Shards of this run queued ahead of the workers (waiting or delayed for a retry) at most (default
   * `DEFAULT_QUEUE_AHEAD`); the rest are queued as results come back, so Redis holds a bounded backlog.
   */
  readonly queueAhead?: number;
  /** Queue figures at every look (shard counts and this run's records, rate and ETA), for a progress line. */
  readonly onQueue?: (view: QueueView) => void;
}

/**
 * Enough shards ahead that workers never wait on the coordinator's next look (it refills every `pollMs`), and
 * that they stay busy for a while if the coordinator is down; few enough that Redis holds little besides them.
 */
export const DEFAULT_QUEUE_AHEAD = 64;

/** What a coordinator sees at each look: the queue's shard counts and its own run's progress. */
export interface QueueView extends QueueCounts {
  readonly run: RunProgress;
}

interface Outstanding {
  readonly range: ShardRange;
  readonly data: ShardJobData;
}

/** Builds a RecordExecutor (evaluate()'s seam) that computes the pending records on queue workers. */
export function queueExecutor(queueOptions: QueueOptions): RecordExecutor {
  // A wrong address or setting fails before the model is loaded.
  parseQueueUrl(queueOptions.url);
  const ahead = queueOptions.queueAhead;
  if (ahead !== undefined && (!Number.isInteger(ahead) || ahead < 1)) throw new RobustartError(`queueAhead must be a whole number of shards of at least 1 (got ${ahead})`);
  return async (work, options) => {
    const redis = await connectRedis(queueOptions.url);
    const queue = new bullmq.Queue<ShardJobData, ShardResult>(SHARD_QUEUE, { connection: redis });
    queue.on('error', () => undefined); // connection errors: ioredis reconnects
    try {
      return await coordinate(redis, queue, work, options, queueOptions);
    } finally {
      await queue.close();
      redis.disconnect();
    }
  };
}

/** A (model, dataset, suite, options) evaluation whose records are computed by queue workers; returns when all are stored. */
export function enqueueEvaluation(options: RunEvaluationOptions & { readonly queue: QueueOptions }): Promise<RunEvaluationResult> {
  const { queue, ...rest } = options;
  return runEvaluation({ ...rest, workers: 0, executor: queueExecutor(queue) });
}

async function coordinate(redis: Redis, queue: Queue<ShardJobData, ShardResult>, work: PendingWork, options: EvaluateOptions, q: QueueOptions): Promise<number> {
  const { runId, conditions, recorded } = work;
  const { store, samples, batchSize, model, dataset } = options;
  const sampleIds = samples.map((s) => s.id);
  const pollMs = q.pollMs ?? 500;
  const shardSeconds = q.shardSeconds ?? 60;
  const fixedBlocks = q.shardSize ? Math.max(1, Math.ceil(q.shardSize / batchSize)) : undefined;
  const queueAhead = q.queueAhead ?? DEFAULT_QUEUE_AHEAD;
  const jobOptions = { attempts: q.attempts ?? 3, backoff: { type: 'exponential', delay: q.backoffMs ?? 5000 }, removeOnComplete: false, removeOnFail: false };
  await publishModel(redis, model);

  const dataFor = (range: ShardRange): ShardJobData => ({
    runId,
    conditionName: conditions[range.condition].name,
    range,
    sampleIds: sampleIds.slice(range.start, range.end),
    model: { name: model.name, sha256: model.sha256 },
    dataset: { root: dataset.root, fingerprint: dataset.fingerprint },
    suite: options.suite.name,
    suiteOptions: options.suiteOptions ?? {},
    seed: options.seed,
    batchSize,
  });
  // Shards in the queue (or finished there) that this coordinator will collect.
  const outstanding = new Map<string, Outstanding>();
  // Shards planned but not queued yet: back-pressure keeps them here until the queue has room.
  const backlog: ShardRange[] = [];
  const add = async (ranges: readonly ShardRange[]) => {
    if (ranges.length === 0) return;
    const jobs = ranges.map((range) => ({ name: 'shard', data: dataFor(range), opts: { ...jobOptions, jobId: shardJobId(runId, range) } }));
    for (const job of jobs) outstanding.set(job.opts.jobId, { range: job.data.range, data: job.data });
    await queue.addBulk(jobs);
  };
  const plan = (ranges: readonly ShardRange[]) => backlog.push(...ranges);
  // Waiting counts only this run's shards not yet taken; workers only ever lower it between the look and the add.
  const refill = async () => {
    if (backlog.length === 0) return;
    const ahead = (await queue.getRanges(['waiting', 'prioritized', 'delayed', 'paused'], 0, -1, true)).filter((id) => outstanding.has(id)).length;
    if (ahead < queueAhead) await add(backlog.splice(0, queueAhead - ahead));
  };

  // Shards of this run already in the queue (a previous coordinator queued them): adopt them; retry the failed.
  for (const id of await queue.getRanges(['waiting', 'prioritized', 'active', 'delayed', 'paused', 'completed', 'failed'], 0, -1, true)) {
    const range = parseShardJobId(runId, id);
    if (!range || range.condition >= conditions.length) continue;
    outstanding.set(id, { range, data: dataFor(range) });
    const job = await bullmq.Job.fromId(queue, id);
    if (job && (await job.getState()) === 'failed') await job.retry('failed');
  }
  // Then queue what is missing: whole shards where the size is known, one calibration block per condition otherwise.
  const deferred = new Map<number, number[]>();
  for (const [index, condition] of conditions.entries()) {
    const queued = [...outstanding.values()].filter((o) => o.range.condition === index).map((o) => o.range);
    const blocks = neededBlocks(sampleIds, batchSize, recorded.get(condition.name), queued);
    if (fixedBlocks || blocks.length <= 1) plan(groupBlocks(index, blocks, fixedBlocks ?? 1, batchSize, samples.length));
    else {
      plan(groupBlocks(index, blocks.slice(0, 1), 1, batchSize, samples.length));
      deferred.set(index, blocks.slice(1));
    }
  }
  await refill();

  const shardTable = new RunShards(store);
  let workers = shardTable.byWorker(runId);
  const failures = new Map<string, string>();
  const sessionStart = Date.now();
  let added = 0;
  let done = countRecorded(work);
  const total = done + work.total;
  let lastCheck = 0;
  let collected = 0;
  let reportedAt = 0;
  const report = async () => {
    const counts = await shardCounts(queue);
    const figures = { model: model.name, suite: options.suite.name, done, total, failedShards: failures.size, sessionStart, sessionDone: added, workers };
    q.onQueue?.({ ...counts, run: runProgressOf(runId, { ...figures, updatedAt: Date.now() }) });
    options.onProgress?.({ done: done - countRecorded(work), total: work.total, label: `shards ${counts.waiting + counts.delayed} waiting ${counts.active} active ${collected} done ${failures.size} failed` } satisfies Progress);
    await publishRunProgress(redis, runId, figures);
  };
  await report();

  while (outstanding.size > 0 || deferred.size > 0 || backlog.length > 0) {
    await sleep(pollMs);
    // Finished shards: write, then remove from the queue (a shard seen twice adds nothing the second time).
    const completed = await queue.getRanges(['completed'], 0, -1, true);
    for (const id of completed) {
      const shard = outstanding.get(id);
      if (!shard) continue;
      const job = await bullmq.Job.fromId<ShardJobData, ShardResult>(queue, id);
      if (!job) continue;
      const result = job.returnvalue;
      const records = checkResult(shard.data, result);
      if (typeof records === 'string') {
        failures.set(id, records);
        outstanding.delete(id);
        continue;
      }
      const { range } = shard;
      const n = shardTable.add(runId, { noise: shard.data.conditionName, start: range.start, end: range.end, worker: result.worker, computeSeconds: result.computeSeconds }, records);
      added += n;
      done += n;
      collected++;
      outstanding.delete(id);
      await job.remove();
      const later = deferred.get(range.condition);
      if (later) {
        deferred.delete(range.condition);
        const perShard = blocksForDuration(result.computeSeconds / Math.max(1, shard.data.sampleIds.length), shardSeconds, batchSize);
        plan(groupBlocks(range.condition, later, perShard, batchSize, samples.length));
      }
    }
    for (const id of await queue.getRanges(['failed'], 0, -1, true)) {
      const shard = outstanding.get(id);
      if (!shard) continue;
      const job = await bullmq.Job.fromId(queue, id);
      failures.set(id, job?.failedReason ?? 'unknown reason');
      outstanding.delete(id);
      // A condition whose calibration shard failed is sized by default; its other blocks still run.
      const later = deferred.get(shard.range.condition);
      if (later) {
        deferred.delete(shard.range.condition);
        plan(groupBlocks(shard.range.condition, later, 1, batchSize, samples.length));
      }
    }
    // Now and then: shards that vanished from Redis (restarted without persistence, cleaned by an operator) are queued again.
    if (Date.now() - lastCheck > 10 * pollMs) {
      lastCheck = Date.now();
      await publishModel(redis, model);
      const present = new Set(await queue.getRanges(['waiting', 'prioritized', 'active', 'delayed', 'paused', 'completed', 'failed'], 0, -1, true));
      const lost = [...outstanding.entries()].filter(([id]) => !present.has(id));
      for (const [id] of lost) outstanding.delete(id);
      backlog.unshift(...lost.map(([, o]) => o.range));
    }
    await refill();
    // Each worker's share, from the store (it holds earlier sessions' shards too), once per look.
    if (collected > reportedAt) {
      reportedAt = collected;
      workers = shardTable.byWorker(runId);
    }
    await report();
  }

  if (failures.size > 0) {
    const [firstId, firstReason] = [...failures][0];
    throw new RobustartError(`${failures.size} shard(s) of run ${runId} failed after all their attempts (${firstId}: ${firstReason}); the other records are stored, and rerunning the evaluation retries the failed shards`);
  }
  return added;
}

function countRecorded(work: PendingWork): number {
  let n = 0;
  for (const c of work.conditions) n += work.recorded.get(c.name)?.size ?? 0;
  return n;
}

/** A worker's answer: one record for each sample of the shard, and who computed them; else why it is refused. */
function checkResult(data: ShardJobData, result: ShardResult | undefined): SampleRecord[] | string {
  if (typeof result?.worker?.host !== 'string') return 'the worker did not say who it is (it runs another robustart version than the coordinator)';
  return unpackRecords(data.conditionName, data.sampleIds, result.records);
}

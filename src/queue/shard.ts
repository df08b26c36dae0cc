// Shards: (condition, sample range) pieces of one run that a worker computes on its own. Ranges start and end
// on batch boundaries of the run's sample list, so a worker's batches are exactly the batches an in-process
// run would form, and the records (batch noises draw per batch) come out the same.
import type { PackedRecords } from './payload.js';

export interface ShardRange {
  /** Index of the condition in the run's condition list. */
  readonly condition: number;
  /** Sample indices [start, end) in the run's sample list. */
  readonly start: number;
  readonly end: number;
}

/** What a worker receives: everything to rebuild the run's pipeline for one shard, nothing machine-specific but the dataset root. */
export interface ShardJobData {
  readonly runId: string;
  readonly conditionName: string;
  readonly range: ShardRange;
  readonly sampleIds: readonly string[];
  readonly model: { readonly name: string; readonly sha256: string };
  /** The coordinator's dataset path; a worker maps it onto its own copy. */
  readonly dataset: { readonly root: string; readonly fingerprint: string };
  readonly suite: string;
  readonly suiteOptions: Record<string, unknown>;
  readonly seed: number;
  readonly batchSize: number;
}

/** Which worker process computed a shard, and on what: stored with the shard, shown by `robustart queue status`. */
export interface ShardWorkerInfo {
  readonly host: string;
  readonly pid: number;
  /** The execution provider the worker ran the model on (cpu, webgpu, cuda). */
  readonly device: string;
}

/** A worker's BullMQ name (BullMQ records it as the shard's `processedBy` while it runs; no spaces: it names the Redis client). */
export function workerName(w: ShardWorkerInfo): string {
  return `${w.host}:${w.pid}/${w.device}`;
}

export interface ShardResult {
  /** The shard's records, one per sample id, packed as columns. */
  readonly records: PackedRecords;
  /** Seconds the worker spent computing (model load excluded): the coordinator sizes later shards from it. */
  readonly computeSeconds: number;
  readonly worker: ShardWorkerInfo;
}

/** Job ids are the shard's key: adding a shard that is already queued, running or finished is a no-op. */
export function shardJobId(runId: string, range: ShardRange): string {
  return `${runId}-${range.condition}-${range.start}-${range.end}`;
}

export function parseShardJobId(runId: string, jobId: string): ShardRange | undefined {
  if (!jobId.startsWith(`${runId}-`)) return undefined;
  const parts = jobId.slice(runId.length + 1).split('-').map(Number);
  if (parts.length !== 3 || parts.some((n) => !Number.isInteger(n) || n < 0)) return undefined;
  return { condition: parts[0], start: parts[1], end: parts[2] };
}

/**
 * Starts of the batch-aligned blocks of one condition that still hold a sample without a record and are not
 * inside a shard already queued.
 */
export function neededBlocks(sampleIds: readonly string[], batchSize: number, recorded: ReadonlySet<string> | undefined, queued: readonly ShardRange[]): number[] {
  const out: number[] = [];
  for (let start = 0; start < sampleIds.length; start += batchSize) {
    if (queued.some((r) => r.start <= start && start < r.end)) continue;
    const end = Math.min(start + batchSize, sampleIds.length);
    let pending = !recorded;
    for (let i = start; !pending && i < end; i++) pending = !recorded!.has(sampleIds[i]);
    if (pending) out.push(start);
  }
  return out;
}

/** Groups consecutive blocks into shards of at most `blocksPerShard` blocks (a gap starts a new shard). */
export function groupBlocks(condition: number, blockStarts: readonly number[], blocksPerShard: number, batchSize: number, sampleCount: number): ShardRange[] {
  const shards: ShardRange[] = [];
  let current: { start: number; end: number; blocks: number } | undefined;
  for (const start of blockStarts) {
    const end = Math.min(start + batchSize, sampleCount);
    if (current && current.end === start && current.blocks < blocksPerShard) {
      current.end = end;
      current.blocks++;
    } else {
      if (current) shards.push({ condition, start: current.start, end: current.end });
      current = { start, end, blocks: 1 };
    }
  }
  if (current) shards.push({ condition, start: current.start, end: current.end });
  return shards;
}

/** Blocks per shard so that one shard takes about `shardSeconds`, from a measured cost per sample. */
export function blocksForDuration(secondsPerSample: number, shardSeconds: number, batchSize: number): number {
  if (!(secondsPerSample > 0)) return 1;
  return Math.max(1, Math.round(shardSeconds / secondsPerSample / batchSize));
}

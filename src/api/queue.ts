// robustart/queue: Scale-out: shards of an evaluation on a BullMQ queue in Redis, computed by worker processes.
export { enqueueEvaluation, queueExecutor, DEFAULT_QUEUE_AHEAD, type QueueOptions, type QueueView } from '../queue/coordinator.js';
export { startShardWorker, type ShardWorker, type ShardWorkerOptions } from '../queue/worker.js';
export { queueProgress, openQueueMonitor, type QueueMonitor, type QueueProgress, type QueueCounts, type RunProgress, type RunningShard } from '../queue/progress.js';
export { RunShards, type StoredShard, type WorkerShare } from '../queue/stored-shards.js';
export type { ShardWorkerInfo } from '../queue/shard.js';
export { retryFailedShards, cleanQueue, failedShards } from '../queue/admin.js';

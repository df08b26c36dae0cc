// robustart/queue: Scale-out: shards of an evaluation on a BullMQ queue in Redis, computed by worker processes.
export { enqueueEvaluation, queueExecutor, type QueueOptions } from '../queue/coordinator.js';
export { startShardWorker, type ShardWorker, type ShardWorkerOptions } from '../queue/worker.js';
export { queueProgress, type QueueProgress, type RunProgress } from '../queue/progress.js';
export { retryFailedShards, cleanQueue, failedShards } from '../queue/admin.js';
export type { RecordExecutor, PendingWork } from '../eval/evaluate.js';

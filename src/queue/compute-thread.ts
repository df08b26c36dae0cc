// Worker-thread side of a shard worker: ONNX Runtime blocks the thread it runs on, so shards are computed
// here and the worker's main thread stays free to renew its BullMQ job locks.
import { parentPort } from 'node:worker_threads';
import { RobustartError } from '../errors.js';
import type { WorkerReply } from '../util/worker-pool.js';
import { ShardComputer, type ComputeRequest } from './compute.js';
import type { ShardResult } from './shard.js';

const computer = new ShardComputer();

parentPort?.on('message', (request: ComputeRequest) => {
  computer.compute(request).then(
    (result) => parentPort!.postMessage({ ok: true, result } satisfies WorkerReply<ShardResult>),
    (err: unknown) => parentPort!.postMessage({ ok: false, error: String((err as Error)?.message ?? err), userError: err instanceof RobustartError } satisfies WorkerReply<ShardResult>),
  );
});

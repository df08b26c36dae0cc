// A worker for the worker pool's tests: echoes a number, crashes, or stalls on request.
import { parentPort } from 'node:worker_threads';
import type { WorkerReply } from '../util/worker-pool.js';

export type EchoRequest = { echo: number } | { crash: string } | { stall: true };

parentPort?.on('message', (request: EchoRequest) => {
  if ('crash' in request) throw new Error(request.crash); // uncaught: the worker dies
  if ('stall' in request) return; // never answers
  const reply: WorkerReply<number> = { ok: true, result: request.echo * 2 };
  parentPort!.postMessage(reply);
});

// What "workers" means everywhere (the evaluation's preprocessing, on-the-fly corruptions, ImageNet-C/-P
// generation, and every command's --workers): worker threads besides the main thread; 0 does the work on the
// main thread. The default leaves one core to the main thread (which runs the model or writes files).
import { availableParallelism } from 'node:os';

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** The help text of every command's --workers flag. */
export const WORKERS_HELP = 'worker threads besides the main thread (default: cores - 1, at least 1; 0: main thread only)';

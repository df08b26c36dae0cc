// Worker-thread side of CorruptionPool: corrupts one image (or one source file into its ImageNet-C outputs)
// per message. Workers hold no state beyond the corruption options (frost photographs, variants) they were started with.
import { parentPort, workerData } from 'node:worker_threads';
import type { FloatImage } from '../../data/image.js';
import { RobustartError } from '../../errors.js';
import { Rng } from '../../util/rng.js';
import { corruptSourceFile, perturbSourceFile, type SequenceJob, type SourceJob } from './imagenet-c.js';
import { getCorruption } from './registry.js';
import type { CorruptionOptions, Severity } from './types.js';

export type WorkerRequest =
  | { kind: 'corrupt'; image: FloatImage; corruption: string; severity: Severity; seed: number }
  | { kind: 'file'; job: SourceJob; seed: number }
  | { kind: 'sequences'; job: SequenceJob; seed: number }
  | { kind: 'sweep'; image: FloatImage; corruptions: string[]; severity: Severity; seed: number };

export type WorkerResponse = { ok: true; result: unknown } | { ok: false; error: string; userError: boolean };

const options = workerData?.corruptionOptions as CorruptionOptions | undefined;

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.kind) {
    case 'corrupt':
      return getCorruption(request.corruption).apply(request.image, request.severity, new Rng(request.seed), options);
    case 'file':
      return corruptSourceFile(request.job, request.seed, options);
    case 'sequences':
      return perturbSourceFile(request.job, request.seed);
    case 'sweep': {
      // One full sweep; returns milliseconds per corruption.
      const times: Record<string, number> = {};
      for (const name of request.corruptions) {
        const start = performance.now();
        await getCorruption(name).apply(request.image, request.severity, new Rng(request.seed), options);
        times[name] = performance.now() - start;
      }
      return times;
    }
  }
}

parentPort?.on('message', (request: WorkerRequest) => {
  handle(request).then(
    (result) => parentPort!.postMessage({ ok: true, result } satisfies WorkerResponse),
    (error: unknown) => parentPort!.postMessage({ ok: false, error: (error as Error)?.message ?? String(error), userError: error instanceof RobustartError } satisfies WorkerResponse),
  );
});

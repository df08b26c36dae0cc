// The common path in one call: name a model, a dataset and a suite; get stored, resumable results.
import { loadDataset, limitSamples } from '../data/dataset.js';
import { OnnxClassifier } from '../model/classifier.js';
import { resolveModel, defaultBatchSize } from '../model/resolve.js';
import type { Device } from '../model/session.js';
import { ResultStore } from '../store/store.js';
import { RobustartError } from '../errors.js';
import { evaluate, type EvaluationResult, type RecordExecutor } from './evaluate.js';
import type { Progress } from './progress.js';
import { suites } from './suites/index.js';
import type { LoadedModel } from '../model/load.js';
import type { Dataset } from '../data/dataset.js';

export interface RunEvaluationOptions {
  readonly model: string;
  readonly data: string;
  readonly suite?: string;
  readonly limit?: number;
  readonly seed?: number;
  readonly batchSize?: number;
  readonly device?: Device;
  readonly threads?: number;
  /** Preprocessing worker threads (default: all cores but one; 0: main thread). */
  readonly workers?: number;
  /** Path of the SQLite store, or an open store. */
  readonly store?: string | ResultStore;
  readonly suiteOptions?: Record<string, unknown>;
  readonly fresh?: boolean;
  readonly onProgress?: (p: Progress) => void;
  /** Computes the pending records elsewhere (a queue of shards) instead of in this process. */
  readonly executor?: RecordExecutor;
}

export interface RunEvaluationResult extends EvaluationResult {
  readonly model: LoadedModel;
  readonly dataset: Dataset;
  readonly storePath: string;
}

export const DEFAULT_SEED = 0;

export function findSuite(name: string) {
  const suite = suites.find((s) => s.name === name);
  if (!suite) throw new RobustartError(`unknown suite '${name}'; available: ${suites.map((s) => s.name).join(', ')}`);
  return suite;
}

export async function runEvaluation(options: RunEvaluationOptions): Promise<RunEvaluationResult> {
  const suite = findSuite(options.suite ?? 'clean');
  const store = options.store instanceof ResultStore ? options.store : new ResultStore(options.store);
  const ownsStore = !(options.store instanceof ResultStore);
  try {
    const model = resolveModel(options.model, store);
    const loaded = loadDataset(options.data, model.metadata.labels);
    const dataset = suite.prepareDataset ? suite.prepareDataset(loaded, options.suiteOptions ?? {}) : loaded;
    const seed = options.seed ?? DEFAULT_SEED;
    const samples = limitSamples(dataset, options.limit, seed);
    const classifier = await OnnxClassifier.create(model, { device: options.device, threads: options.threads });
    try {
      const result = await evaluate({
        model,
        classifier,
        dataset,
        samples,
        store,
        suite,
        seed,
        batchSize: options.batchSize ?? defaultBatchSize(model.metadata.input_size),
        config: { device: options.device ?? 'cpu', limit: options.limit ?? null },
        suiteOptions: options.suiteOptions,
        fresh: options.fresh,
        workers: options.workers,
        onProgress: options.onProgress,
        executor: options.executor,
      });
      return { ...result, model, dataset, storePath: store.path };
    } finally {
      await classifier.dispose();
    }
  } finally {
    if (ownsStore) store.close();
  }
}

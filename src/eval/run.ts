// The common path in one call: name a model, a dataset and a suite; get stored, resumable results.
import { loadDataset, limitSamples } from '../data/dataset.js';
import { OnnxClassifier } from '../model/classifier.js';
import { resolveModel, defaultBatchSize } from '../model/resolve.js';
import type { Device } from '../model/session.js';
import { ResultStore, storeError } from '../store/store.js';
import { RobustartError } from '../errors.js';
import { checkSeed } from '../util/rng.js';
import { evaluate, type EvaluationResult, type RecordExecutor } from './evaluate.js';
import { calibratePipeline, type PipelinePlan } from './pipeline-plan.js';
import type { Progress } from './progress.js';
import { findSuite } from './suites/index.js';
import { suiteOptions, type Suite } from './suite.js';
import type { OptionsSchema } from '../util/options.js';
import type { z } from 'zod';
import type { LoadedModel } from '../model/load.js';
import type { ModelOutputs } from '../model/outputs.js';
import type { Dataset } from '../data/dataset.js';

export interface RunEvaluationOptions<S extends OptionsSchema = OptionsSchema> {
  readonly model: string;
  readonly data: string;
  /** A registered suite's name (default clean) or a suite object. */
  readonly suite?: string | Suite<S>;
  readonly limit?: number;
  readonly seed?: number;
  readonly batchSize?: number;
  readonly device?: Device;
  /** ONNX Runtime intra-op threads. Default: chosen with `workers` by a calibration (see below), else all cores. */
  readonly threads?: number;
  /**
   * Preprocessing worker threads (0: main thread). When neither this nor `threads` is given, a clean CPU run of at
   * least AUTO_PIPELINE_MIN_SAMPLES images times preprocessing and inference on its first images and splits the
   * cores between them (`pipeline` in the result); otherwise all cores but one.
   */
  readonly workers?: number;
  /** Path of the SQLite store, or an open store. */
  readonly store?: string | ResultStore;
  /** The suite's options (validated by its schema; typed when `suite` is a suite object). */
  readonly suiteOptions?: z.input<S> & Record<string, unknown>;
  readonly fresh?: boolean;
  /** What the model's output rows are, overriding its metadata field `outputs` (default: the metadata's, logits). */
  readonly outputs?: ModelOutputs;
  readonly onProgress?: (p: Progress) => void;
  /** Stops the run between batches; what is recorded stays, so the same call resumes it. */
  readonly signal?: AbortSignal;
  /** Computes the pending records elsewhere (a queue of shards) instead of in this process. */
  readonly executor?: RecordExecutor;
}

export interface RunEvaluationResult extends EvaluationResult {
  readonly model: LoadedModel;
  readonly dataset: Dataset;
  readonly storePath: string;
  /** The workers/threads split the calibration chose, when it ran. */
  readonly pipeline?: PipelinePlan;
}

/** Runs smaller than this keep the default split: their time is mostly start-up, which a calibration would add to. */
export const AUTO_PIPELINE_MIN_SAMPLES = 64;

export const DEFAULT_SEED = 0;

export { findSuite };

export async function runEvaluation<S extends OptionsSchema = OptionsSchema>(options: RunEvaluationOptions<S>): Promise<RunEvaluationResult> {
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 1)) {
    throw new RobustartError(`limit ${options.limit} is not a number of samples; pass an integer >= 1 (or no limit)`);
  }
  if (options.seed !== undefined) checkSeed(options.seed);
  const suite = typeof options.suite === 'object' ? (options.suite as unknown as Suite) : findSuite(options.suite ?? 'clean');
  const parsedOptions = suiteOptions(suite, options.suiteOptions);
  const store = options.store instanceof ResultStore ? options.store : new ResultStore(options.store);
  const ownsStore = !(options.store instanceof ResultStore);
  try {
    const resolved = resolveModel(options.model, store);
    const model = options.outputs ? { ...resolved, metadata: { ...resolved.metadata, outputs: options.outputs } } : resolved;
    const loaded = loadDataset(options.data, model.metadata.labels);
    const dataset = suite.prepareDataset ? suite.prepareDataset(loaded, parsedOptions) : loaded;
    const seed = options.seed ?? DEFAULT_SEED;
    const samples = limitSamples(dataset, options.limit, seed);
    const classifier = await OnnxClassifier.create(model, { device: options.device, threads: options.threads });
    let tuned: OnnxClassifier | undefined;
    let pipeline: PipelinePlan | undefined;
    // The calibration times the clean pipeline; suites that add per-image noise (in the workers) or attacks keep the
    // defaults. It runs after the plan stage, only when records are pending: a rerun of a finished run times nothing.
    const calibrate = suite.name === 'clean' && options.workers === undefined && options.threads === undefined && (options.device ?? 'cpu') === 'cpu' && !options.executor && model.fixedBatch === undefined && samples.length >= AUTO_PIPELINE_MIN_SAMPLES;
    const choosePipeline = async () => {
      const measured = await calibratePipeline(model, classifier, samples);
      if (measured.inferenceSeconds <= 0) return undefined;
      pipeline = { workers: measured.workers, threads: measured.threads, predictedRatio: measured.predictedRatio };
      if (measured.threads !== measured.cores) tuned = await OnnxClassifier.create(model, { device: options.device, threads: measured.threads });
      return { workers: measured.workers, ...(tuned ? { classifier: tuned } : {}) };
    };
    try {
      const result = await evaluate({
        model,
        classifier,
        dataset,
        samples,
        store,
        suite,
        seed,
        // A graph exported with a fixed batch of 1 takes one image at a time (results do not depend on batch size).
        batchSize: model.fixedBatch === 1 ? 1 : options.batchSize ?? defaultBatchSize(model.metadata.input_size),
        // Declared probabilities change the numbers; logits (the default) leave earlier run ids as they were.
        config: { device: options.device ?? 'cpu', limit: options.limit ?? null, ...(model.metadata.outputs === 'probabilities' ? { outputs: 'probabilities' } : {}) },
        suiteOptions: parsedOptions,
        fresh: options.fresh,
        workers: options.workers,
        ...(calibrate ? { beforeCompute: choosePipeline } : {}),
        onProgress: options.onProgress,
        signal: options.signal,
        executor: options.executor,
      });
      if (samples.length > 0 && [...result.perCondition.values()].every((m) => m.count === 0)) {
        throw new RobustartError(`none of the ${samples.length} images of ${dataset.root} could be decoded, so there is nothing to score; the skipped records of run ${result.run.id} say why for each`);
      }
      return { ...result, model, dataset, storePath: store.path, ...(pipeline ? { pipeline } : {}) };
    } catch (err) {
      // SQLite failing mid-run (a full disk, a store made read-only) is named with the store's path.
      throw String((err as { code?: unknown })?.code ?? '').startsWith('SQLITE_') ? storeError(err, store.path) : err;
    } finally {
      await tuned?.dispose();
      await classifier.dispose();
    }
  } finally {
    if (ownsStore) store.close();
  }
}

// The evaluation loop: model x dataset x conditions -> per-sample records (stored as produced) -> metrics.
// A run's id is a hash of everything that determines its numbers, so rerunning the same command
// finds the run and evaluates only the samples it has not recorded yet.
import { canonicalJson } from '../util/json.js';
import { nodeCrypto } from '../util/native.js';
import type { Dataset, Sample } from '../data/dataset.js';
import { toFloatImage, writeChw } from '../data/image.js';
import { sharpDecoder, UndecodableImageError } from '../data/decode.js';
import { modelResizer } from '../data/resize.js';
import type { PreprocessConfig } from '../data/preprocess.js';
import type { LoadedModel } from '../model/load.js';
import type { OnnxClassifier } from '../model/classifier.js';
import type { ResultStore, RunEntry, SampleRecord } from '../store/store.js';
import { classificationMetrics, predictionsFromLogits, predictionsFromSubsetLogits, type ClassificationMetrics } from '../metrics/classification.js';
import { RobustartError } from '../errors.js';
import { hashString, rngFor } from '../util/rng.js';
import { runtimeVersions } from '../version.js';
import type { Condition } from './condition.js';
import type { Progress } from './progress.js';
import { resolvedSuiteOptions, type Suite, type SuiteContext } from './suite.js';
import type { Decoder, Resizer } from '../data/seams.js';
import { defaultWorkers } from '../util/workers.js';
import { WorkerPool, WorkerPoolError } from '../util/worker-pool.js';
import { moduleUrl } from '../util/paths.js';
import type { PreprocessRequest, PreprocessResult } from './preprocess-protocol.js';
import { BatchImages } from './batch-images.js';
import { decoderNames } from '../noise/system/decoders/index.js';
import { resizerNames } from '../noise/system/resizers/index.js';
import { logitsFromOutputs } from '../model/outputs.js';

export interface EvaluateOptions {
  readonly model: LoadedModel;
  readonly classifier: OnnxClassifier;
  readonly dataset: Dataset;
  readonly samples: readonly Sample[];
  readonly store: ResultStore;
  readonly suite: Suite;
  readonly seed: number;
  readonly batchSize: number;
  /** Everything else that determines the numbers (recorded with the run and part of its id). */
  readonly config?: Record<string, unknown>;
  readonly suiteOptions?: Record<string, unknown>;
  /**
   * Worker threads that read, decode, resize and crop while the model runs (ONNX Runtime blocks the
   * main thread). Default: all cores but one, at least one; 0 does it all on the main thread.
   */
  readonly workers?: number;
  /** Discard stored records of this exact run and start over. */
  readonly fresh?: boolean;
  readonly onProgress?: (p: Progress) => void;
  /** Stops the run between batches (and its workers' pending requests); what is recorded stays, so it resumes. */
  readonly signal?: AbortSignal;
  /**
   * Computes and stores the pending records somewhere else (a queue of shards on other machines)
   * instead of in this process; the run's identity, resume and metrics stay this function's.
   */
  readonly executor?: RecordExecutor;
  /**
   * Runs once the plan knows what is pending, and only when records are pending and this process computes them
   * (no executor): it may hand back the classifier and worker count to compute them with. `runEvaluation` times
   * the pipeline here, so a rerun of a finished run spends nothing on it. The suite's conditions are made before
   * it runs and keep the first classifier.
   */
  readonly beforeCompute?: (pending: number) => Promise<Partial<Pick<EvaluateOptions, 'classifier' | 'workers'>> | undefined>;
}

/** What an executor must fill in: every pending (condition, sample) record of the run, written to the store. */
export interface PendingWork {
  readonly runId: string;
  readonly conditions: readonly Condition[];
  /** Sample ids already stored per condition when the run was opened. */
  readonly recorded: ReadonlyMap<string, ReadonlySet<string>>;
  readonly total: number;
}

/** Returns how many records it added to the store. */
export type RecordExecutor = (work: PendingWork, options: EvaluateOptions) => Promise<number>;

export interface EvaluationResult {
  readonly run: RunEntry;
  readonly perCondition: Map<string, ClassificationMetrics>;
  readonly suiteMetrics: Record<string, number | null>;
  /** Samples that could not be decoded, per condition (skipped and counted, never fatal). */
  readonly skipped: Map<string, number>;
  /** Records written by this invocation (0 when everything was already stored). */
  readonly evaluatedNow: number;
}

/** The run id: a hash of the identity in canonical JSON, so the same options in another key order are the same run. */
export function runIdOf(parts: Record<string, unknown>): string {
  return nodeCrypto.createHash('sha256').update(canonicalJson(parts)).digest('hex').slice(0, 16);
}

function checkLabels(model: LoadedModel, dataset: Dataset, samples: readonly Sample[]): void {
  const classes = model.metadata.num_classes;
  if (dataset.kind === 'imagefolder' && dataset.classes.length !== classes) {
    throw new RobustartError(`dataset ${dataset.root} has ${dataset.classes.length} classes but model ${model.name} predicts ${classes}; evaluate a dataset with the model's classes (or ImageNet wnid folders for 1000-class models)`);
  }
  const bad = samples.find((s) => s.label < 0 || s.label >= classes);
  if (bad) throw new RobustartError(`sample ${bad.id} has label ${bad.label} but model ${model.name} predicts ${classes} classes; fix the dataset's labels`);
}

interface PreparedUnit {
  readonly condition: Condition;
  readonly samples: Sample[];
  readonly images: Float32Array;
  readonly skippedRecords: SampleRecord[];
}

/** Everything the stages of one evaluation share. */
interface EvaluationPlan {
  readonly options: EvaluateOptions;
  readonly context: SuiteContext;
  readonly conditions: readonly Condition[];
  readonly preprocess: PreprocessConfig;
  readonly defaultResizer: Resizer;
  readonly runId: string;
  /** The samples of a batch this run has not recorded yet for a condition. */
  readonly pendingFor: (condition: Condition, batch: readonly Sample[]) => Sample[];
  /** Sample ids already stored per condition when the run was opened. */
  readonly recorded: ReadonlyMap<string, ReadonlySet<string>>;
  /** Records still to produce over all conditions (for progress). */
  readonly total: number;
}

export async function evaluate(options: EvaluateOptions): Promise<EvaluationResult> {
  let plan = await planEvaluation(options);
  if (options.beforeCompute && plan.total > 0 && !options.executor) {
    const chosen = await options.beforeCompute(plan.total);
    if (chosen) plan = { ...plan, options: { ...plan.options, ...chosen } };
  }
  const evaluatedNow = await recordConditions(plan);
  return summarizeRun(plan, evaluatedNow);
}

/** Stage 1: check the inputs, list the suite's conditions, open (or find) the run and what it already recorded. */
async function planEvaluation(options: EvaluateOptions): Promise<EvaluationPlan> {
  const { model, classifier, dataset, samples, store, suite, seed, batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RobustartError(`batch size ${batchSize} must be a positive integer`);
  checkLabels(model, dataset, samples);
  const resolvedOptions = resolvedSuiteOptions(suite, options.suiteOptions);
  const context: SuiteContext = { model, classifier, dataset, seed, options: resolvedOptions, workers: options.workers ?? defaultWorkers() };
  const conditions = await suite.conditions(context);
  const names = new Set<string>();
  for (const c of conditions) {
    if (names.has(c.name)) throw new Error(`suite ${suite.name} defines condition ${c.name} twice`);
    names.add(c.name);
  }
  const preprocess = { input_size: model.metadata.input_size, crop_pct: model.metadata.crop_pct, interpolation: model.metadata.interpolation };
  const defaultResizer = modelResizer(model.metadata.interpolation);
  const identity = {
    suite: suite.name,
    model: model.sha256,
    dataset: dataset.fingerprint,
    samples: nodeCrypto.createHash('sha256').update(samples.map((s) => s.id).join('\n')).digest('hex').slice(0, 16),
    conditions: conditions.map((c) => c.name),
    // Records from another decoder, resizer or robustart version are not mixed into one run.
    preprocess: { ...preprocess, decoder: sharpDecoder.name, resizer: defaultResizer.name },
    robustart: runtimeVersions().robustart,
    seed,
    suiteOptions: resolvedOptions,
    config: options.config ?? {},
  };
  const runId = runIdOf(identity);
  store.putDataset({ fingerprint: dataset.fingerprint, kind: dataset.kind, root: dataset.root, numSamples: dataset.samples.length, classes: dataset.classes });
  if (options.fresh) store.deleteRun(runId);
  store.openRun({
    id: runId,
    suite: suite.name,
    modelName: model.name,
    modelSha256: model.sha256,
    datasetFingerprint: dataset.fingerprint,
    config: { ...identity, modelPath: model.path, datasetRoot: dataset.root, sampleCount: samples.length, batchSize },
    seed,
    versions: runtimeVersions(),
  });

  const recorded = store.recordedSamples(runId);
  const pendingFor = (condition: Condition, batch: readonly Sample[]) => {
    const done = recorded.get(condition.name);
    return done ? batch.filter((s) => !done.has(s.id)) : [...batch];
  };
  let total = 0;
  for (const c of conditions) total += pendingFor(c, samples).length;
  return { options, context, conditions, preprocess, defaultResizer, runId, pendingFor, recorded, total };
}

/**
 * Stage 2: the images of each (batch, pending condition) unit: read, decode, resize and crop (in worker
 * threads when a pool is given), then each image's noise with its per-sample stream.
 */
async function* prepareUnits(plan: EvaluationPlan, pool: WorkerPool<PreprocessRequest, PreprocessResult> | undefined): AsyncGenerator<PreparedUnit> {
  const { samples, batchSize, seed, model } = plan.options;
  const { conditions, preprocess, defaultResizer, pendingFor } = plan;
  const [channels, height, width] = model.metadata.input_size;
  const imageSize = channels * height * width;
  for (let start = 0; start < samples.length; start += batchSize) {
    const batch = samples.slice(start, start + batchSize);
    const pendingConditions = conditions.filter((c) => pendingFor(c, batch).length > 0);
    const images = new BatchImages(batch, pendingConditions, { preprocess, defaultDecoder: sharpDecoder, defaultResizer, pool, poolable, signal: plan.options.signal });
    for (const condition of pendingConditions) {
      const todo = pendingFor(condition, batch);
      const prepared = await images.imagesFor(condition);
      const usable: Sample[] = [];
      const skippedRecords: SampleRecord[] = [];
      const tensor = new Float32Array(todo.length * imageSize);
      // Image noises may run in worker threads (they return promises): start them all, then collect in order.
      const noisy = todo.map((s) => {
        const image = prepared[batch.indexOf(s)];
        if (image instanceof UndecodableImageError) return image;
        const floatImage = toFloatImage(image);
        return condition.imageNoise ? condition.imageNoise.apply(floatImage, rngFor(seed, hashString(condition.name), hashString(s.id))) : floatImage;
      });
      const settled = await Promise.allSettled(noisy);
      for (const [i, s] of todo.entries()) {
        const outcome = settled[i];
        if (outcome.status === 'rejected') throw outcome.reason;
        const image = outcome.value;
        if (image instanceof UndecodableImageError) {
          skippedRecords.push({ noise: condition.name, sampleId: s.id, label: s.label, status: 'skipped', error: image.message });
          continue;
        }
        writeChw(image, tensor, usable.length * imageSize);
        usable.push(s);
      }
      yield { condition, samples: usable, images: tensor.subarray(0, usable.length * imageSize), skippedRecords };
    }
  }
}

/** Stage 3: a prepared unit through its batch noise and the model, to one record per sample. */
async function classifyUnit(plan: EvaluationPlan, unit: PreparedUnit): Promise<SampleRecord[]> {
  const { model, classifier, seed } = plan.options;
  const records: SampleRecord[] = [...unit.skippedRecords];
  if (unit.samples.length === 0) return records;
  const labels = Int32Array.from(unit.samples, (s) => s.label);
  let images = unit.images;
  let extra: Record<string, unknown>[] | undefined;
  if (unit.condition.batchNoise) {
    const noisy = await unit.condition.batchNoise.apply({ images, labels, sampleIds: unit.samples.map((s) => s.id), seed });
    images = noisy.images;
    extra = noisy.extra;
  }
  const outputs = await classifier.logits(images, unit.samples.length);
  const logits = logitsFromOutputs(outputs, model.metadata.num_classes, model.metadata.outputs, model.name, (row) => `sample ${unit.samples[row].id} (condition ${unit.condition.name})`);
  const subset = unit.condition.classSubset;
  const predictions = subset ? predictionsFromSubsetLogits(logits, labels, model.metadata.num_classes, subset) : predictionsFromLogits(logits, labels, model.metadata.num_classes);
  predictions.forEach((p, i) =>
    records.push({ noise: unit.condition.name, sampleId: unit.samples[i].id, label: p.label, status: 'ok', top5: p.top5, confidence: p.confidence, trueProbability: p.trueProbability, ...(extra?.[i] ? { extra: extra[i] } : {}) }),
  );
  return records;
}

/**
 * Stages 2 and 3 overlapped (the next unit is prepared while the model runs the current one); records
 * are stored per unit in one transaction. Returns the number of records written now.
 */
async function recordConditions(plan: EvaluationPlan): Promise<number> {
  const { store, onProgress, executor } = plan.options;
  const { runId, total } = plan;
  let done = 0;
  let evaluatedNow = 0;
  const workerCount = plan.options.workers ?? defaultWorkers();
  const pool = workerCount > 0 && total > 0 && !executor ? new WorkerPool<PreprocessRequest, PreprocessResult>(moduleUrl('eval/preprocess-worker.js'), workerCount) : undefined;
  const units = executor ? noUnits() : prepareUnits(plan, pool);
  let next = units.next();
  try {
    if (executor) evaluatedNow = await executor({ runId, conditions: plan.conditions, recorded: plan.recorded, total }, plan.options);
    for (;;) {
      plan.options.signal?.throwIfAborted();
      const current = await next;
      if (current.done) break;
      next = units.next(); // prepare the next unit while the model runs on this one
      const unit = current.value;
      const records = await classifyUnit(plan, unit);
      evaluatedNow += store.addRecords(runId, records);
      done += records.length;
      onProgress?.({ done, total, label: unit.condition.name });
    }
  } catch (err) {
    // Records already written stay: the same command resumes from them.
    await next.catch(() => undefined);
    store.finishRun(runId, 'failed', null);
    throw err instanceof WorkerPoolError && err.userError ? new RobustartError(err.message) : err;
  } finally {
    await pool?.close();
  }
  return evaluatedNow;
}

/** Stage 4: per-condition metrics from the stored records, then the suite's metrics; the run is finished. */
async function summarizeRun(plan: EvaluationPlan, evaluatedNow: number): Promise<EvaluationResult> {
  const { store, suite, samples } = plan.options;
  const { runId, conditions, context } = plan;
  const perCondition = new Map<string, ClassificationMetrics>();
  const skipped = new Map<string, number>();
  const recordsByCondition = new Map<string, SampleRecord[]>();
  for (const condition of conditions) {
    const records = store.records(runId, condition.name);
    recordsByCondition.set(condition.name, records);
    const ok = records.filter((r) => r.status === 'ok');
    const metrics = classificationMetrics(ok.map((r) => ({ label: r.label, top5: r.top5 ?? [], confidence: r.confidence ?? 0, trueProbability: r.trueProbability ?? 0 })));
    perCondition.set(condition.name, metrics);
    skipped.set(condition.name, records.length - ok.length);
    store.setMetrics(runId, condition.name, { top1: metrics.top1, top5: metrics.top5, nll: metrics.nll, ece: metrics.ece, count: metrics.count, skipped: records.length - ok.length });
  }
  const suiteMetrics = suite.summarize ? await suite.summarize(perCondition, { ...context, conditions }, recordsByCondition) : {};
  if (Object.keys(suiteMetrics).length > 0) store.setMetrics(runId, '*', suiteMetrics);
  const first = perCondition.get(conditions[0]?.name ?? '');
  store.finishRun(runId, 'finished', {
    conditions: conditions.length,
    // What each condition is (attack, norm, ε; corruption, severity; …), so readers never parse names.
    conditionMeta: Object.fromEntries(conditions.flatMap((c) => (c.meta ? [[c.name, c.meta]] : []))),
    // And the settings each used, so reports state them beside the numbers (readers never rebuild the attacks).
    conditionSettings: Object.fromEntries(conditions.flatMap((c) => (c.settings ? [[c.name, c.settings]] : []))),
    samples: samples.length,
    suiteMetrics,
    ...(first ? { perClassAccuracy: first.perClassAccuracy, reliability: first.reliability } : {}),
  });
  return { run: store.getRun(runId)!, perCondition, suiteMetrics, skipped, evaluatedNow };
}

async function* noUnits(): AsyncGenerator<PreparedUnit> {}

/** A worker can rebuild a decoder or resizer from its name only when it is a registered variant. */
function poolable(decoder: Decoder, resizer: Resizer): boolean {
  return decoderNames().includes(decoder.name) && resizerNames().includes(resizer.name);
}

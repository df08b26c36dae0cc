// Runs a study to completion: zoo models are trained first (training.ts), then every cell that is not done becomes
// (or resumes) an ordinary stored run through runEvaluation, then the transfer cells (transfer.ts). A failed cell is
// recorded with its one-line reason and the others go on; a finished study evaluates nothing.
import { loadModelFile } from '../model/load.js';
import { countMacs } from '../model/complexity.js';
import { runEvaluation } from '../eval/run.js';
import type { RecordExecutor } from '../eval/evaluate.js';
import type { Progress } from '../eval/progress.js';
import { ResultStore } from '../store/store.js';
import type { Study, StudyModel } from './config.js';
import { studyCells, cellStatus, oneLine, withModelHashes, type Cell } from './cells.js';
import { defaultModelsDir, trainCell, trainedModelPath, trainingCells, trainingToDo } from './training.js';
import { TRAIN_SUITE } from '../train/record.js';
import { runTransferCell, transferCells, TRANSFER_SUITE } from './transfer.js';
import { StudyState } from './state.js';

export interface StudyProgress {
  /** Cells finished (done or failed) by this invocation, plus the fraction of the current one. */
  readonly done: number;
  /** Cells this invocation has to evaluate. */
  readonly total: number;
  readonly label: string;
}

export interface StudyCellEvent {
  readonly index: number;
  readonly total: number;
  readonly model: string;
  readonly dataset: string;
  readonly suite: string;
  readonly outcome: 'done' | 'failed';
  readonly reason?: string;
  readonly seconds: number;
}

export interface RunStudyOptions {
  /** Path of the SQLite store, or an open store. */
  readonly store?: string | ResultStore;
  readonly onProgress?: (p: StudyProgress) => void;
  readonly onCell?: (e: StudyCellEvent) => void;
  /**
   * Computes each cell's pending records instead of this process (`queueExecutor`: shards on queue workers).
   * A cell is still an ordinary stored run, with the same run id and records as one evaluated here.
   */
  readonly executor?: RecordExecutor;
  /** Where zoo models are trained to (default: `<store>-models/` beside the results database). */
  readonly modelsDir?: string;
}

export interface StudyRunResult {
  readonly cells: number;
  readonly alreadyDone: number;
  /** Cells another live process is evaluating (left to it). */
  readonly runningElsewhere: number;
  readonly evaluated: number;
  /** Zoo models trained by this invocation. */
  readonly trained: number;
  readonly failed: number;
  readonly storePath: string;
}

export async function runStudy(study: Study, options: RunStudyOptions = {}): Promise<StudyRunResult> {
  const store = options.store instanceof ResultStore ? options.store : new ResultStore(options.store);
  const ownsStore = !(options.store instanceof ResultStore);
  try {
    const state = new StudyState(store);
    state.putStudy(withModelHashes(study));
    const runFinished = (id: string) => store.getRun(id)?.status === 'finished';
    const cells = studyCells(study);
    const existing = new Map(state.cells(study.name).map((r) => [r.cell, r]));
    const statuses = cells.map((c) => cellStatus(existing.get(c.cell), runFinished).status);
    const todo = cells.filter((_, i) => statuses[i] === 'missing' || statuses[i] === 'failed');
    const result = { cells: cells.length, alreadyDone: statuses.filter((s) => s === 'done').length, runningElsewhere: statuses.filter((s) => s === 'running').length, evaluated: 0, trained: 0, failed: 0, storePath: store.path };
    const transfers = transferCells(study);
    const transferTodo = transfers.filter((c) => ['missing', 'failed'].includes(cellStatus(existing.get(c.cell), runFinished).status));
    const needed = new Set([...todo.map((c) => c.model.name), ...transferTodo.flatMap((c) => [c.source.name, ...c.targets.map((t) => t.name)])]);
    const modelsDir = options.modelsDir ?? defaultModelsDir(store.path);
    const trainCells = trainingCells(study);
    const training = trainingToDo(trainCells, (c) => cellStatus(existing.get(c), runFinished).status, modelsDir, needed);
    if (todo.length === 0 && training.length === 0 && transferTodo.length === 0) return result;

    // Zoo models train first, each a cell of its own; a failed training fails that model's evaluation cells.
    const total = training.length + todo.length + transferTodo.length;
    const modelErrors = new Map<string, string>();
    for (const [index, cell] of training.entries()) {
      const label = `${cell.model.name} × train`;
      const outcome = await trainCell(study, cell, state, store, modelsDir, { onProgress: (_, fraction) => options.onProgress?.({ done: index + fraction, total, label }) });
      if (outcome.error) {
        modelErrors.set(cell.model.name, `training failed: ${outcome.error}`);
        result.failed++;
      } else result.trained++;
      options.onProgress?.({ done: index + 1, total, label });
      options.onCell?.({ index: index + 1, total, model: cell.model.name, dataset: cell.dataset, suite: TRAIN_SUITE, outcome: outcome.error ? 'failed' : 'done', reason: outcome.error, seconds: outcome.seconds });
    }
    const paths = new Map(trainCells.map((c) => [c.model.name, trainedModelPath(modelsDir, c)]));
    const modelPath = (m: StudyModel) => m.onnx ?? paths.get(m.name)!;
    for (const [name, error] of await registerModels(study, state, new Set([...needed].filter((n) => !modelErrors.has(n))), modelPath)) modelErrors.set(name, error);
    const evaluations: CellJob[] = todo.map((cell) => ({
      start: { cell: cell.cell, model: cell.model.name, dataset: cell.dataset.name, suiteEntry: cell.suite.name, suite: cell.suite.suite },
      label: `${cell.model.name} × ${cell.suite.name}${study.datasets.length > 1 ? ` (${cell.dataset.name})` : ''}`,
      evaluate: async (onFraction) => {
        const modelError = modelErrors.get(cell.model.name);
        if (modelError) throw new Error(modelError);
        return evaluateCell(study, cell, modelPath(cell.model), store, options.executor, (p) => onFraction(p.total ? p.done / p.total : 1));
      },
    }));
    // Transfer cells: each source's attacks classified by every target (all trained and loadable by now).
    const transferJobs: CellJob[] = transferTodo.map((cell) => ({
      start: { cell: cell.cell, model: cell.source.name, dataset: cell.dataset.name, suiteEntry: TRANSFER_SUITE, suite: TRANSFER_SUITE },
      label: `${cell.source.name} × ${TRANSFER_SUITE}`,
      evaluate: async () => {
        const broken = [cell.source, ...cell.targets].find((m) => modelErrors.has(m.name));
        if (broken) throw new Error(`model ${broken.name}: ${modelErrors.get(broken.name)}`);
        return runTransferCell(study, cell, modelPath, store);
      },
    }));
    await runCells(study.name, [...evaluations, ...transferJobs], { state, first: training.length, total, result, options });
    return result;
  } finally {
    if (ownsStore) store.close();
  }
}

/** One cell that becomes a stored run: what the state records when it starts, and how to evaluate it. */
interface CellJob {
  readonly start: Parameters<StudyState['startCell']>[1];
  readonly label: string;
  /** Evaluates the cell (reporting the fraction done) and gives its run id; throws (or rejects) when the cell fails. */
  readonly evaluate: (onFraction: (fraction: number) => void) => Promise<string>;
}

/**
 * Evaluates cells in order, each recorded as started, then finished with its run id or failed with its one-line
 * reason (the others go on); progress counts them after the `first` cells already reported.
 */
async function runCells(studyName: string, jobs: readonly CellJob[], ctx: { state: StudyState; first: number; total: number; result: { evaluated: number; failed: number }; options: RunStudyOptions }): Promise<void> {
  const { state, first, total, result, options } = ctx;
  for (const [position, job] of jobs.entries()) {
    const index = first + position;
    const started = Date.now();
    const { label } = job;
    state.startCell(studyName, job.start);
    let reason: string | undefined;
    try {
      const runId = await job.evaluate((fraction) => options.onProgress?.({ done: index + fraction, total, label }));
      state.finishCell(studyName, job.start.cell, { runId, seconds: (Date.now() - started) / 1000 });
      result.evaluated++;
    } catch (err) {
      reason = oneLine(err);
      state.finishCell(studyName, job.start.cell, { reason });
      result.failed++;
    }
    options.onProgress?.({ done: index + 1, total, label });
    options.onCell?.({ index: index + 1, total, model: job.start.model, dataset: job.start.dataset, suite: job.start.suiteEntry, outcome: reason ? 'failed' : 'done', reason, seconds: (Date.now() - started) / 1000 });
  }
}

/** Tags, parameters and MACs of the models still to evaluate; a model that fails to load fails its cells only. */
async function registerModels(study: Study, state: StudyState, names: ReadonlySet<string>, modelPath: (m: StudyModel) => string): Promise<Map<string, string>> {
  const errors = new Map<string, string>();
  for (const m of study.models) {
    if (!names.has(m.name)) continue;
    try {
      const loaded = loadModelFile(modelPath(m), m.name);
      const macs = await countMacs(loaded.original).catch(() => null);
      state.putModel(study.name, { name: m.name, family: m.family, technique: m.technique, architecture: m.architecture ?? m.family, tags: m.tags, path: loaded.path, sha256: loaded.sha256, parameters: loaded.parameters, macs });
    } catch (err) {
      errors.set(m.name, oneLine(err));
    }
  }
  return errors;
}

async function evaluateCell(study: Study, cell: Cell, model: string, store: ResultStore, executor: RecordExecutor | undefined, onProgress: (p: Progress) => void): Promise<string> {
  // The model goes in by path: the stored run is the same one `robustart eval --model <path>` makes.
  const result = await runEvaluation({
    model,
    data: cell.dataset.path,
    suite: cell.suite.suite,
    limit: cell.limit,
    seed: study.seed,
    batchSize: study.batchSize,
    workers: study.workers,
    suiteOptions: cell.suite.options,
    store,
    onProgress,
    executor,
  });
  return result.run.id;
}

// The training cells of a study: a zoo model is trained once, as a cell of its own, before its evaluation cells.
// The trained ONNX file sits in the study's model folder under its recipe's key, the training curves are an
// ordinary stored run (suite 'train'), and the trainer's per-epoch checkpoint makes an interrupted training resume.
import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { nodeCrypto } from '../util/native.js';
import type { ResultStore } from '../store/store.js';
import type { Study, StudyModel } from './config.js';
import type { StudyState } from './state.js';
import { oneLine, type CellStatus } from './cells.js';
import { runKey } from '../train/config.js';
import { TRAIN_SUITE } from '../train/record.js';
import type { Progress } from '../train/trainer.js';

export interface TrainingCell {
  readonly cell: string;
  readonly model: StudyModel;
  /** The recipe's key (runKey of the resolved training config): a changed config is a new training cell. */
  readonly key: string;
  /** What the training data is called in the study's cell table. */
  readonly dataset: string;
}

/** Identity of a zoo model for its evaluation cells: its training recipe, not the bytes of one trained file. */
export function trainedModelIdentity(model: StudyModel): string | undefined {
  return model.experiment ? `train:${runKey(model.experiment)}` : undefined;
}

export function trainingCells(study: Study): TrainingCell[] {
  return study.models.flatMap((model) => {
    if (!model.experiment) return [];
    const key = runKey(model.experiment);
    const train = model.experiment.data.train;
    return [{ cell: nodeCrypto.createHash('sha256').update(JSON.stringify({ suite: TRAIN_SUITE, recipe: key })).digest('hex').slice(0, 16), model, key, dataset: typeof train === 'string' ? train : train.path }];
  });
}

/** Where a study keeps its trained models: `<store>-models/` beside the results database (a temporary folder for an in-memory store). */
export function defaultModelsDir(storePath: string): string {
  if (storePath === ':memory:') return join(tmpdir(), 'robustart-study-models');
  return join(dirname(storePath), `${basename(storePath, extname(storePath))}-models`);
}

export function trainedModelPath(modelsDir: string, cell: TrainingCell): string {
  return join(modelsDir, `${cell.model.name}-${cell.key}.onnx`);
}

export interface TrainingOutcome {
  readonly path?: string;
  /** One line: why the training failed. */
  readonly error?: string;
  readonly seconds: number;
}

export interface TrainingHooks {
  readonly onProgress?: (cell: TrainingCell, fraction: number) => void;
}

/** The training cells to run now: not done, or done but their model file is gone while evaluation cells still need it. */
export function trainingToDo(cells: readonly TrainingCell[], statusOf: (cell: string) => CellStatus, modelsDir: string, needed: ReadonlySet<string>): TrainingCell[] {
  return cells.filter((c) => {
    const status = statusOf(c.cell);
    if (status === 'running') return false;
    return status !== 'done' || (needed.has(c.model.name) && !existsSync(trainedModelPath(modelsDir, c)));
  });
}

/** Trains one cell's model (resuming its checkpoint) and stores its curves; a failure is recorded with its reason. */
export async function trainCell(study: Study, cell: TrainingCell, state: StudyState, store: ResultStore, modelsDir: string, hooks: TrainingHooks = {}): Promise<TrainingOutcome> {
  const started = Date.now();
  const out = trainedModelPath(modelsDir, cell);
  state.startCell(study.name, { cell: cell.cell, model: cell.model.name, dataset: cell.dataset, suiteEntry: TRAIN_SUITE, suite: TRAIN_SUITE });
  let outcome: Omit<TrainingOutcome, 'seconds'>;
  try {
    // The trainer and its data pipeline load on first use: a study of ONNX files never imports them.
    const [{ runExperiment }, { storeTrainingRun }] = await Promise.all([import('../train/experiment.js'), import('../train/record.js')]);
    mkdirSync(modelsDir, { recursive: true });
    const record = await runExperiment(cell.model.experiment!, {
      out,
      progress: (p: Progress) => hooks.onProgress?.(cell, (p.epoch - 1 + (p.total ? p.seen / p.total : 1)) / p.epochs),
    });
    const runId = storeTrainingRun(store, record, out);
    state.finishCell(study.name, cell.cell, { runId, seconds: (Date.now() - started) / 1000 });
    outcome = { path: out };
  } catch (err) {
    outcome = { error: oneLine(err) };
    state.finishCell(study.name, cell.cell, { reason: outcome.error! });
  }
  return { ...outcome, seconds: (Date.now() - started) / 1000 };
}

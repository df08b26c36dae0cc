// The cells of a study (model x dataset x suite entry), their identity and their state as the store records it.
import { existsSync, readFileSync } from 'node:fs';
import { nodeCrypto } from '../util/native.js';
import type { Study, StudyDataset, StudyModel, StudySuite } from './config.js';
import type { CellRow, StudyState } from './state.js';
import { trainedModelIdentity, trainingCells } from './training.js';
import { TRAIN_SUITE } from '../train/record.js';
import { transferCells, TRANSFER_SUITE } from './transfer.js';
import { processAlive } from '../util/process.js';

export interface Cell {
  /** Hash of everything that determines the cell's numbers: a changed model file or option is a new cell. */
  readonly cell: string;
  readonly model: StudyModel;
  readonly dataset: StudyDataset;
  readonly suite: StudySuite;
  readonly limit: number | undefined;
}

export type CellStatus = 'done' | 'running' | 'missing' | 'failed';

export interface CellReport {
  readonly cell: string;
  readonly model: string;
  readonly dataset: string;
  readonly suite: string;
  readonly status: CellStatus;
  /** One line: why it failed, or that an earlier attempt was interrupted. */
  readonly reason: string | null;
  readonly runId: string | null;
  readonly attempts: number;
  readonly seconds: number | null;
}

const fileHashes = new Map<string, string>();

function fileSha256(path: string): string {
  let hash = fileHashes.get(path);
  if (!hash) fileHashes.set(path, (hash = existsSync(path) ? nodeCrypto.createHash('sha256').update(readFileSync(path)).digest('hex') : 'missing'));
  return hash;
}

/** What identifies a model in its cells: its file's hash, or a zoo model's training recipe. */
export function modelIdentity(study: Study, model: StudyModel): string | undefined {
  return study.modelHashes?.[model.name] ?? (model.onnx ? fileSha256(model.onnx) : trainedModelIdentity(model));
}

/** The study with its model files' hashes, as it is stored. */
export function withModelHashes(study: Study): Study {
  return { ...study, modelHashes: Object.fromEntries(study.models.map((m) => [m.name, modelIdentity(study, m) ?? ''])) };
}

export function studyCells(study: Study): Cell[] {
  const cells: Cell[] = [];
  for (const model of study.models) {
    for (const dataset of study.datasets) {
      for (const suite of study.suites) {
        const limit = suite.limit ?? dataset.limit;
        const identity = { model: modelIdentity(study, model), dataset: dataset.declaredPath ?? dataset.path, limit: limit ?? null, suite: suite.suite, options: suite.options, seed: study.seed };
        cells.push({ cell: nodeCrypto.createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 16), model, dataset, suite, limit });
      }
    }
  }
  return cells;
}

/** The first line of an error's message (a failed cell's recorded reason). */
export const oneLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0];

export function cellStatus(row: CellRow | undefined, runFinished: (runId: string) => boolean): { status: CellStatus; reason: string | null } {
  if (!row) return { status: 'missing', reason: null };
  if (row.state === 'done') return row.runId && runFinished(row.runId) ? { status: 'done', reason: null } : { status: 'missing', reason: 'its stored run was removed' };
  if (row.state === 'failed') return { status: 'failed', reason: row.reason };
  if (row.pid !== null && row.pid !== process.pid && processAlive(row.pid)) return { status: 'running', reason: null };
  return { status: 'missing', reason: `interrupted (attempt ${row.attempts}); resumes from its stored records` };
}

/** Every cell of the study: the training cells of its zoo models (suite 'train'), evaluations, transfer cells per source. */
export function studyStatus(study: Study, state: StudyState, runFinished: (runId: string) => boolean): CellReport[] {
  const rows = new Map(state.cells(study.name).map((r) => [r.cell, r]));
  const all = [
    ...trainingCells(study).map((c) => ({ cell: c.cell, model: c.model.name, dataset: c.dataset, suite: TRAIN_SUITE })),
    ...studyCells(study).map((c) => ({ cell: c.cell, model: c.model.name, dataset: c.dataset.name, suite: c.suite.name })),
    ...transferCells(study).map((c) => ({ cell: c.cell, model: c.source.name, dataset: c.dataset.name, suite: TRANSFER_SUITE })),
  ];
  return all.map((c) => {
    const row = rows.get(c.cell);
    const { status, reason } = cellStatus(row, runFinished);
    return { ...c, status, reason, runId: row?.runId ?? null, attempts: row?.attempts ?? 0, seconds: row?.seconds ?? null };
  });
}

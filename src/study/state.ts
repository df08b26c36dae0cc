// Study bookkeeping kept in the results store beside the runs: the study's config, its models (with tags,
// parameters and MACs) and one row per cell linking it to its stored run, its state and the last failure.
import type Database from 'better-sqlite3';
import type { ResultStore } from '../store/store.js';
import type { Study } from './config.js';

const STUDY_SCHEMA = `
CREATE TABLE IF NOT EXISTS studies (name TEXT PRIMARY KEY, config TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS study_models (
  study TEXT NOT NULL, name TEXT NOT NULL, family TEXT NOT NULL, technique TEXT NOT NULL, architecture TEXT NOT NULL,
  tags TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL, parameters INTEGER, macs INTEGER,
  PRIMARY KEY (study, name)
);
CREATE TABLE IF NOT EXISTS study_cells (
  study TEXT NOT NULL, cell TEXT NOT NULL, model TEXT NOT NULL, dataset TEXT NOT NULL, suite_entry TEXT NOT NULL,
  suite TEXT NOT NULL, run_id TEXT, state TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed')),
  reason TEXT, pid INTEGER, attempts INTEGER NOT NULL DEFAULT 0, started_at TEXT, finished_at TEXT, seconds REAL,
  PRIMARY KEY (study, cell)
);
`;

export interface StudyModelRow {
  readonly name: string;
  readonly family: string;
  readonly technique: string;
  readonly architecture: string;
  readonly tags: Record<string, string>;
  readonly path: string;
  readonly sha256: string;
  readonly parameters: number | null;
  readonly macs: number | null;
}

export type CellState = 'running' | 'done' | 'failed';

export interface CellRow {
  readonly cell: string;
  readonly model: string;
  readonly dataset: string;
  readonly suiteEntry: string;
  readonly suite: string;
  readonly runId: string | null;
  readonly state: CellState;
  readonly reason: string | null;
  readonly pid: number | null;
  readonly attempts: number;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly seconds: number | null;
}

const now = () => new Date().toISOString();

export class StudyState {
  private readonly db: Database.Database;

  constructor(store: ResultStore) {
    this.db = store.database;
    this.db.exec(STUDY_SCHEMA);
  }

  putStudy(study: Study): void {
    this.db.prepare(`INSERT INTO studies (name, config, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`).run(study.name, JSON.stringify(study), now());
  }

  study(name: string): Study | undefined {
    const row = this.db.prepare(`SELECT config FROM studies WHERE name = ?`).get(name) as { config: string } | undefined;
    return row ? (JSON.parse(row.config) as Study) : undefined;
  }

  studyNames(): string[] {
    return (this.db.prepare(`SELECT name FROM studies ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
  }

  putModel(study: string, m: StudyModelRow): void {
    this.db
      .prepare(`INSERT OR REPLACE INTO study_models (study, name, family, technique, architecture, tags, path, sha256, parameters, macs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(study, m.name, m.family, m.technique, m.architecture, JSON.stringify(m.tags), m.path, m.sha256, m.parameters, m.macs);
  }

  models(study: string): StudyModelRow[] {
    return (this.db.prepare(`SELECT * FROM study_models WHERE study = ? ORDER BY name`).all(study) as Record<string, unknown>[]).map((r) => ({
      name: String(r.name),
      family: String(r.family),
      technique: String(r.technique),
      architecture: String(r.architecture),
      tags: JSON.parse(String(r.tags)) as Record<string, string>,
      path: String(r.path),
      sha256: String(r.sha256),
      parameters: r.parameters === null ? null : Number(r.parameters),
      macs: r.macs === null ? null : Number(r.macs),
    }));
  }

  cells(study: string): CellRow[] {
    return (this.db.prepare(`SELECT * FROM study_cells WHERE study = ?`).all(study) as Record<string, unknown>[]).map(cellFromRow);
  }

  cell(study: string, cell: string): CellRow | undefined {
    const row = this.db.prepare(`SELECT * FROM study_cells WHERE study = ? AND cell = ?`).get(study, cell) as Record<string, unknown> | undefined;
    return row ? cellFromRow(row) : undefined;
  }

  /** Marks a cell as being evaluated by this process (one more attempt). */
  startCell(study: string, cell: { cell: string; model: string; dataset: string; suiteEntry: string; suite: string }): void {
    this.db
      .prepare(`INSERT INTO study_cells (study, cell, model, dataset, suite_entry, suite, state, pid, attempts, started_at) VALUES (?, ?, ?, ?, ?, ?, 'running', ?, 1, ?)
                ON CONFLICT(study, cell) DO UPDATE SET state = 'running', reason = NULL, pid = excluded.pid, attempts = attempts + 1, started_at = excluded.started_at`)
      .run(study, cell.cell, cell.model, cell.dataset, cell.suiteEntry, cell.suite, process.pid, now());
  }

  finishCell(study: string, cell: string, outcome: { runId: string; seconds: number } | { reason: string; runId?: string }): void {
    if ('reason' in outcome) {
      this.db.prepare(`UPDATE study_cells SET state = 'failed', reason = ?, run_id = coalesce(?, run_id), pid = NULL, finished_at = ? WHERE study = ? AND cell = ?`).run(outcome.reason, outcome.runId ?? null, now(), study, cell);
    } else {
      this.db.prepare(`UPDATE study_cells SET state = 'done', reason = NULL, run_id = ?, pid = NULL, finished_at = ?, seconds = ? WHERE study = ? AND cell = ?`).run(outcome.runId, now(), outcome.seconds, study, cell);
    }
  }
}

function cellFromRow(r: Record<string, unknown>): CellRow {
  return {
    cell: String(r.cell),
    model: String(r.model),
    dataset: String(r.dataset),
    suiteEntry: String(r.suite_entry),
    suite: String(r.suite),
    runId: r.run_id === null ? null : String(r.run_id),
    state: r.state as CellState,
    reason: r.reason === null ? null : String(r.reason),
    pid: r.pid === null ? null : Number(r.pid),
    attempts: Number(r.attempts),
    startedAt: r.started_at === null ? null : String(r.started_at),
    finishedAt: r.finished_at === null ? null : String(r.finished_at),
    seconds: r.seconds === null ? null : Number(r.seconds),
  };
}

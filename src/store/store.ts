// The results store: embedded SQLite (better-sqlite3), one file, safe to kill at any moment (WAL).
import { Database } from '../util/native.js';
import type DatabaseTypes from 'better-sqlite3';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { RobustartError } from '../errors.js';
import { SCHEMA, SCHEMA_VERSION } from './schema.js';
import { ModelRegistry, type ModelEntry } from '../model/registry.js';

export type { ModelEntry };

export interface DatasetEntry {
  readonly fingerprint: string;
  readonly kind: string;
  readonly root: string;
  readonly numSamples: number;
  readonly classes: string[];
}

export type RunStatus = 'running' | 'finished' | 'failed';

export interface RunEntry {
  readonly id: string;
  readonly suite: string;
  readonly modelName: string;
  readonly modelSha256: string;
  readonly datasetFingerprint: string;
  readonly config: Record<string, unknown>;
  readonly seed: number;
  readonly versions: Record<string, string>;
  readonly status: RunStatus;
  readonly summary: Record<string, unknown> | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface SampleRecord {
  readonly noise: string;
  readonly sampleId: string;
  readonly label: number;
  readonly status: 'ok' | 'skipped';
  readonly top5?: readonly number[];
  readonly confidence?: number;
  readonly trueProbability?: number;
  readonly error?: string;
  readonly extra?: Record<string, unknown>;
}

export interface MetricRow {
  readonly runId: string;
  readonly noise: string;
  readonly name: string;
  readonly value: number | null;
}

/**
 * A failure of SQLite or the file system on the store, as one line naming the file and what to do. Records are
 * written per batch in a transaction, so after a full disk the same command resumes from what was stored.
 */
export function storeError(err: unknown, path?: string): Error {
  if (err instanceof RobustartError) return err;
  const store = path === undefined ? 'results store' : `results store ${path}`;
  const code = String((err as { code?: unknown })?.code ?? '');
  const message = (err as Error)?.message ?? String(err);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT') || /not a database|malformed/.test(message)) {
    return new RobustartError(`${store} is not a robustart results database, or it is damaged (${message}); pass another path, or move the file away to start a new store`);
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EROFS' || code === 'EPERM') {
    return new RobustartError(`${store} cannot be written (${message}); make it and its folder writable, or pass another path`);
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || /disk is full|database or disk is full/.test(message)) {
    return new RobustartError(`the disk holding the ${store} is full; free space and rerun the same command: it resumes from the stored records`);
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code === 'ENOENT' || code === 'ENOTDIR') {
    return new RobustartError(`cannot open the ${store} (${message}); pass a path in a folder that exists and is writable`);
  }
  if (code.startsWith('SQLITE_IOERR')) return new RobustartError(`reading or writing the ${store} failed (${message}); check the disk, then rerun: the run resumes from the stored records`);
  return err as Error;
}

/** Where results go unless --store or ROBUSTART_STORE says otherwise: next to the work, like .git. */
export function defaultStorePath(): string {
  return resolve(process.env.ROBUSTART_STORE ?? '.robustart/results.db');
}

const now = () => new Date().toISOString();
const json = (v: unknown) => JSON.stringify(v);

export class ResultStore {
  private readonly db: DatabaseTypes.Database;
  private modelRegistry: ModelRegistry | undefined;

  /** `mustExist`: for commands that only read results, a missing file is an error instead of a new empty store. */
  constructor(readonly path: string = defaultStorePath(), options: { readonly mustExist?: boolean } = {}) {
    const memory = path === ':memory:';
    if (!memory && existsSync(path) && statSync(path).isDirectory()) {
      throw new RobustartError(`results store ${path} is a directory; pass the path of a database file (e.g. ${join(path, 'results.db')})`);
    }
    if (!memory && options.mustExist && !existsSync(path)) {
      throw new RobustartError(`no results database at ${path}; check the path, or run an evaluation first to create it`);
    }
    try {
      if (!memory) mkdirSync(dirname(resolve(path)), { recursive: true });
      this.db = new Database(path, options.mustExist ? { fileMustExist: true } : {});
    } catch (err) {
      throw storeError(err, path);
    }
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      this.db.pragma('busy_timeout = 10000');
      this.db.exec(SCHEMA);
      const version = this.db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: string } | undefined;
      if (!version) this.db.prepare(`INSERT INTO meta (key, value) VALUES ('schema_version', ?)`).run(String(SCHEMA_VERSION));
      else if (Number(version.value) > SCHEMA_VERSION) {
        throw new RobustartError(`results store ${path} was written by a newer robustart (schema ${version.value}); upgrade robustart`);
      }
    } catch (err) {
      this.db.close();
      throw storeError(err, path);
    }
  }

  close(): void {
    this.db.close();
  }

  // ---- models (the registry shares this database; see model/registry.ts) ----
  /** The model registry in this store's database. */
  get models(): ModelRegistry {
    return (this.modelRegistry ??= new ModelRegistry(this.db));
  }

  /** The SQLite handle, for modules that keep their own tables in the same file (studies). */
  get database(): DatabaseTypes.Database {
    return this.db;
  }

  putModel(entry: Omit<ModelEntry, 'addedAt'>): void {
    this.models.put(entry);
  }

  getModel(name: string): ModelEntry | undefined {
    return this.models.get(name);
  }

  listModels(): ModelEntry[] {
    return this.models.list();
  }

  removeModel(name: string): boolean {
    return this.models.remove(name);
  }

  // ---- datasets ----
  putDataset(entry: DatasetEntry): void {
    this.db
      .prepare(`INSERT OR IGNORE INTO datasets (fingerprint, kind, root, num_samples, classes) VALUES (?, ?, ?, ?, ?)`)
      .run(entry.fingerprint, entry.kind, entry.root, entry.numSamples, json(entry.classes));
  }

  getDataset(fingerprint: string): DatasetEntry | undefined {
    const row = this.db.prepare(`SELECT * FROM datasets WHERE fingerprint = ?`).get(fingerprint) as Record<string, unknown> | undefined;
    return row ? { fingerprint: String(row.fingerprint), kind: String(row.kind), root: String(row.root), numSamples: Number(row.num_samples), classes: JSON.parse(String(row.classes)) } : undefined;
  }

  // ---- runs ----
  /** Creates the run, or returns the existing one with the same id (the resume path). */
  openRun(run: Omit<RunEntry, 'status' | 'summary' | 'createdAt' | 'updatedAt'>): RunEntry {
    const t = now();
    this.db
      .prepare(`INSERT INTO runs (id, suite, model_name, model_sha256, dataset_fingerprint, config, seed, versions, status, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?) ON CONFLICT(id) DO UPDATE SET status = 'running', updated_at = excluded.updated_at`)
      .run(run.id, run.suite, run.modelName, run.modelSha256, run.datasetFingerprint, json(run.config), run.seed, json(run.versions), t, t);
    return this.getRun(run.id)!;
  }

  finishRun(id: string, status: RunStatus, summary: Record<string, unknown> | null): void {
    this.db.prepare(`UPDATE runs SET status = ?, summary = ?, updated_at = ? WHERE id = ?`).run(status, summary ? json(summary) : null, now(), id);
  }

  getRun(id: string): RunEntry | undefined {
    const row = this.db.prepare(`SELECT * FROM runs WHERE id = ?`).get(id) as Record<string, unknown> | undefined;
    return row ? runFromRow(row) : undefined;
  }

  /** A run by full id or unique prefix (as git accepts short hashes). */
  findRun(idOrPrefix: string): RunEntry {
    const rows = this.db.prepare(`SELECT * FROM runs WHERE id LIKE ? ORDER BY created_at`).all(`${idOrPrefix.replace(/[%_]/g, '')}%`) as Record<string, unknown>[];
    if (rows.length === 0) throw new RobustartError(`no run '${idOrPrefix}' in the results store; robustart results list shows the runs`);
    if (rows.length > 1) throw new RobustartError(`run id '${idOrPrefix}' is ambiguous (${rows.length} runs); give more characters`);
    return runFromRow(rows[0]);
  }

  listRuns(): RunEntry[] {
    return (this.db.prepare(`SELECT * FROM runs ORDER BY created_at DESC`).all() as Record<string, unknown>[]).map(runFromRow);
  }

  deleteRun(id: string): void {
    this.db.prepare(`DELETE FROM runs WHERE id = ?`).run(id);
  }

  // ---- records ----
  /** Writes a batch of records atomically; a record already stored for (run, noise, sample) is kept, never doubled. */
  addRecords(runId: string, records: readonly SampleRecord[]): number {
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO records (run_id, noise, sample_id, label, status, top5, confidence, true_probability, error, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    let added = 0;
    this.db.transaction(() => {
      for (const r of records) {
        added += insert.run(runId, r.noise, r.sampleId, r.label, r.status, r.top5 ? json(r.top5) : null, r.confidence ?? null, r.trueProbability ?? null, r.error ?? null, r.extra ? json(r.extra) : null).changes;
      }
      this.db.prepare(`UPDATE runs SET updated_at = ? WHERE id = ?`).run(now(), runId);
    })();
    return added;
  }

  /** Sample ids already recorded for each noise of a run (what a resumed run skips). */
  recordedSamples(runId: string): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const row of this.db.prepare(`SELECT noise, sample_id FROM records WHERE run_id = ?`).iterate(runId) as Iterable<{ noise: string; sample_id: string }>) {
      let set = out.get(row.noise);
      if (!set) out.set(row.noise, (set = new Set()));
      set.add(row.sample_id);
    }
    return out;
  }

  records(runId: string, noise?: string): SampleRecord[] {
    const rows = (noise === undefined
      ? this.db.prepare(`SELECT * FROM records WHERE run_id = ? ORDER BY noise, sample_id`).all(runId)
      : this.db.prepare(`SELECT * FROM records WHERE run_id = ? AND noise = ? ORDER BY sample_id`).all(runId, noise)) as Record<string, unknown>[];
    return rows.map((row) => ({
      noise: String(row.noise),
      sampleId: String(row.sample_id),
      label: Number(row.label),
      status: row.status as 'ok' | 'skipped',
      ...(row.top5 ? { top5: JSON.parse(String(row.top5)) as number[] } : {}),
      ...(row.confidence !== null ? { confidence: Number(row.confidence) } : {}),
      ...(row.true_probability !== null ? { trueProbability: Number(row.true_probability) } : {}),
      ...(row.error !== null ? { error: String(row.error) } : {}),
      ...(row.extra !== null ? { extra: JSON.parse(String(row.extra)) as Record<string, unknown> } : {}),
    }));
  }

  // ---- metrics ----
  setMetrics(runId: string, noise: string, values: Record<string, number | null>): void {
    const upsert = this.db.prepare(`INSERT INTO metrics (run_id, noise, name, value) VALUES (?, ?, ?, ?) ON CONFLICT(run_id, noise, name) DO UPDATE SET value = excluded.value`);
    this.db.transaction(() => {
      for (const [name, value] of Object.entries(values)) upsert.run(runId, noise, name, value !== null && Number.isFinite(value) ? value : null);
    })();
  }

  metrics(runId: string): MetricRow[] {
    return (this.db.prepare(`SELECT * FROM metrics WHERE run_id = ? ORDER BY noise, name`).all(runId) as Record<string, unknown>[]).map((r) => ({
      runId: String(r.run_id),
      noise: String(r.noise),
      name: String(r.name),
      value: r.value === null ? null : Number(r.value),
    }));
  }
}

function runFromRow(row: Record<string, unknown>): RunEntry {
  return {
    id: String(row.id),
    suite: String(row.suite),
    modelName: String(row.model_name),
    modelSha256: String(row.model_sha256),
    datasetFingerprint: String(row.dataset_fingerprint),
    config: JSON.parse(String(row.config)) as Record<string, unknown>,
    seed: Number(row.seed),
    versions: JSON.parse(String(row.versions)) as Record<string, string>,
    status: row.status as RunStatus,
    summary: row.summary ? (JSON.parse(String(row.summary)) as Record<string, unknown>) : null,
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
  };
}

// The shards a queued run was computed in, kept in the results store beside its records: which worker process
// (host, pid) and which device computed each sample range, and how long it took. A shard's row is written in the
// transaction that stores its records, so it exists exactly when they do; a shard delivered twice keeps its first row.
import type Database from 'better-sqlite3';
import type { ResultStore, SampleRecord } from '../store/store.js';
import type { ShardWorkerInfo } from './shard.js';

const SHARDS_SCHEMA = `
CREATE TABLE IF NOT EXISTS run_shards (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  noise TEXT NOT NULL, sample_start INTEGER NOT NULL, sample_end INTEGER NOT NULL, records INTEGER NOT NULL,
  host TEXT NOT NULL, pid INTEGER NOT NULL, device TEXT NOT NULL, compute_seconds REAL NOT NULL, stored_at TEXT NOT NULL,
  PRIMARY KEY (run_id, noise, sample_start)
);
`;

export interface StoredShard {
  readonly noise: string;
  /** Sample indices [start, end) in the run's sample list. */
  readonly start: number;
  readonly end: number;
  /** Records this shard added (fewer than end − start where some were stored before). */
  readonly records: number;
  readonly worker: ShardWorkerInfo;
  readonly computeSeconds: number;
  readonly storedAt: string;
}

/** Shards, records and compute time per (host, pid, device) of one run. */
export interface WorkerShare {
  readonly worker: ShardWorkerInfo;
  readonly shards: number;
  readonly records: number;
  readonly computeSeconds: number;
}

export class RunShards {
  private readonly db: Database.Database;

  constructor(private readonly store: ResultStore) {
    this.db = store.database;
    this.db.exec(SHARDS_SCHEMA);
  }

  /** Stores a finished shard's records and its row in one transaction; returns the records added. */
  add(runId: string, shard: Omit<StoredShard, 'records' | 'storedAt'>, records: readonly SampleRecord[]): number {
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO run_shards (run_id, noise, sample_start, sample_end, records, host, pid, device, compute_seconds, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    return this.db.transaction(() => {
      const added = this.store.addRecords(runId, records);
      const { host, pid, device } = shard.worker;
      insert.run(runId, shard.noise, shard.start, shard.end, added, host, pid, device, shard.computeSeconds, new Date().toISOString());
      return added;
    })();
  }

  list(runId: string): StoredShard[] {
    const rows = this.db.prepare(`SELECT * FROM run_shards WHERE run_id = ? ORDER BY noise, sample_start`).all(runId) as Record<string, unknown>[];
    return rows.map((r) => ({
      noise: String(r.noise),
      start: Number(r.sample_start),
      end: Number(r.sample_end),
      records: Number(r.records),
      worker: { host: String(r.host), pid: Number(r.pid), device: String(r.device) },
      computeSeconds: Number(r.compute_seconds),
      storedAt: String(r.stored_at),
    }));
  }

  byWorker(runId: string): WorkerShare[] {
    const rows = this.db
      .prepare(`SELECT host, pid, device, COUNT(*) AS shards, SUM(records) AS records, SUM(compute_seconds) AS seconds FROM run_shards WHERE run_id = ? GROUP BY host, pid, device ORDER BY host, pid, device`)
      .all(runId) as { host: string; pid: number; device: string; shards: number; records: number; seconds: number }[];
    return rows.map((r) => ({ worker: { host: r.host, pid: r.pid, device: r.device }, shards: r.shards, records: r.records, computeSeconds: r.seconds }));
  }
}

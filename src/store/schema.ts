// The results store's tables. One SQLite file holds models, datasets, runs, per-sample records and metrics.

export const SCHEMA_VERSION = 1;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS models (
  name TEXT PRIMARY KEY,
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  metadata TEXT NOT NULL,
  parameters INTEGER,
  macs INTEGER,
  added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS datasets (
  fingerprint TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  root TEXT NOT NULL,
  num_samples INTEGER NOT NULL,
  classes TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  suite TEXT NOT NULL,
  model_name TEXT NOT NULL,
  model_sha256 TEXT NOT NULL,
  dataset_fingerprint TEXT NOT NULL REFERENCES datasets(fingerprint),
  config TEXT NOT NULL,
  seed INTEGER NOT NULL,
  versions TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
  summary TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  noise TEXT NOT NULL,
  sample_id TEXT NOT NULL,
  label INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('ok', 'skipped')),
  top5 TEXT,
  confidence REAL,
  true_probability REAL,
  error TEXT,
  extra TEXT,
  PRIMARY KEY (run_id, noise, sample_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metrics (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  noise TEXT NOT NULL,
  name TEXT NOT NULL,
  value REAL,
  PRIMARY KEY (run_id, noise, name)
) WITHOUT ROWID;
`;

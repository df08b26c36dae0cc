// The model registry: names for model files (`robustart models add`), kept in the `models` table of the
// results database (the same SQLite file and table as before; the store hands its connection over).
import type Database from 'better-sqlite3';

export interface ModelEntry {
  readonly name: string;
  readonly path: string;
  readonly sha256: string;
  readonly metadata: Record<string, unknown>;
  readonly parameters: number | null;
  readonly macs: number | null;
  readonly addedAt: string;
}

/** What resolving a model name needs: any lookup by name (a registry, or the results store holding one). */
export interface ModelLookup {
  getModel(name: string): ModelEntry | undefined;
}

export class ModelRegistry implements ModelLookup {
  /** `db`: an open results database (its schema holds the `models` table). */
  constructor(private readonly db: Database.Database) {}

  put(entry: Omit<ModelEntry, 'addedAt'>): void {
    this.db
      .prepare(`INSERT INTO models (name, path, sha256, metadata, parameters, macs, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET path = excluded.path, sha256 = excluded.sha256, metadata = excluded.metadata, parameters = excluded.parameters, macs = excluded.macs`)
      .run(entry.name, entry.path, entry.sha256, JSON.stringify(entry.metadata), entry.parameters, entry.macs, new Date().toISOString());
  }

  get(name: string): ModelEntry | undefined {
    const row = this.db.prepare(`SELECT * FROM models WHERE name = ?`).get(name) as Record<string, unknown> | undefined;
    return row ? modelFromRow(row) : undefined;
  }

  getModel(name: string): ModelEntry | undefined {
    return this.get(name);
  }

  list(): ModelEntry[] {
    return (this.db.prepare(`SELECT * FROM models ORDER BY name`).all() as Record<string, unknown>[]).map(modelFromRow);
  }

  remove(name: string): boolean {
    return this.db.prepare(`DELETE FROM models WHERE name = ?`).run(name).changes > 0;
  }
}

function modelFromRow(row: Record<string, unknown>): ModelEntry {
  return {
    name: String(row.name),
    path: String(row.path),
    sha256: String(row.sha256),
    metadata: JSON.parse(String(row.metadata)) as Record<string, unknown>,
    parameters: row.parameters === null ? null : Number(row.parameters),
    macs: row.macs === null ? null : Number(row.macs),
    addedAt: String(row.added_at),
  };
}

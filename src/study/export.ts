// The leaderboard as a flat table (one row per model: identity, headline columns, then every other stored suite
// metric), written as CSV or as Parquet. Parquet goes through hyparquet-writer, loaded on first use.
import { writeFileSync } from 'node:fs';
import type { Leaderboard } from './leaderboard.js';
import { importPackage } from '../util/native.js';
import { csvText } from '../util/csv.js';

export type TableCell = string | number | null;

export interface LeaderboardTable {
  readonly header: string[];
  readonly rows: TableCell[][];
}

/** Identity columns that hold text; every other column is a number (or empty). */
const TEXT_COLUMNS = new Set(['name', 'family', 'technique', 'architecture', 'worst_system_combination']);
/** Counts (whole numbers): stored as 64-bit integers in Parquet. */
const COUNT_COLUMNS = new Set(['parameters', 'macs']);

export function leaderboardTable(board: Leaderboard): LeaderboardTable {
  const headline = board.columns.map((c) => c.key);
  const others = [...new Set(board.rows.flatMap((r) => Object.keys(r.metrics)))].filter((k) => !headline.includes(k)).sort();
  const header = ['name', 'family', 'technique', 'architecture', 'parameters', 'macs', ...headline, 'worst_system_combination', ...others];
  const rows = board.rows.map((r) => [r.name, r.family, r.technique, r.architecture, r.parameters, r.macs, ...headline.map((k) => r.metrics[k] ?? null), r.worstSystem, ...others.map((k) => r.metrics[k] ?? null)]);
  return { header, rows };
}

export function leaderboardCsv(board: Leaderboard): string {
  const { header, rows } = leaderboardTable(board);
  return csvText(header, rows);
}

interface ParquetWriter {
  parquetWriteBuffer(options: { columnData: { name: string; data: unknown[]; type: 'STRING' | 'DOUBLE' | 'INT64' }[]; kvMetadata?: { key: string; value: string }[] }): ArrayBuffer;
}

/** The leaderboard table as a Parquet file: text columns UTF-8 strings, counts INT64, metrics DOUBLE; empty cells are nulls. */
export async function leaderboardParquet(board: Leaderboard): Promise<Uint8Array> {
  const { parquetWriteBuffer } = await importPackage<ParquetWriter>('hyparquet-writer');
  const { header, rows } = leaderboardTable(board);
  const columnData = header.map((name, i) => {
    const values = rows.map((row) => row[i]);
    if (TEXT_COLUMNS.has(name)) return { name, data: values, type: 'STRING' as const };
    if (COUNT_COLUMNS.has(name)) return { name, data: values.map((v) => (v === null ? null : BigInt(Math.round(Number(v))))), type: 'INT64' as const };
    return { name, data: values, type: 'DOUBLE' as const };
  });
  const kvMetadata = [{ key: 'robustart.study', value: board.study }, { key: 'robustart.dataset', value: board.dataset }];
  return new Uint8Array(parquetWriteBuffer({ columnData, kvMetadata }));
}

export async function writeLeaderboardParquet(board: Leaderboard, path: string): Promise<void> {
  writeFileSync(path, await leaderboardParquet(board));
}

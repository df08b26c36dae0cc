// `robustart study export`: the leaderboard as JSON, CSV or Parquet, or the whole dashboard as a static site.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { stringFlag } from '../command.js';
import { RobustartError } from '../../errors.js';
import type { ResultStore } from '../../store/store.js';
import type { Study } from '../../study/config.js';
import { buildLeaderboard, techniqueDeltas, transferMatrix } from '../../study/leaderboard.js';
import { leaderboardCsv, writeLeaderboardParquet } from '../../study/export.js';
import { writeSite } from '../../report/dashboard/site.js';

const FORMATS = ['json', 'csv', 'parquet'] as const;

export async function exportStudy(study: Study, store: ResultStore, values: Record<string, unknown>): Promise<void> {
  const site = stringFlag(values, 'site');
  if (site !== undefined) {
    const files = writeSite(store, [study], resolve(site));
    process.stdout.write(`wrote ${files.length} files to ${resolve(site)}; open ${resolve(site, 'index.html')}\n`);
    return;
  }
  const format = stringFlag(values, 'format') ?? 'json';
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new RobustartError(`study export: format '${format}' is not supported; use ${FORMATS.join(', ')}`);
  }
  const dataset = stringFlag(values, 'dataset');
  if (dataset !== undefined && !study.datasets.some((d) => d.name === dataset)) throw new RobustartError(`study ${study.name} has no dataset '${dataset}'; it has ${study.datasets.map((d) => d.name).join(', ')}`);
  const board = buildLeaderboard(study, store, dataset);
  const out = stringFlag(values, 'out');
  if (format === 'parquet') {
    if (out === undefined) throw new RobustartError('study export: parquet is a binary format; give the file to write with --out PATH');
    mkdirSync(dirname(resolve(out)), { recursive: true });
    await writeLeaderboardParquet(board, out);
    process.stdout.write(`wrote the parquet leaderboard of ${board.rows.length} models to ${out}\n`);
    return;
  }
  const text = format === 'csv' ? leaderboardCsv(board) : `${JSON.stringify({ ...board, techniques: techniqueDeltas(board), transfer: transferMatrix(study, store, board.dataset) }, null, 2)}\n`;
  if (out === undefined) {
    process.stdout.write(text);
    return;
  }
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, text);
  process.stdout.write(`wrote the ${format} leaderboard of ${board.rows.length} models to ${out}\n`);
}

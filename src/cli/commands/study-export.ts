// `robustart study export`: the leaderboard as JSON or CSV, or the whole dashboard as a static site.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { stringFlag } from '../command.js';
import { RobustartError } from '../../errors.js';
import type { ResultStore } from '../../store/store.js';
import type { Study } from '../../study/config.js';
import { buildLeaderboard, techniqueDeltas, transferMatrix, type Leaderboard } from '../../study/leaderboard.js';
import { writeSite } from '../../report/dashboard/site.js';
import { csvText } from '../../util/csv.js';

const FORMATS = ['json', 'csv'] as const;

/** One row per model: identity, headline columns, then every other stored suite metric (sorted by name). */
export function leaderboardCsv(board: Leaderboard): string {
  const headline = board.columns.map((c) => c.key);
  const others = [...new Set(board.rows.flatMap((r) => Object.keys(r.metrics)))].filter((k) => !headline.includes(k)).sort();
  const header = ['name', 'family', 'technique', 'architecture', 'parameters', 'macs', ...headline, 'worst_system_combination', ...others];
  return csvText(header, board.rows.map((r) => [r.name, r.family, r.technique, r.architecture, r.parameters, r.macs, ...headline.map((k) => r.metrics[k]), r.worstSystem, ...others.map((k) => r.metrics[k])]));
}

export async function exportStudy(study: Study, store: ResultStore, values: Record<string, unknown>): Promise<void> {
  const site = stringFlag(values, 'site');
  if (site !== undefined) {
    const files = writeSite(store, [study], resolve(site));
    process.stdout.write(`wrote ${files.length} files to ${resolve(site)}; open ${resolve(site, 'index.html')}\n`);
    return;
  }
  const format = stringFlag(values, 'format') ?? 'json';
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new RobustartError(`study export: format '${format}' is not supported; use ${FORMATS.join(' or ')} (parquet has no maintained pure-JS writer among robustart's dependencies)`);
  }
  const dataset = stringFlag(values, 'dataset');
  if (dataset !== undefined && !study.datasets.some((d) => d.name === dataset)) throw new RobustartError(`study ${study.name} has no dataset '${dataset}'; it has ${study.datasets.map((d) => d.name).join(', ')}`);
  const board = buildLeaderboard(study, store, dataset);
  const text = format === 'csv' ? leaderboardCsv(board) : `${JSON.stringify({ ...board, techniques: techniqueDeltas(board), transfer: transferMatrix(board) }, null, 2)}\n`;
  const out = stringFlag(values, 'out');
  if (out === undefined) {
    process.stdout.write(text);
    return;
  }
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, text);
  process.stdout.write(`wrote the ${format} leaderboard of ${board.rows.length} models to ${out}\n`);
}

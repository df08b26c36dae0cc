// `robustart nas analyze`: the NAS subnet study's analysis from the results store: the per-subnet table, the rank
// correlation of every architecture dimension with every robustness metric, and the Pareto fronts against MACs
// and params; printed as a summary, or exported as JSON or CSV. The `nas` command dispatches its `analyze` action
// here (runNasAnalyze).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { OptionSpec } from '../command.js';
import { stringFlag } from '../command.js';
import { RobustartError } from '../../errors.js';
import { ResultStore } from '../../store/store.js';
import { nasAnalysis } from '../../nas/stored-subnets.js';
import { loadSpace } from '../../nas/space.js';
import { NAS_CSV_TABLES, nasAnalysisCsv, type NasCsvTable } from '../../nas/analysis-csv.js';
import type { NasAnalysis } from '../../nas/analysis.js';
import { corruptionSubsetNote, type CorruptionSubset } from '../../nas/corruption-subset.js';
import { humanCount, percent, table } from '../format.js';

export const NAS_ANALYZE_USAGE = [
  'robustart nas analyze [--store S] [--space NAME] [--dataset FP|ROOT] [--format json|csv] [--table subnets|correlations|pareto] [--out FILE]',
  '  --space S        the search space whose subnets to analyse, by name or space file (needed when the store holds several)',
  '  --dataset FP     fingerprint (prefix) or root of the dataset the runs used (needed when they used several)',
  '  --format F       json (everything) or csv (one table, see --table); default: a summary on the terminal',
  '  --table T        the CSV table: subnets (default), correlations or pareto',
  '  --out FILE       write the export to FILE instead of standard output',
];

export const NAS_ANALYZE_OPTIONS: OptionSpec = {
  store: { type: 'string' },
  space: { type: 'string' },
  dataset: { type: 'string' },
  format: { type: 'string' },
  table: { type: 'string' },
  out: { type: 'string' },
};

const FORMATS = ['json', 'csv'] as const;
const fixed = (v: number | null, digits = 3) => (v === null ? '-' : v.toFixed(digits));
const pValue = (v: number | null) => (v === null ? '-' : v < 1e-4 ? v.toExponential(1) : v.toFixed(4));

/** The terminal summary: subnets, correlations with at least three pairs (strongest first), and the fronts' sizes. */
function nasAnalysisSummary(a: NasAnalysis & { dataset: string | null; corruptionSubset?: CorruptionSubset | null }): string {
  const evaluated = a.subnets.filter((s) => Object.keys(s.runs).length > 0).length;
  const label = new Map(a.columns.map((c) => [c.key, c.label]));
  const parts = [`search space ${a.space}: ${a.subnets.length} subnets, ${evaluated} evaluated${a.dataset ? ` on dataset ${a.dataset.slice(0, 12)}` : ''}\n`];
  if (a.corruptionSubset) parts.push(`${corruptionSubsetNote(a.corruptionSubset)}\n`);
  if (a.spaceHashes.length > 1) parts.push(`note: the subnets come from ${a.spaceHashes.length} versions of the space (hashes ${a.spaceHashes.join(', ')})\n`);
  const correlations = a.correlations.filter((c) => c.n >= 3 && c.spearman !== null).sort((x, y) => Math.abs(y.spearman!) - Math.abs(x.spearman!));
  if (correlations.length > 0) {
    parts.push('\nrank correlations (strongest first)\n');
    parts.push(table(['dimension', 'metric', 'n', 'Spearman', 'p', 'Kendall tau-b', 'p'], correlations.map((c) => [c.dimension, label.get(c.metric) ?? c.metric, c.n, fixed(c.spearman), pValue(c.spearmanP), fixed(c.kendall), pValue(c.kendallP)])));
  }
  const fronts = a.pareto.filter((p) => p.cost === 'macs' && p.subnets.length > 0);
  if (fronts.length > 0) {
    const byName = new Map(a.subnets.map((s) => [s.name, s]));
    parts.push('\nPareto fronts against MACs (cheapest to best)\n');
    parts.push(table(['metric', 'subnets on front', 'cheapest', 'best'], fronts.map((p) => {
      const column = a.columns.find((c) => c.key === p.metric)!;
      const show = (name: string) => {
        const s = byName.get(name)!;
        const v = s.metrics[p.metric] ?? null;
        return `${s.subnetId} (${humanCount(s.macs)} MACs, ${column.unit === 'fraction' ? percent(v) : fixed(v)})`;
      };
      return [column.label, p.subnets.length, show(p.subnets[0]), show(p.subnets[p.subnets.length - 1])];
    })));
  }
  return parts.join('');
}

/**
 * A space given by name, or by its file (as `nas train` and `nas sample` take it): the file is loaded and checked
 * as a search space (loadSpace), and its name selects the subnets.
 */
function spaceName(value: string): string {
  return existsSync(value) ? loadSpace(value).name : value;
}

/** Runs `nas analyze` with parsed flags; writes to `stdout` (a file with --out). */
export async function runNasAnalyze(values: Record<string, unknown>, stdout: NodeJS.WritableStream = process.stdout): Promise<number> {
  const format = stringFlag(values, 'format');
  if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) throw new RobustartError(`nas analyze: --format ${format} is not supported; use json or csv`);
  const tableName = stringFlag(values, 'table');
  if (tableName !== undefined && !(NAS_CSV_TABLES as readonly string[]).includes(tableName)) throw new RobustartError(`nas analyze: --table ${tableName} is not a table; use ${NAS_CSV_TABLES.join(', ')}`);
  if (tableName !== undefined && format !== 'csv') throw new RobustartError('nas analyze: --table chooses a CSV table; add --format csv');
  const out = stringFlag(values, 'out');
  if (out !== undefined && format === undefined) throw new RobustartError('nas analyze: --out writes an export; add --format json or --format csv');
  const spaceFlag = stringFlag(values, 'space');
  const space = spaceFlag === undefined ? undefined : spaceName(spaceFlag);
  // An explicit --store must exist: reading results never creates an empty database.
  const store = new ResultStore(stringFlag(values, 'store'), { mustExist: stringFlag(values, 'store') !== undefined });
  let analysis;
  try {
    analysis = nasAnalysis(store, { space, dataset: stringFlag(values, 'dataset') });
  } finally {
    store.close();
  }
  if (format === undefined) {
    stdout.write(nasAnalysisSummary(analysis));
    return 0;
  }
  const text = format === 'csv' ? nasAnalysisCsv(analysis, (tableName ?? 'subnets') as NasCsvTable) : `${JSON.stringify(analysis, null, 2)}\n`;
  if (out === undefined) {
    stdout.write(text);
    return 0;
  }
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, text);
  stdout.write(`wrote the ${format === 'csv' ? `${tableName ?? 'subnets'} table` : 'analysis'} of ${analysis.subnets.length} subnets of ${analysis.space} to ${out}\n`);
  return 0;
}

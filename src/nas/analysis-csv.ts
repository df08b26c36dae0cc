// The NAS analysis as CSV tables: one row per subnet, per (dimension, metric) correlation, or per Pareto point.
import { csvText } from '../util/csv.js';
import type { NasAnalysis } from './analysis.js';

export const NAS_CSV_TABLES = ['subnets', 'correlations', 'pareto'] as const;
export type NasCsvTable = (typeof NAS_CSV_TABLES)[number];

/** name, subnet id, each flattened architecture dimension, params, MACs, each metric column, then the run ids. */
function subnetsCsv(a: NasAnalysis): string {
  const entries = [...new Set(a.subnets.flatMap((s) => Object.keys(s.runs)))].sort();
  const header = ['name', 'subnet', ...a.dimensions, 'params', 'macs', ...a.columns.map((c) => c.key), ...entries.map((e) => `run/${e}`)];
  return csvText(header, a.subnets.map((s) => [s.name, s.subnetId, ...a.dimensions.map((d) => s.architecture[d]), s.params, s.macs, ...a.columns.map((c) => s.metrics[c.key]), ...entries.map((e) => s.runs[e])]));
}

function correlationsCsv(a: NasAnalysis): string {
  return csvText(['dimension', 'metric', 'n', 'spearman', 'spearman_p', 'kendall_tau_b', 'kendall_p'], a.correlations.map((c) => [c.dimension, c.metric, c.n, c.spearman, c.spearmanP, c.kendall, c.kendallP]));
}

/** One line per subnet on a front, in front order (cheapest first), with its cost and metric value. */
function paretoCsv(a: NasAnalysis): string {
  const byName = new Map(a.subnets.map((s) => [s.name, s]));
  const rows = a.pareto.flatMap((p) => p.subnets.map((name, rank) => [p.metric, p.cost, rank, name, byName.get(name)![p.cost], byName.get(name)!.metrics[p.metric]]));
  return csvText(['metric', 'cost', 'rank', 'name', 'cost_value', 'metric_value'], rows);
}

export function nasAnalysisCsv(analysis: NasAnalysis, table: NasCsvTable = 'subnets'): string {
  return table === 'correlations' ? correlationsCsv(analysis) : table === 'pareto' ? paretoCsv(analysis) : subnetsCsv(analysis);
}

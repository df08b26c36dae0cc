// Analysis of a NAS subnet study (RobustART's third axis): one row per evaluated subnet with its architecture
// choices flattened to columns, the rank correlation of every architecture dimension (and params, MACs) with every
// robustness metric, and the Pareto fronts of each metric against MACs and params. Pure: the rows come in, built
// from the store by stored-subnets.ts.
import type { Column } from '../study/leaderboard.js';
import { kendallTauB, spearman } from '../metrics/rank-correlation.js';

/** A subnet's architecture choices as its space records them: one value per dimension, or one per stage/block. */
export type ArchitectureChoices = Readonly<Record<string, number | readonly number[]>>;

export interface NasSubnetRow {
  /** Registry name, `<space>/<subnetId>`. */
  readonly name: string;
  readonly subnetId: string;
  readonly choices: ArchitectureChoices;
  readonly params: number | null;
  readonly macs: number | null;
  /** Metric key (the leaderboard's headline keys: clean_top1, mCE, nsd, ar/…) -> value. */
  readonly metrics: Record<string, number | null>;
  /** Suite entry -> stored run id. */
  readonly runs: Record<string, string>;
}

export interface NasTableRow extends NasSubnetRow {
  /** The choices flattened: `depth[2]`, `width[0]`, `kernel`. */
  readonly architecture: Record<string, number>;
}

export interface NasCorrelation {
  /** An architecture dimension (`depth[2]`), `params` or `macs`. */
  readonly dimension: string;
  readonly metric: string;
  /** Subnets with both values. */
  readonly n: number;
  readonly spearman: number | null;
  readonly spearmanP: number | null;
  /** Kendall's tau-b. */
  readonly kendall: number | null;
  readonly kendallP: number | null;
}

export type ParetoCost = 'macs' | 'params';

export interface ParetoFront {
  readonly metric: string;
  readonly cost: ParetoCost;
  /** Subnet names on the front, cheapest first. */
  readonly subnets: string[];
}

export interface NasAnalysis {
  readonly space: string;
  /** Hashes of the space definitions the subnets were sampled from (one, unless the space changed between samples). */
  readonly spaceHashes: string[];
  /** Flattened architecture dimensions, in order. */
  readonly dimensions: string[];
  /** The robustness metrics, as leaderboard columns (key, label, unit, which way is better). */
  readonly columns: Column[];
  readonly subnets: NasTableRow[];
  readonly correlations: NasCorrelation[];
  readonly pareto: ParetoFront[];
}

// Made on first use: a collator loads ICU's collation data (about 10 ms and a few MiB), which importing robustart need not pay.
let naturalOrder: Intl.Collator | undefined;
const byNaturalOrder = (a: string, b: string) => (naturalOrder ??= new Intl.Collator('en', { numeric: true })).compare(a, b);

/** `{ depth: [1, 2], kernel: 3 }` -> `{ 'depth[0]': 1, 'depth[1]': 2, kernel: 3 }`. */
export function flattenChoices(choices: ArchitectureChoices): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(choices)) {
    if (typeof value === 'number') out[key] = value;
    else value.forEach((v, i) => (out[`${key}[${i}]`] = v));
  }
  return out;
}

export interface ParetoPoint {
  readonly id: string;
  readonly cost: number | null;
  readonly value: number | null;
}

/**
 * The points no other point dominates (costs no more and is at least as good, better in one of the two), cheapest
 * first. `better`: which way the value is better. Points without a cost or value take no part; equal points share
 * their place on the front.
 */
export function paretoFront(points: readonly ParetoPoint[], better: 'higher' | 'lower'): string[] {
  const sign = better === 'higher' ? 1 : -1;
  const present = points.filter((p): p is { id: string; cost: number; value: number } => p.cost !== null && p.value !== null && Number.isFinite(p.cost) && Number.isFinite(p.value));
  const sorted = present.map((p) => ({ ...p, score: sign * p.value })).sort((a, b) => a.cost - b.cost || b.score - a.score || byNaturalOrder(a.id, b.id));
  const front: string[] = [];
  let bestCheaper = Number.NEGATIVE_INFINITY;
  for (let start = 0; start < sorted.length; ) {
    let end = start;
    while (end < sorted.length && sorted[end].cost === sorted[start].cost) end++;
    const best = sorted[start].score; // the best of this cost: sorted best-first within a cost
    if (best > bestCheaper) {
      for (let k = start; k < end && sorted[k].score === best; k++) front.push(sorted[k].id);
      bestCheaper = best;
    }
    start = end;
  }
  return front;
}

/** The table, correlations and Pareto fronts of one space's evaluated subnets. */
export function analyzeSubnets(space: string, spaceHashes: readonly string[], subnets: readonly NasSubnetRow[], columns: readonly Column[]): NasAnalysis {
  const rows: NasTableRow[] = [...subnets].sort((a, b) => byNaturalOrder(a.subnetId, b.subnetId)).map((s) => ({ ...s, architecture: flattenChoices(s.choices) }));
  const dimensions = [...new Set(rows.flatMap((r) => Object.keys(r.architecture)))].sort(byNaturalOrder);
  const dimensionValues = (key: string): (number | null)[] =>
    rows.map((r) => (key === 'params' ? r.params : key === 'macs' ? r.macs : (r.architecture[key] ?? null)));
  const metricValues = new Map(columns.map((c) => [c.key, rows.map((r) => r.metrics[c.key] ?? null)]));
  const correlations: NasCorrelation[] = [];
  for (const dimension of [...dimensions, 'params', 'macs']) {
    const x = dimensionValues(dimension);
    for (const column of columns) {
      const y = metricValues.get(column.key)!;
      const s = spearman(x, y);
      const k = kendallTauB(x, y);
      correlations.push({ dimension, metric: column.key, n: s.n, spearman: s.coefficient, spearmanP: s.pValue, kendall: k.coefficient, kendallP: k.pValue });
    }
  }
  const pareto: ParetoFront[] = [];
  for (const column of columns) {
    for (const cost of ['macs', 'params'] as const) {
      const points = rows.map((r) => ({ id: r.name, cost: r[cost], value: r.metrics[column.key] ?? null }));
      pareto.push({ metric: column.key, cost, subnets: paretoFront(points, column.better) });
    }
  }
  return { space, spaceHashes: [...spaceHashes], dimensions, columns: [...columns], subnets: rows, correlations, pareto };
}

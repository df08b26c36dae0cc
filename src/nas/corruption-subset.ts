// A corruption metric for NAS studies that run only some ImageNet-C conditions. mCE and relative mCE (metrics.md)
// need all 15 main corruptions at all five severities, each divided by AlexNet's ImageNet-C error; a study of
// hundreds of subnets on a CPU runs a few (the Fashion-MNIST demo: four corruptions at severity 3), and AlexNet's
// ImageNet errors say nothing about another dataset. Such subnets are compared by their mean top-1 error over the
// main-corruption conditions they ran, unnormalised, under a key and label that say it is a subset: a value is
// comparable only with values over the same conditions, and it is never called mCE.
import type { ResultStore } from '../store/store.js';
import { MCE_CORRUPTIONS } from '../metrics/corruption.js';
import { conditionMetasOf, type Column } from '../study/leaderboard.js';

/** The analysis column's key. */
export const SUBSET_CORRUPTION_ERROR = 'corruption_error_subset';

/** Which main-corruption conditions a subset mean covers. */
export interface CorruptionSubset {
  /** In the order of the ImageNet-C paper. */
  readonly corruptions: string[];
  readonly severities: number[];
  /** Condition names (`fog/3`), sorted: two runs are comparable when these agree. */
  readonly conditions: string[];
}

export interface SubsetCorruptionError extends CorruptionSubset {
  /** Mean top-1 error over the conditions. */
  readonly meanError: number;
}

/** A natural-noise run's mean top-1 error over the main-corruption conditions it ran; null when it ran none. */
export function subsetCorruptionError(store: ResultStore, runId: string): SubsetCorruptionError | null {
  const top1 = new Map<string, number>();
  for (const m of store.metrics(runId)) if (m.name === 'top1' && m.value !== null && m.noise !== '*') top1.set(m.noise, m.value);
  const metas = conditionMetasOf(store.getRun(runId), top1.keys());
  const ran: { name: string; corruption: string; severity: number }[] = [];
  for (const name of top1.keys()) {
    const meta = metas[name];
    if (meta?.kind === 'corruption' && MCE_CORRUPTIONS.includes(meta.corruption)) ran.push({ name, corruption: meta.corruption, severity: meta.severity });
  }
  if (ran.length === 0) return null;
  const corruptions = MCE_CORRUPTIONS.filter((c) => ran.some((r) => r.corruption === c));
  const severities = [...new Set(ran.map((r) => r.severity))].sort((a, b) => a - b);
  const meanError = ran.reduce((sum, r) => sum + (1 - top1.get(r.name)!), 0) / ran.length;
  return { corruptions, severities, conditions: ran.map((r) => r.name).sort(), meanError };
}

/** "severity 3", "severities 1,5", "severities 1–5". */
function severityText(severities: readonly number[]): string {
  if (severities.length === 5) return 'severities 1–5';
  return `severit${severities.length === 1 ? 'y' : 'ies'} ${severities.join(',')}`;
}

/** The column of a subset mean: its label names how many of the 15 corruptions and which severities. */
export function subsetCorruptionColumn(subset: CorruptionSubset): Column {
  return {
    key: SUBSET_CORRUPTION_ERROR,
    label: `mean corruption error, ${subset.corruptions.length} of ${MCE_CORRUPTIONS.length} corruptions, ${severityText(subset.severities)}`,
    unit: 'fraction',
    better: 'lower',
    group: 'natural',
  };
}

/** One line saying what the subset mean covers and why there is no mCE. */
export function corruptionSubsetNote(subset: CorruptionSubset): string {
  return `corruption error: the mean top-1 error over ${subset.conditions.length} corruption condition${subset.conditions.length === 1 ? '' : 's'} (${subset.corruptions.join(', ')}; ${severityText(subset.severities)}), unnormalised; mCE needs all ${MCE_CORRUPTIONS.length} corruptions at severities 1–5`;
}

/**
 * The subset all subnets are compared on: the condition set most subnets ran (ties: the larger set, then the first
 * in order). Values over other sets are left out, being incomparable. Undefined when no subnet ran a corruption.
 */
export function commonCorruptionSubset(values: readonly (SubsetCorruptionError | null)[]): CorruptionSubset | undefined {
  const counts = new Map<string, { subset: SubsetCorruptionError; count: number }>();
  for (const v of values) {
    if (v === null) continue;
    const key = v.conditions.join(',');
    const entry = counts.get(key);
    if (entry) entry.count++;
    else counts.set(key, { subset: v, count: 1 });
  }
  let best: { subset: SubsetCorruptionError; count: number } | undefined;
  for (const entry of counts.values()) {
    if (!best || entry.count > best.count || (entry.count === best.count && entry.subset.conditions.length > best.subset.conditions.length)) best = entry;
  }
  if (!best) return undefined;
  const { corruptions, severities, conditions } = best.subset;
  return { corruptions, severities, conditions };
}

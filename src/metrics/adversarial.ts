// Adversarial metrics (../shared/spec/metrics.md, "Adversarial"), both conventions side by side:
// - AR and WCAR as RobustART computes them (metrics/AR_evaluator.py, WCAR_evaluator.py): among the clean-correct samples,
//   the fraction still correct under the attack (WCAR: under every attack of the set at that budget);
// - robust accuracy as RobustBench/AutoAttack report it: over all samples, clean mistakes counting as failures (and its
//   worst case over a set).
// Plus attack success rate, median norm of minimum-norm attacks and queries per success of black-box attacks. All take
// per-sample flags, so every summary can be recomputed from the stored per-sample records.

/** What one attack at one budget left behind, per sample. */
export interface AttackOutcome {
  /** 1 where the model still predicts the label on the adversarial image. */
  readonly robust: Uint8Array;
  /** Model calls per sample. */
  readonly queries: Int32Array;
  /** Minimum-norm attacks: smallest adversarial norm found, Infinity where none. */
  readonly minimalNorms?: Float32Array;
  readonly kind: 'white-box' | 'score-based' | 'decision-based';
}

export interface AttackSummary {
  readonly samples: number;
  readonly cleanAccuracy: number;
  /** AR (RobustART): among the clean-correct samples, the fraction still correct under the attack. */
  readonly ar: number;
  /** Robust accuracy (RobustBench): fraction of all evaluated samples correct under the attack. */
  readonly robustAccuracy: number;
  /** Fraction of the clean-correct samples the attack fooled. */
  readonly attackSuccessRate: number;
  /** Median over clean-correct samples of the minimal adversarial norm (Infinity counts for samples never fooled). */
  readonly medianNorm?: number;
  /** Median minimal norm over the samples actually fooled. */
  readonly medianNormOfSuccesses?: number;
  /** Black-box: mean model calls spent on the samples the attack fooled (the Square/Bandits convention). */
  readonly queriesPerSuccess?: number;
  readonly meanQueries: number;
}

export function median(values: ArrayLike<number>): number {
  if (values.length === 0) return NaN;
  const sorted = Array.from(values).sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : sorted[mid - 1] === sorted[mid] ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function accuracy(correct: Uint8Array): number {
  return correct.length === 0 ? NaN : correct.reduce((a, b) => a + b, 0) / correct.length;
}

export function summarizeAttack(cleanCorrect: Uint8Array, outcome: AttackOutcome): AttackSummary {
  const n = cleanCorrect.length;
  if (outcome.robust.length !== n) throw new Error(`attack outcome has ${outcome.robust.length} samples, clean has ${n}`);
  let clean = 0, fooled = 0, successQueries = 0, allQueries = 0;
  const fooledIdx: number[] = [];
  for (let i = 0; i < n; i++) {
    allQueries += outcome.queries[i];
    if (!cleanCorrect[i]) continue;
    clean++;
    if (!outcome.robust[i]) { fooled++; successQueries += outcome.queries[i]; fooledIdx.push(i); }
  }
  const summary: AttackSummary = {
    samples: n,
    cleanAccuracy: accuracy(cleanCorrect),
    ar: clean === 0 ? NaN : (clean - fooled) / clean,
    robustAccuracy: accuracy(outcome.robust),
    attackSuccessRate: clean === 0 ? NaN : fooled / clean,
    meanQueries: n === 0 ? NaN : allQueries / n,
    ...(outcome.kind !== 'white-box' ? { queriesPerSuccess: fooled === 0 ? NaN : successQueries / fooled } : {}),
  };
  if (!outcome.minimalNorms) return summary;
  const norms = outcome.minimalNorms;
  const cleanNorms = Array.from(norms).filter((_, i) => cleanCorrect[i]);
  const found = cleanNorms.filter((v) => Number.isFinite(v));
  return { ...summary, medianNorm: median(cleanNorms), medianNormOfSuccesses: median(found) };
}

/** Worst case over a set of attacks at one budget, in both conventions. */
export interface WorstCase {
  /** WCAR (RobustART): among the clean-correct samples, the fraction correct under every attack. */
  readonly wcar: number;
  /** Worst-case robust accuracy (RobustBench): over all samples, the fraction correct under every attack. */
  readonly robustAccuracy: number;
  /** 1 where the sample is correct under every attack. */
  readonly robust: Uint8Array;
}

/** Per-sample AND over the attacks (each sample against its strongest attack), then both conventions. */
export function worstCaseRobustness(robustPerAttack: readonly Uint8Array[], cleanCorrect: Uint8Array): WorstCase {
  if (robustPerAttack.length === 0) throw new Error('WCAR needs at least one attack');
  const robust = robustPerAttack[0].slice();
  for (const r of robustPerAttack.slice(1)) for (let i = 0; i < robust.length; i++) robust[i] &= r[i];
  return { wcar: conditionalAccuracy(robust, cleanCorrect), robustAccuracy: accuracy(robust), robust };
}

/** Among the samples with `given` set, the fraction with `correct` set (AR's conditioning on clean-correct). */
export function conditionalAccuracy(correct: Uint8Array, given: Uint8Array): number {
  let n = 0, k = 0;
  for (let i = 0; i < correct.length; i++) if (given[i]) { n++; k += correct[i] & 1; }
  return n === 0 ? NaN : k / n;
}

/**
 * From stored per-sample records: `correct` maps condition → (sample id → classified correctly), `clean` the same for
 * the clean condition, `budgetOf` groups conditions by budget (undefined = not part of a worst case). Per budget, the
 * worst case over its conditions on the samples present under all of them (and clean).
 */
export function worstCaseByBudget(
  correct: ReadonlyMap<string, ReadonlyMap<string, boolean>>, clean: ReadonlyMap<string, boolean>, budgetOf: (condition: string) => string | undefined,
): Record<string, WorstCase> {
  const groups = new Map<string, string[]>();
  for (const name of correct.keys()) {
    const budget = budgetOf(name);
    if (budget !== undefined) groups.set(budget, [...(groups.get(budget) ?? []), name]);
  }
  const out: Record<string, WorstCase> = {};
  for (const [budget, names] of groups) {
    const maps = names.map((n) => correct.get(n)!);
    const ids = [...maps[0].keys()].filter((id) => clean.has(id) && maps.every((m) => m.has(id)));
    out[budget] = worstCaseRobustness(maps.map((m) => Uint8Array.from(ids, (id) => (m.get(id) ? 1 : 0))), Uint8Array.from(ids, (id) => (clean.get(id) ? 1 : 0)));
  }
  return out;
}

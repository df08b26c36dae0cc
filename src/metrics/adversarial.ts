// Adversarial metrics (../shared/spec/metrics.md, "Adversarial"): AR per attack and ε, WCAR over an attack set,
// attack success rate, median perturbation norm of minimum-norm attacks, and queries per success of black-box attacks.
// All take per-sample flags, so every summary can be recomputed from the stored per-sample records.

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
  /** AR: fraction of all evaluated samples still classified correctly under the attack. */
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

/**
 * WCAR: a sample counts as robust only if it is correctly classified under every attack of the set (per-sample AND),
 * i.e. accuracy against the strongest attack for each sample.
 */
export function worstCaseRobustness(robustPerAttack: readonly Uint8Array[]): { wcar: number; robust: Uint8Array } {
  if (robustPerAttack.length === 0) throw new Error('WCAR needs at least one attack');
  const robust = robustPerAttack[0].slice();
  for (const r of robustPerAttack.slice(1)) for (let i = 0; i < robust.length; i++) robust[i] &= r[i];
  return { wcar: accuracy(robust), robust };
}

/**
 * WCAR per budget from stored per-sample records: `correct` maps condition name → (sample id → classified correctly),
 * `budgetOf` groups condition names by budget (undefined = not an attack condition). Only samples present under every
 * condition of a budget count.
 */
export function worstCaseByBudget(
  correct: ReadonlyMap<string, ReadonlyMap<string, boolean>>, budgetOf: (condition: string) => string | undefined,
): Record<string, number> {
  const groups = new Map<string, string[]>();
  for (const name of correct.keys()) {
    const budget = budgetOf(name);
    if (budget !== undefined) groups.set(budget, [...(groups.get(budget) ?? []), name]);
  }
  const out: Record<string, number> = {};
  for (const [budget, names] of groups) {
    const maps = names.map((n) => correct.get(n)!);
    const ids = [...maps[0].keys()].filter((id) => maps.every((m) => m.has(id)));
    const robust = Uint8Array.from(ids, (id) => (maps.every((m) => m.get(id)) ? 1 : 0));
    out[budget] = accuracy(robust);
  }
  return out;
}

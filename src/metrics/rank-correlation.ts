// Rank correlations with their two-sided p-values, as scipy.stats defines them (scipy 1.10, _stats_py.py):
// spearmanr is Pearson's r of average ranks with a Student t test on n − 2 degrees of freedom; kendalltau's
// default variant is tau-b with method 'auto' (exact null distribution without ties when n ≤ 33 or the pairs are
// almost all concordant or discordant, else the normal approximation with the tie-corrected variance).
import { normalTwoSided, studentTTwoSided } from './distributions.js';

export interface RankCorrelation {
  /** Pairs (x, y) with both values present. */
  readonly n: number;
  /** The coefficient; null when n < 2 or either variable is constant. */
  readonly coefficient: number | null;
  /** Two-sided p-value against no association; null when the coefficient is, or n is too small for the test. */
  readonly pValue: number | null;
}

/** Ranks 1…n with ties given the mean of the ranks they span (scipy's rankdata method 'average'). */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    const rank = (start + 1 + end) / 2; // mean of ranks start+1 … end
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

/** The pairs where both x and y are finite numbers. */
function presentPairs(x: readonly (number | null)[], y: readonly (number | null)[]): [number[], number[]] {
  if (x.length !== y.length) throw new Error(`rank correlation of ${x.length} and ${y.length} values: the lengths must agree`);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const b = y[i];
    if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b)) continue;
    xs.push(a);
    ys.push(b);
  }
  return [xs, ys];
}

function pearson(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  if (sxx === 0 || syy === 0) return null;
  return Math.min(1, Math.max(-1, sxy / Math.sqrt(sxx * syy)));
}

/** Spearman's rho over the pairs where both values are present (null and non-finite entries are left out). */
export function spearman(x: readonly (number | null)[], y: readonly (number | null)[]): RankCorrelation {
  const [xs, ys] = presentPairs(x, y);
  const n = xs.length;
  const rho = n < 2 ? null : pearson(averageRanks(xs), averageRanks(ys));
  if (rho === null || n < 3) return { n, coefficient: rho, pValue: null };
  const df = n - 2;
  const t = rho * Math.sqrt(df / ((rho + 1) * (1 - rho)));
  return { n, coefficient: rho, pValue: studentTTwoSided(t, df) };
}

/** Sizes of the groups of equal values with two or more members. */
function tieGroups(values: readonly number[]): number[] {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.values()].filter((t) => t > 1);
}

const sumOver = (groups: readonly number[], f: (t: number) => number) => groups.reduce((sum, t) => sum + f(t), 0);

/**
 * P(K ≤ c) for K the number of inversions of a uniformly random permutation of n items (Kendall's exact null
 * distribution of discordant pairs without ties), by the recurrence of the Mahonian numbers, scaled by 1/j per
 * item added so that large n stays in range.
 */
export function inversionCdf(n: number, c: number): number {
  let dist = [1]; // distribution of inversions over permutations of 1 item
  for (let j = 2; j <= n; j++) {
    // Inserting the j-th item adds 0 … j−1 inversions, each with probability 1/j; only counts ≤ c matter.
    const next = new Array<number>(Math.min(c, dist.length - 1 + j - 1) + 1).fill(0);
    for (let k = 0; k < dist.length; k++) {
      if (dist[k] === 0) continue;
      for (let add = 0; add < j && k + add < next.length; add++) next[k + add] += dist[k] / j;
    }
    dist = next;
  }
  return Math.min(1, dist.reduce((s, p) => s + p, 0));
}

/**
 * Pairs ordered one way in x and strictly the other way in y, in O(n log n) (Knight 1966): with the pairs sorted
 * by x then y, the strict inversions of the y sequence, counted by merge sort. Pairs tied in x are sorted by y, so
 * they add none.
 */
function strictInversions(sequence: Float64Array): number {
  let values: Float64Array = sequence;
  let buffer: Float64Array = new Float64Array(values.length);
  let inversions = 0;
  for (let width = 1; width < values.length; width *= 2) {
    for (let start = 0; start < values.length; start += 2 * width) {
      const mid = Math.min(start + width, values.length);
      const end = Math.min(start + 2 * width, values.length);
      let i = start;
      let j = mid;
      let k = start;
      while (i < mid && j < end) {
        if (values[j] < values[i]) {
          inversions += mid - i; // values[j] is below every value left in the left half
          buffer[k++] = values[j++];
        } else buffer[k++] = values[i++];
      }
      while (i < mid) buffer[k++] = values[i++];
      while (j < end) buffer[k++] = values[j++];
    }
    [values, buffer] = [buffer, values];
  }
  return inversions;
}

/** Σ t(t−1)/2 over runs of equal keys in a sorted order: the pairs tied in that key. */
function tiedPairsInRuns(order: readonly number[], same: (a: number, b: number) => boolean): number {
  let pairs = 0;
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && same(order[start], order[end])) end++;
    pairs += ((end - start) * (end - start - 1)) / 2;
    start = end;
  }
  return pairs;
}

/** Kendall's tau-b over the pairs where both values are present, with scipy's default ('auto') p-value. */
export function kendallTauB(x: readonly (number | null)[], y: readonly (number | null)[]): RankCorrelation {
  const [xs, ys] = presentPairs(x, y);
  const n = xs.length;
  const total = (n * (n - 1)) / 2;
  const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b] || ys[a] - ys[b]);
  const discordant = strictInversions(Float64Array.from(order, (i) => ys[i]));
  const xTies = tiedPairsInRuns(order, (a, b) => xs[a] === xs[b]);
  const jointTies = tiedPairsInRuns(order, (a, b) => xs[a] === xs[b] && ys[a] === ys[b]);
  const yGroups = tieGroups(ys);
  const yTies = sumOver(yGroups, (t) => (t * (t - 1)) / 2);
  // Every pair is concordant, discordant, tied in x, tied in y, or tied in both (counted in both tie sums).
  const concordant = total - discordant - xTies - yTies + jointTies;
  if (n < 2 || xTies === total || yTies === total) return { n, coefficient: null, pValue: null };
  const tau = Math.min(1, Math.max(-1, (concordant - discordant) / Math.sqrt((total - xTies) * (total - yTies))));
  const c = Math.min(discordant, total - discordant);
  if (xTies === 0 && yTies === 0 && (n <= 33 || c <= 1)) {
    // Exact: twice the lower tail of the inversion count (scipy's _kendall_p_exact, two-sided).
    return { n, coefficient: tau, pValue: 4 * c === n * (n - 1) ? 1 : Math.min(1, 2 * inversionCdf(n, c)) };
  }
  // Normal approximation of concordant − discordant with the tie-corrected variance (Kendall 1970, as scipy).
  const m = n * (n - 1);
  const xGroups = tieGroups(xs);
  const x0 = sumOver(xGroups, (t) => t * (t - 1) * (t - 2));
  const y0 = sumOver(yGroups, (t) => t * (t - 1) * (t - 2));
  const x1 = sumOver(xGroups, (t) => t * (t - 1) * (2 * t + 5));
  const y1 = sumOver(yGroups, (t) => t * (t - 1) * (2 * t + 5));
  const variance = (m * (2 * n + 5) - x1 - y1) / 18 + (2 * xTies * yTies) / m + (n > 2 ? (x0 * y0) / (9 * m * (n - 2)) : 0);
  return { n, coefficient: tau, pValue: variance > 0 ? normalTwoSided((concordant - discordant) / Math.sqrt(variance)) : null };
}

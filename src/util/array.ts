// Extremes of number arrays by a loop: Math.max(...values) passes every element as an argument and overflows the
// call stack beyond roughly 100k elements (CSV manifests, per-pixel maps).

/** The largest value (-Infinity for none; NaN if any is NaN, as Math.max). */
export function maxOf(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) return NaN;
    if (v > max) max = v;
  }
  return max;
}

/** The smallest value (Infinity for none; NaN if any is NaN, as Math.min). */
export function minOf(values: ArrayLike<number>): number {
  let min = Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) return NaN;
    if (v < min) min = v;
  }
  return min;
}

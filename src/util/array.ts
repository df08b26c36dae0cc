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

/**
 * √(Σ v²) without overflow, equal bit for bit to Math.hypot(...values), which overflows the call stack the same way
 * beyond roughly 100k elements (one 224×224 RGB image has 150,528). V8's algorithm (builtins/math.tq, MathHypot):
 * scale by the largest magnitude, Kahan-sum the squares, multiply back.
 */
export function hypotOf(values: ArrayLike<number>): number {
  let max = 0, nan = false;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]);
    if (Number.isNaN(a)) nan = true;
    else if (a > max) max = a;
  }
  if (max === Infinity) return Infinity;
  if (nan) return NaN;
  if (max === 0) return 0;
  let sum = 0, compensation = 0;
  for (let i = 0; i < values.length; i++) {
    const n = Math.abs(values[i]) / max;
    const summand = n * n - compensation;
    const next = sum + summand;
    compensation = next - sum - summand;
    sum = next;
  }
  return Math.sqrt(sum) * max;
}

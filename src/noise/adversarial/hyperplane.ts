// Minimal-Lp step onto a hyperplane inside a box: argmin ‖δ‖_p s.t. w·δ = c and lo ≤ δ ≤ hi (FAB's projection, Croce & Hein 2020).
// L2: δ = clip(λw, lo, hi) with λ found by bisection (the KKT form); L∞: δ_i = clip(t·sign(c·w_i), lo_i, hi_i) with the smallest t;
// L1: fill the coordinates with the largest |w_i| first (a fractional knapsack). When no δ in the box reaches the plane,
// the box point that gets closest is returned.
import type { Norm } from './threat.js';

export function projectOntoHyperplane(w: Float32Array, c: number, lo: Float32Array, hi: Float32Array, norm: Norm): Float32Array {
  const n = w.length;
  const s = c >= 0 ? 1 : -1;
  const target = Math.abs(c);
  // In the "s" orientation the problem is: reach s·w·δ = |c| moving each δ_i towards sign(s·w_i) within its box side.
  const room = (i: number) => (s * w[i] > 0 ? hi[i] : -lo[i]);
  const delta = new Float32Array(n);
  if (target === 0) return delta;
  if (norm === 'l1') {
    const order = Array.from({ length: n }, (_, i) => i).filter((i) => w[i] !== 0).sort((a, b) => Math.abs(w[b]) - Math.abs(w[a]));
    let remaining = target;
    for (const i of order) {
      const step = Math.min(room(i), remaining / Math.abs(w[i]));
      delta[i] = Math.sign(s * w[i]) * step;
      remaining -= step * Math.abs(w[i]);
      if (remaining <= 0) break;
    }
    return delta;
  }
  const at = (t: number): number => {
    let reach = 0;
    for (let i = 0; i < n; i++) {
      const a = s * w[i];
      if (a === 0) continue;
      const magnitude = norm === 'l2' ? t * Math.abs(a) : t;
      reach += Math.abs(a) * Math.min(room(i), magnitude);
    }
    return reach;
  };
  let high = norm === 'l2' ? target / (w.reduce((acc, v) => acc + v * v, 0) + 1e-30) : 1;
  for (let k = 0; k < 60 && at(high) < target; k++) high *= 2;
  let low = 0;
  for (let k = 0; k < 50; k++) {
    const mid = (low + high) / 2;
    if (at(mid) < target) low = mid;
    else high = mid;
  }
  for (let i = 0; i < n; i++) {
    const a = s * w[i];
    if (a === 0) continue;
    const magnitude = norm === 'l2' ? high * Math.abs(a) : high;
    delta[i] = Math.sign(a) * Math.min(room(i), magnitude);
  }
  return delta;
}

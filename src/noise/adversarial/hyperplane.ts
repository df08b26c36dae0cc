// Minimal-Lp step onto a hyperplane inside a box: argmin ‖δ‖_p s.t. w·δ = c and lo ≤ δ ≤ hi (FAB's projection, Croce & Hein 2020).
// L2: δ = clip(λw, lo, hi) with λ found by bisection (the KKT form); L∞: δ_i = clip(t·sign(c·w_i), lo_i, hi_i) with the smallest t;
// L1: fill the coordinates with the largest |w_i| first (a fractional knapsack). When no δ in the box reaches the plane,
// the box point that gets closest is returned.
import type { Norm } from './threat.js';
import { scratch } from '../../util/scratch.js';

/** Bisection steps for t (L∞) and λ (L2), after doubling the upper bound at most this often. */
const BISECTION_STEPS = 50;
const DOUBLINGS = 60;

/** δ, written into `out` (same length as w) where given: FAB projects twice per image and step. */
export function projectOntoHyperplane(w: Float32Array, c: number, lo: Float32Array, hi: Float32Array, norm: Norm, out?: Float32Array): Float32Array {
  const n = w.length;
  const s = c >= 0 ? 1 : -1;
  const target = Math.abs(c);
  // In the "s" orientation the problem is: reach s·w·δ = |c| moving each δ_i towards sign(s·w_i) within its box side.
  const room = (i: number) => (s * w[i] > 0 ? hi[i] : -lo[i]);
  const delta = out ? out.fill(0) : new Float32Array(n);
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
  // The coordinates that move (w_i ≠ 0), in order, with |w_i| and their room as doubles: the bisection evaluates the
  // reach about a hundred times over the whole image, so each evaluation is one tight loop over two arrays. The sum
  // runs over the same coordinates in the same order as the direct form, so every reach, and t, is the same number.
  // The three arrays die here, so they are work buffers kept from call to call (no await in between).
  const moving = scratch('hyperplane moving', Int32Array, n), weight = scratch('hyperplane weight', Float64Array, n), rooms = scratch('hyperplane room', Float64Array, n);
  let m = 0;
  let squared = 0;
  for (let i = 0; i < n; i++) {
    squared += w[i] * w[i];
    const a = s * w[i];
    if (a === 0) continue;
    moving[m] = i;
    weight[m] = Math.abs(a);
    rooms[m] = a > 0 ? hi[i] : -lo[i];
    m++;
  }
  const at = norm === 'l2' ? (t: number) => reachL2(weight, rooms, m, t) : (t: number) => reachLinf(weight, rooms, m, t);
  let high = norm === 'l2' ? target / (squared + 1e-30) : 1;
  for (let k = 0; k < DOUBLINGS && at(high) < target; k++) high *= 2;
  let low = 0;
  for (let k = 0; k < BISECTION_STEPS; k++) {
    const mid = (low + high) / 2;
    if (at(mid) < target) low = mid;
    else high = mid;
  }
  for (let k = 0; k < m; k++) {
    const i = moving[k];
    const magnitude = norm === 'l2' ? high * weight[k] : high;
    delta[i] = Math.sign(s * w[i]) * Math.min(rooms[k], magnitude);
  }
  return delta;
}

/** Σ |w_i|·min(room_i, t): how far along w a step of L∞ size t gets. */
function reachLinf(weight: Float64Array, rooms: Float64Array, m: number, t: number): number {
  let reach = 0;
  for (let k = 0; k < m; k++) reach += weight[k] * Math.min(rooms[k], t);
  return reach;
}

/** Σ |w_i|·min(room_i, λ|w_i|): how far along w the clipped step λw gets. */
function reachL2(weight: Float64Array, rooms: Float64Array, m: number, t: number): number {
  let reach = 0;
  for (let k = 0; k < m; k++) reach += weight[k] * Math.min(rooms[k], t * weight[k]);
  return reach;
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../util/rng.js';
import { projectOntoHyperplane } from './hyperplane.js';
import { lpNorm, type Norm } from './threat.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

test('without active box constraints the projection is the closed-form minimal-norm step', () => {
  const w = Float32Array.of(3, -4, 0, 1);
  const lo = new Float32Array(4).fill(-100), hi = new Float32Array(4).fill(100);
  const l2 = projectOntoHyperplane(w, 2, lo, hi, 'l2');
  w.forEach((v, i) => assert.ok(Math.abs(l2[i] - (2 * v) / 26) < 1e-5));
  const linf = projectOntoHyperplane(w, 2, lo, hi, 'linf');
  w.forEach((v, i) => assert.ok(Math.abs(linf[i] - (v === 0 ? 0 : (Math.sign(v) * 2) / 8)) < 1e-5));
  const l1 = projectOntoHyperplane(w, -2, lo, hi, 'l1');
  assert.deepEqual(Array.from(l1).map((v) => +v.toFixed(5)), [0, 0.5, 0, 0]);
});

test('box-constrained projections reach the plane inside the box and beat random feasible points', () => {
  const rng = new Rng(8);
  for (const norm of ['l2', 'linf', 'l1'] as Norm[]) {
    for (let t = 0; t < 10; t++) {
      const n = 12;
      const w = Float32Array.from({ length: n }, () => rng.normal());
      const x = Float32Array.from({ length: n }, () => rng.uniform());
      const lo = x.map((v) => -v), hi = x.map((v) => 1 - v);
      const c = rng.normal(0, 0.5);
      const d = projectOntoHyperplane(w, c, lo, hi, norm);
      d.forEach((v, i) => assert.ok(v >= lo[i] - 1e-6 && v <= hi[i] + 1e-6));
      assert.ok(Math.abs(dot(w, d) - c) < 1e-4, `${norm}: w·δ = ${dot(w, d)} ≠ ${c}`);
      // Random box points moved onto the plane along a coordinate never do better.
      for (let k = 0; k < 50; k++) {
        const q = Float32Array.from({ length: n }, (_, i) => rng.uniformIn(lo[i], hi[i]) * 0.3);
        const j = rng.int(n);
        q[j] += (c - dot(w, q)) / w[j];
        if (q[j] < lo[j] || q[j] > hi[j]) continue;
        assert.ok(lpNorm(d, 0, n, norm) <= lpNorm(q, 0, n, norm) + 1e-5);
      }
    }
  }
});

/** The projection's direct form, as FAB's reference states it: every reach a sum over all coordinates with w_i ≠ 0. */
function directProjection(w: Float32Array, c: number, lo: Float32Array, hi: Float32Array, norm: 'l2' | 'linf'): Float32Array {
  const s = c >= 0 ? 1 : -1, target = Math.abs(c);
  const room = (i: number) => (s * w[i] > 0 ? hi[i] : -lo[i]);
  const delta = new Float32Array(w.length);
  if (target === 0) return delta;
  const at = (t: number) => w.reduce((reach, v, i) => (s * v === 0 ? reach : reach + Math.abs(s * v) * Math.min(room(i), norm === 'l2' ? t * Math.abs(s * v) : t)), 0);
  let high = norm === 'l2' ? target / (w.reduce((acc, v) => acc + v * v, 0) + 1e-30) : 1;
  for (let k = 0; k < 60 && at(high) < target; k++) high *= 2;
  let low = 0;
  for (let k = 0; k < 50; k++) {
    const mid = (low + high) / 2;
    if (at(mid) < target) low = mid;
    else high = mid;
  }
  w.forEach((v, i) => { if (s * v !== 0) delta[i] = Math.sign(s * v) * Math.min(room(i), norm === 'l2' ? high * Math.abs(s * v) : high); });
  return delta;
}

test('L∞ and L2 projections equal the direct form bit for bit (zeros in w, points on the box faces, planes out of reach)', () => {
  const rng = new Rng(31);
  for (const norm of ['l2', 'linf'] as const) {
    for (let t = 0; t < 12; t++) {
      const n = 3000;
      const w = Float32Array.from({ length: n }, () => (rng.uniform() < 0.1 ? 0 : rng.normal()));
      const x = Float32Array.from({ length: n }, () => (rng.uniform() < 0.1 ? rng.int(2) : rng.uniform()));
      const lo = x.map((v) => -v), hi = x.map((v) => 1 - v);
      const c = t === 11 ? 1e6 : rng.normal(0, 10) * (t % 3);
      assert.deepEqual(projectOntoHyperplane(w, c, lo, hi, norm), directProjection(w, c, lo, hi, norm), `${norm}, plane ${t}`);
    }
  }
});

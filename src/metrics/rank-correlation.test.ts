import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../util/rng.js';
import { averageRanks, inversionCdf, kendallTauB, spearman } from './rank-correlation.js';

// Reference values: scipy 1.10.1 (Debian's python3-scipy), printed by tools/rank-correlation-reference.py.
const close = (actual: number | null, expected: number, relative = 1e-9, what = '') => {
  assert.ok(actual !== null, `${what}: got null`);
  assert.ok(Math.abs(actual - expected) <= relative * Math.abs(expected) + 1e-15, `${what}: ${actual} vs ${expected}`);
};

test('average ranks give tied values the mean of the ranks they span (scipy rankdata "average")', () => {
  assert.deepEqual(averageRanks([5, 6, 7, 8, 7]), [1, 2, 3.5, 5, 3.5]);
  assert.deepEqual(averageRanks([3, 3, 3, 1]), [3, 3, 3, 1]);
  assert.deepEqual(averageRanks([]), []);
});

test('Spearman and Kendall tau-b with a tie, computed by hand and by scipy', () => {
  const x = [1, 2, 3, 4, 5];
  const y = [5, 6, 7, 8, 7];
  // By hand: y ranks [1, 2, 3.5, 5, 3.5]; deviations from 3: x [-2,-1,0,1,2], y [-2,-1,.5,2,.5];
  // Σdxdy = 8, Σdx² = 10, Σdy² = 9.5: rho = 8 / √95.
  const s = spearman(x, y);
  close(s.coefficient, 8 / Math.sqrt(95), 1e-12, 'rho');
  close(s.pValue, 0.08858700531354381, 1e-9, 'spearman p');
  assert.equal(s.n, 5);
  // By hand: 10 pairs, 8 concordant, 1 discordant (8 > 7 at positions 4, 5), one pair tied in y: tau-b = 7 / √(10·9).
  const k = kendallTauB(x, y);
  close(k.coefficient, 7 / Math.sqrt(90), 1e-12, 'tau');
  close(k.pValue, 0.07697417298126674, 1e-9, 'kendall p (asymptotic: ties)');
});

test('Kendall without ties at n ≤ 33 takes the exact null distribution', () => {
  const x = [1, 2, 3, 4, 5, 6];
  const y = [2, 1, 4, 3, 6, 5];
  const k = kendallTauB(x, y);
  // By hand: 3 discordant pairs of 15, tau = 9/15; p = 2 · P(K ≤ 3) = 2 · (1 + 5 + 14 + 29) / 6! (Mahonian numbers).
  close(k.coefficient, 0.6, 1e-12, 'tau');
  close(k.pValue, (2 * 49) / 720, 1e-12, 'kendall exact p');
  close(k.pValue, 0.1361111111111111, 1e-12, 'kendall p (scipy)');
  close(spearman(x, y).coefficient, 0.8285714285714287, 1e-12, 'rho');
  close(spearman(x, y).pValue, 0.04156268221574334, 1e-9, 'spearman p');
  close(inversionCdf(4, 6), 1, 1e-12, 'the whole distribution');
  close(inversionCdf(4, 1), 4 / 24, 1e-12, 'one inversion or none of 4 items');
});

test('rank correlations match scipy with ties in both variables and on the asymptotic paths', () => {
  const cases: [string, number[], number[], [number, number], [number, number]][] = [
    ['ties-both', [1, 1, 2, 2, 3, 3, 3, 4], [10, 12, 11, 15, 13, 13, 20, 19], [0.7457013045372174, 0.033670042246196526], [0.6019292654288461, 0.050535883562606895]],
    ['no-ties-asymptotic', Array.from({ length: 40 }, (_, i) => i), Array.from({ length: 40 }, (_, i) => (7 * i) % 41), [0.21482176360225144, 0.18313239882412619], [0.2076923076923077, 0.059097460390642065]],
    ['near-perfect-n40', Array.from({ length: 40 }, (_, i) => i), [1, 0, ...Array.from({ length: 38 }, (_, i) => i + 2)], [0.9998123827392121, 1.0477258152676955e-66], [0.9974358974358974, 9.804939513027087e-47]],
  ];
  for (const [name, x, y, [rho, rhoP], [tau, tauP]] of cases) {
    const s = spearman(x, y);
    const k = kendallTauB(x, y);
    close(s.coefficient, rho, 1e-12, `${name} rho`);
    close(s.pValue, rhoP, 1e-7, `${name} spearman p`);
    close(k.coefficient, tau, 1e-12, `${name} tau`);
    close(k.pValue, tauP, 1e-7, `${name} kendall p`);
  }
});

test('missing values are left out pairwise; constant or too short inputs give null, not NaN', () => {
  const s = spearman([1, null, 3, 4, Number.NaN], [2, 5, null, 8, 1]);
  assert.equal(s.n, 2);
  assert.equal(s.coefficient, 1);
  assert.equal(s.pValue, null);
  assert.deepEqual(spearman([1, 1, 1], [1, 2, 3]), { n: 3, coefficient: null, pValue: null });
  assert.deepEqual(kendallTauB([1, 1, 1], [1, 2, 3]), { n: 3, coefficient: null, pValue: null });
  assert.deepEqual(kendallTauB([], []), { n: 0, coefficient: null, pValue: null });
  assert.equal(spearman([1, 2, 3], [3, 2, 1]).pValue, 0);
  assert.throws(() => spearman([1], [1, 2]), /lengths must agree/);
});

test('Kendall tau-b counts pairs as a direct count over all pairs does, with many ties', () => {
  const rng = new Rng(5);
  for (const n of [2, 3, 17, 60]) {
    const x = Array.from({ length: n }, () => rng.int(4));
    const y = Array.from({ length: n }, () => rng.int(6));
    let score = 0;
    let xTied = 0;
    let yTied = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        score += Math.sign(x[i] - x[j]) * Math.sign(y[i] - y[j]);
        if (x[i] === x[j]) xTied++;
        if (y[i] === y[j]) yTied++;
      }
    }
    const total = (n * (n - 1)) / 2;
    const expected = xTied === total || yTied === total ? null : score / Math.sqrt((total - xTied) * (total - yTied));
    const tau = kendallTauB(x, y).coefficient;
    assert.ok(expected === null ? tau === null : Math.abs(tau! - expected) < 1e-12, `n ${n}: ${tau} vs ${expected}`);
  }
});

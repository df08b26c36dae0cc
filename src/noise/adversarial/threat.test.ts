import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../util/rng.js';
import { RobustartError } from '../../errors.js';
import { lpNorm, parseEpsilon, parseNorm, perturbationNorms, projectPerturbation, projectToThreat, randomPerturbation, type Norm } from './threat.js';

test('epsilon parses numbers and fractions of 255', () => {
  assert.equal(parseEpsilon('4/255'), 4 / 255);
  assert.equal(parseEpsilon('0.5'), 0.5);
  assert.equal(parseEpsilon(0.25), 0.25);
  assert.throws(() => parseEpsilon('abc'), RobustartError);
  assert.throws(() => parseEpsilon('-1'), RobustartError);
  assert.equal(parseNorm('Linf'), 'linf');
  assert.equal(parseNorm('L2'), 'l2');
  assert.throws(() => parseNorm('l3'), RobustartError);
});

test('ball projections land on the ball and leave interior points alone', () => {
  const rng = new Rng(3);
  for (const norm of ['linf', 'l2', 'l1'] as Norm[]) {
    for (let trial = 0; trial < 20; trial++) {
      const delta = Float32Array.from({ length: 50 }, () => rng.normal(0, 1));
      const eps = 0.5;
      projectPerturbation(delta, 0, 50, norm, eps);
      assert.ok(lpNorm(delta, 0, 50, norm) <= eps + 1e-5);
      const inside = Float32Array.from({ length: 50 }, () => rng.normal(0, 1e-4));
      const copy = inside.slice();
      projectPerturbation(inside, 0, 50, norm, eps);
      assert.deepEqual(inside, copy);
    }
  }
});

test('L1 projection is the Euclidean projection: it beats random feasible points in distance', () => {
  const rng = new Rng(5);
  const v = Float32Array.from({ length: 12 }, () => rng.normal(0, 1));
  const p = v.slice();
  projectPerturbation(p, 0, 12, 'l1', 1);
  assert.ok(Math.abs(lpNorm(p, 0, 12, 'l1') - 1) < 1e-5);
  const dist = (a: Float32Array) => Math.hypot(...a.map((x, i) => x - v[i]));
  for (let t = 0; t < 200; t++) {
    const q = randomPerturbation(12, 'l1', 1, rng);
    assert.ok(dist(p) <= dist(q) + 1e-6);
  }
});

test('threat projection respects both the ball and the [0,1] box', () => {
  const rng = new Rng(9);
  const batch = 4, size = 30;
  const clean = Float32Array.from({ length: batch * size }, () => rng.uniform());
  for (const [norm, eps] of [['linf', 0.1], ['l2', 0.5], ['l1', 2]] as [Norm, number][]) {
    const adv = clean.map((v) => v + rng.normal(0, 1));
    projectToThreat(clean, adv, batch, norm, eps);
    for (const v of adv) assert.ok(v >= 0 && v <= 1);
    for (const n of perturbationNorms(clean, adv, batch, norm)) assert.ok(n <= eps + 1e-5);
  }
});

test('random starts lie inside the ball', () => {
  const rng = new Rng(1);
  for (const norm of ['linf', 'l2', 'l1'] as Norm[]) {
    for (let t = 0; t < 20; t++) assert.ok(lpNorm(randomPerturbation(40, norm, 0.3, rng), 0, 40, norm) <= 0.3 + 1e-6);
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logGamma, normalTwoSided, regularizedBeta, studentTTwoSided } from './distributions.js';

// Reference values: scipy 1.10.1 (Debian's python3-scipy), printed by tools/rank-correlation-reference.py.
const close = (actual: number, expected: number, relative: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= relative * Math.abs(expected), `${what}: ${actual} vs ${expected}`);

test('tail probabilities of t and the normal match scipy', () => {
  close(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-13, 'lnΓ(1/2)');
  close(logGamma(5), Math.log(24), 1e-13, 'lnΓ(5)');
  close(regularizedBeta(0.5, 2, 2), 0.5, 1e-13, 'I_.5(2,2)');
  close(regularizedBeta(0.3, 1, 1), 0.3, 1e-13, 'I_x(1,1) = x');
  close(studentTTwoSided(2.1, 5), 0.08975324988459868, 1e-10, 't 2.1/5');
  close(studentTTwoSided(0.3, 30), 0.7662461052843528, 1e-10, 't 0.3/30');
  close(studentTTwoSided(8, 3), 0.004076577587785467, 1e-10, 't 8/3');
  close(normalTwoSided(1.96), 0.04999579029644087, 1e-10, 'z 1.96');
  close(normalTwoSided(0.1), 0.920344325445942, 1e-10, 'z 0.1');
  close(normalTwoSided(5), 5.733031437583866e-7, 1e-9, 'z 5');
  assert.equal(normalTwoSided(Number.POSITIVE_INFINITY), 0);
});

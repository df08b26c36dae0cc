import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RobustartError } from '../errors.js';
import { flag } from './_timing.js';

test('a bench flag gives its number, its default when absent, and a one-line error naming it when not a number', () => {
  assert.equal(flag(['--batch', '8'], 'batch', 32), 8);
  assert.equal(flag(['--runs', '3'], 'batch', 32), 32);
  assert.equal(flag(['--batch'], 'batch', 32), 32);
  for (const bad of ['zero', '', 'Infinity']) {
    assert.throws(() => flag(['--batch', bad], 'batch', 32), (err: unknown) => err instanceof RobustartError && /^--batch .* is not a number; pass one, e\.g\. --batch 32$/.test(err.message));
  }
});

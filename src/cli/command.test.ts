import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOutputPath, parseCommandArgs, type Command } from './command.js';
import { MAX_SEED } from '../util/rng.js';

const command: Command = {
  name: 'probe',
  summary: '',
  usage: '',
  options: { limit: { type: 'string' }, seed: { type: 'string' }, workers: { type: 'string' }, eps: { type: 'string' }, norm: { type: 'string' }, attack: { type: 'string' }, json: { type: 'boolean' } },
  run: async () => {},
};
const parse = (...argv: string[]) => parseCommandArgs(command, argv).values as Record<string, unknown>;

test('a negative number after a flag is its value, and the range check names it', () => {
  assert.throws(() => parse('--limit', '-1'), /--limit -1 is not a valid integer >= 1/);
  assert.throws(() => parse('--workers', '-2'), /--workers -2 is not a valid integer >= 0/);
  assert.equal(parse('--workers', '0').workers, '0');
  // A flag after a boolean is still a flag.
  assert.throws(() => parse('--json', '-1'), /unknown flag|Unexpected argument/);
});

test('seeds are the generator\'s 32-bit range', () => {
  assert.equal(MAX_SEED, 2 ** 32 - 1);
  assert.equal(parse('--seed', String(MAX_SEED)).seed, String(MAX_SEED));
  assert.throws(() => parse('--seed', '1e300'), /--seed 1e300 is not a valid integer in 0\.\.4294967295/);
  assert.throws(() => parse('--seed', '-1'), /--seed -1/);
});

test('--eps: non-negative, and at most 1 when the budget is L∞ (explicit, or the attack\'s default norm)', () => {
  assert.throws(() => parse('--eps', '8', '--norm', 'linf'), /--eps 8 is above 1: an L∞ budget is in \[0,1\] pixel units/);
  assert.throws(() => parse('--eps', '4/255,2', '--attack', 'pgd'), /--eps 2 is above 1/);
  assert.throws(() => parse('--eps', '-0.1'), /--eps -0\.1 is not a non-negative number/);
  assert.equal(parse('--eps', '8', '--norm', 'l2').eps, '8');
  assert.equal(parse('--eps', '8/255', '--attack', 'pgd').eps, '8/255');
});

test('an output path must be in a folder that exists and not be a folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'robustart-out-'));
  assert.equal(checkOutputPath(join(dir, 'x.csv')), join(dir, 'x.csv'));
  assert.throws(() => checkOutputPath(join(dir, 'none', 'x.csv')), /cannot write .*x\.csv: the folder .*none does not exist; create it first/);
  assert.throws(() => checkOutputPath(dir), /is a directory; give a file path/);
});

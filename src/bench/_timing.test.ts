import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RobustartError } from '../errors.js';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { flag, given, list, option } from './_timing.js';

test('a bench flag gives its number, its default when absent, and a one-line error naming it when not a number', () => {
  assert.equal(flag(['--batch', '8'], 'batch', 32), 8);
  assert.equal(flag(['--runs', '3'], 'batch', 32), 32);
  assert.equal(flag(['--batch'], 'batch', 32), 32);
  for (const bad of ['zero', '', 'Infinity']) {
    assert.throws(() => flag(['--batch', bad], 'batch', 32), (err: unknown) => err instanceof RobustartError && /^--batch .* is not a number; pass one, e\.g\. --batch 32$/.test(err.message));
  }
});

test('a bench flag reads --name=value as --name value (node parseArgs takes both), and no flag that only starts with the name', () => {
  assert.equal(flag(['--batch=8'], 'batch', 32), 8);
  assert.equal(flag(['--warmups=-3'], 'warmups', 30), -3);
  assert.equal(flag(['--batch-size=4', '--batch-size', '4'], 'batch', 32), 32);
  assert.equal(option(['--models=resnet18,vit-s16'], 'models', 'resnet50'), 'resnet18,vit-s16');
  assert.equal(option(['--eps=a=b'], 'eps', '4/255'), 'a=b');
  assert.equal(option(['--layers='], 'layers', 'all'), '');
  assert.equal(option(['--models', 'x', '--models=y'], 'models', 'resnet50'), 'x', 'the first given, as with --name value twice');
  assert.throws(() => flag(['--batch=eight'], 'batch', 32), (err: unknown) => err instanceof RobustartError && err.message === '--batch eight is not a number; pass one, e.g. --batch 32');
  assert.throws(() => flag(['--batch='], 'batch', 32), RobustartError);
  assert.deepEqual(['--workers', '--workers=2', '--workers-max=2', '--worker'].map((a) => given([a], 'workers')), [true, true, false, false]);
});

test('a bench list flag splits at commas in either form, and gives its fallback when absent or empty', () => {
  assert.deepEqual(list(['--models', 'a,b'], 'models', ['x']), ['a', 'b']);
  assert.deepEqual(list(['--models=a'], 'models', ['x']), ['a']);
  assert.deepEqual(list(['--models='], 'models', ['x']), ['x']);
  assert.deepEqual(list([], 'models', ['x', 'y']), ['x', 'y']);
});

test('bench input errors are one line with exit 2: a flag node refuses, --layers naming no layer, a missing model file', () => {
  const bench = (args: string[]) => spawnSync(process.execPath, [fileURLToPath(new URL('./main.js', import.meta.url)), ...args], { encoding: 'utf8' });
  for (const [args, message] of [
    [['corrupt', '--bogus'], /^bench: Unknown option '--bogus'/],
    [['corrupt', '--warmups', '-3'], /^bench: Option '--warmups' argument is ambiguous\. .*'--warmups=-XYZ'\.$/],
    [['conv-grad', '--layers', 'nope'], /^bench: --layers nope names no layer; pass part of a layer's name: resnet18 stem/],
    [['startup', '--models', '/no/such/model.onnx'], /^bench: bench model \/no\/such\/model\.onnx: no such file; pass an existing \.onnx file or one of resnet50/],
    // The = form reaches the bench: a severity out of range is refused (it was ignored, and severity 3 measured).
    [['corrupt', '--severity=9'], /^bench: severity 9 is not an integer in 1\.\.5; pass a severity from 1 to 5$/],
  ] as const) {
    const run = bench([...args]);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr.trim(), message);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  }
});

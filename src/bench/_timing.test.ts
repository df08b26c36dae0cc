import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RobustartError } from '../errors.js';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { flag } from './_timing.js';

test('a bench flag gives its number, its default when absent, and a one-line error naming it when not a number', () => {
  assert.equal(flag(['--batch', '8'], 'batch', 32), 8);
  assert.equal(flag(['--runs', '3'], 'batch', 32), 32);
  assert.equal(flag(['--batch'], 'batch', 32), 32);
  for (const bad of ['zero', '', 'Infinity']) {
    assert.throws(() => flag(['--batch', bad], 'batch', 32), (err: unknown) => err instanceof RobustartError && /^--batch .* is not a number; pass one, e\.g\. --batch 32$/.test(err.message));
  }
});

test('bench input errors are one line with exit 2: a flag node refuses, --layers naming no layer, a missing model file', () => {
  const bench = (args: string[]) => spawnSync(process.execPath, [fileURLToPath(new URL('./main.js', import.meta.url)), ...args], { encoding: 'utf8' });
  for (const [args, message] of [
    [['corrupt', '--bogus'], /^bench: Unknown option '--bogus'/],
    [['corrupt', '--warmups', '-3'], /^bench: Option '--warmups' argument is ambiguous\. .*'--warmups=-XYZ'\.$/],
    [['conv-grad', '--layers', 'nope'], /^bench: --layers nope names no layer; pass part of a layer's name: resnet18 stem/],
    [['startup', '--models', '/no/such/model.onnx'], /^bench: bench model \/no\/such\/model\.onnx: no such file; pass an existing \.onnx file or one of resnet50/],
  ] as const) {
    const run = bench([...args]);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr.trim(), message);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  }
});

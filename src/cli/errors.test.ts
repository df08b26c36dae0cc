// Bad input at the CLI: one line on stderr naming the thing and the fix, exit code 2, never a stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeModel, makeNode, makeValueInfo } from '../onnx/build.js';
import { writeModel } from '../onnx/proto.js';
import { tempDir, writeImageFolder, writeTinyClassifier } from '../testing/fixtures.js';
import { packagePath } from '../util/paths.js';

const CLI = fileURLToPath(new URL('./main.js', import.meta.url));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

function assertOneLineError(r: ReturnType<typeof run>, pattern: RegExp): void {
  assert.equal(r.status, 2, `exit code 2, got ${r.status}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got: ${r.stderr}`);
  assert.match(lines[0], /^robustart: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

test('unknown flag', () => assertOneLineError(run('eval', '--modle', 'x'), /eval: unknown flag '--modle'.*robustart eval --help/));
test('unknown command', () => assertOneLineError(run('evaluate'), /unknown command 'evaluate'/));
test('missing required flag', () => assertOneLineError(run('eval', '--data', 'x'), /--model is required/));
test('bad number', () => assertOneLineError(run('eval', '--model', 'm', '--data', 'd', '--batch-size', '0'), /--batch-size 0 is not a valid integer >= 1/));
test('bad device', () => assertOneLineError(run('eval', '--model', 'm', '--data', 'd', '--device', 'tpu'), /^robustart: model session: --device tpu is not allowed; allowed: one of cpu, webgpu, cuda$/));
test('L∞ budget above 1 in the adversarial suite', () => assertOneLineError(
  run('eval', '--model', 'fashion-cnn', '--data', packagePath('demo/data/fashion-mnist'), '--suite', 'adversarial', '--attacks', 'pgd:linf', '--eps', '2', '--limit', '2', '--store', join(tempDir(), 'r.db')),
  /the L∞ budget 2 of pgd is above 1/,
));
test('missing model file', () => assertOneLineError(run('eval', '--model', '/nope/m.onnx', '--data', '.'), /model file not found: \/nope\/m\.onnx/));

test('not an ONNX file', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'fake.onnx'), 'GIF89a');
  assertOneLineError(run('eval', '--model', join(dir, 'fake.onnx'), '--data', dir), /fake\.onnx is not an ONNX model/);
});

test('wrong input rank', () => {
  const dir = tempDir();
  const path = join(dir, 'vec.onnx');
  writeModel(path, makeModel({ name: 'g', node: [makeNode('Identity', ['x'], ['y'])], input: [makeValueInfo('x', ['N', 3, 32])], output: [makeValueInfo('y', ['N', 3, 32])] }));
  assertOneLineError(run('eval', '--model', path, '--data', dir), /input 'x' has rank 3/);
});

test('class count mismatch between model and dataset', async () => {
  const dir = tempDir();
  await writeImageFolder(join(dir, 'data'), ['a', 'b', 'c'], 1, 8);
  const model = writeTinyClassifier(join(dir, 'five.onnx'), { numClasses: 5 });
  assertOneLineError(run('eval', '--model', model, '--data', join(dir, 'data'), '--store', join(dir, 'r.db')), /dataset .* has 3 classes but model five predicts 5/);
});

test('unknown suite', async () => {
  const dir = tempDir();
  const model = writeTinyClassifier(join(dir, 'm.onnx'), { numClasses: 2 });
  await writeImageFolder(join(dir, 'data'), ['a', 'b'], 1, 8);
  assertOneLineError(run('eval', '--model', model, '--data', join(dir, 'data'), '--suite', 'nope', '--store', join(dir, 'r.db')), /unknown suite 'nope'; available: clean/);
});

test('help lists the commands and a command\'s flags', () => {
  const top = run('--help');
  assert.equal(top.status, 0);
  assert.match(top.stdout, /eval\s+evaluate a model/);
  const evalHelp = run('eval', '--help');
  assert.match(evalHelp.stdout, /--batch-size B/);
  // The system suite's defaults are named, not just called "default".
  assert.match(evalHelp.stdout, /--decoders VALUE .*\(default: sharp, jpegjs, djpeg-ifast, djpeg-float, djpeg-islow-nosmooth, ffmpeg\)/);
  assert.match(evalHelp.stdout, /--resizers VALUE .*\(default: all 29\)/);
  // Every command's help shows how to call it before its flags.
  for (const name of ['eval', 'grad', 'train', 'attack', 'serve']) {
    const help = run(name, '--help');
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout.split('\n\n')[1] ?? '', new RegExp(`^robustart ${name} `), `${name} --help:\n${help.stdout}`);
  }
});

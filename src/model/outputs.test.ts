import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROBABILITY_TOLERANCE, logitsFromOutputs, looksLikeProbabilities } from './outputs.js';
import { softmax } from '../metrics/classification.js';
import { tempDir, writeImageFolder, writeTinyClassifier } from '../testing/fixtures.js';

const row = (n: number) => `sample ${n}`;

test('AutoAttack\'s probability check, with its tolerance', () => {
  assert.equal(PROBABILITY_TOLERANCE, 1e-5);
  assert.ok(looksLikeProbabilities(Float32Array.from([0.25, 0.75, 1, 0]), 2));
  assert.ok(!looksLikeProbabilities(Float32Array.from([0.25, 0.75, 0.5, 0.4]), 2)); // second row sums to 0.9
  assert.ok(!looksLikeProbabilities(Float32Array.from([1.5, -0.5]), 2)); // sums to 1 but outside [0,1]
});

test('NaN and ±Inf outputs are errors naming the row; probabilities are refused as logits', () => {
  assert.throws(() => logitsFromOutputs(Float32Array.from([0, 1, Infinity, 0]), 2, 'logits', 'm', row), /model m returned \+Inf outputs for sample 1/);
  assert.throws(() => logitsFromOutputs(Float32Array.from([-Infinity, 1]), 2, 'logits', 'm', row), /-Inf outputs for sample 0/);
  assert.throws(() => logitsFromOutputs(Float32Array.from([NaN, 1]), 2, 'logits', 'm', row), /NaN outputs for sample 0/);
  assert.throws(() => logitsFromOutputs(Float32Array.from([0.2, 0.8]), 2, 'logits', 'm', row), /model m outputs probabilities \(every row sums to 1\), not logits/);
  assert.throws(() => logitsFromOutputs(Float32Array.from([2, 3]), 2, 'probabilities', 'm', row), /declared to output probabilities but its row for sample 0 sums to 5/);
});

test('declared probabilities become log-probabilities whose softmax is the probabilities', () => {
  const logits = logitsFromOutputs(Float32Array.from([0.2, 0.8, 0.6, 0.4]), 2, 'probabilities', 'm', row);
  const p = softmax(logits, 2, 2);
  assert.ok(Math.abs(p[0] - 0.6) < 1e-6 && Math.abs(p[1] - 0.4) < 1e-6);
});

test('eval refuses a softmax model by default and, with --outputs probabilities, matches the logits model\'s NLL and ECE', async () => {
  const dir = tempDir();
  await writeImageFolder(join(dir, 'data'), ['a', 'b', 'c'], 2, 12);
  const cli = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  const run = (model: string, ...extra: string[]) => spawnSync(process.execPath, [cli, 'eval', '--model', model, '--data', join(dir, 'data'), '--store', join(dir, 'r.db'), '--workers', '0', '--json', ...extra], { encoding: 'utf8' });
  const logitsModel = writeTinyClassifier(join(dir, 'logits.onnx'), { numClasses: 3, inputSize: 8 });
  const probModel = writeTinyClassifier(join(dir, 'probs.onnx'), { numClasses: 3, inputSize: 8, probabilities: true });
  const refused = run(probModel);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr.trim(), /^robustart: model probs outputs probabilities \(every row sums to 1\), not logits/);
  const accepted = run(probModel, '--outputs', 'probabilities');
  const reference = run(logitsModel);
  assert.equal(accepted.status, 0, accepted.stderr);
  const a = JSON.parse(accepted.stdout).conditions.clean;
  const b = JSON.parse(reference.stdout).conditions.clean;
  assert.ok(Math.abs(a.nll - b.nll) < 1e-5, `${a.nll} vs ${b.nll}`);
  assert.ok(Math.abs(a.ece - b.ece) < 1e-5);
  assert.equal(a.top1, b.top1);
});

// Square (L∞, L2), SPSA and HopSkipJump: invariants, query accounting, and the budget-bounded ones never exceeding it.
import { test } from 'node:test';
import { indexStreams, predictions } from './attack.js';
import assert from 'node:assert/strict';
import { Rng } from '../../util/rng.js';
import { makeTinyTask } from './testing/dataset.js';
import { checkAttackInvariants, successCount } from './testing/invariants.js';
import { countingModel } from './testing/counting.js';
import { MlpClassifier } from './testing/mlp.js';
import { Square, squareFraction } from './square.js';
import { SPSA } from './spsa.js';
import { HopSkipJump } from './hop-skip-jump.js';
import { DDN } from './ddn.js';

const { model, test: data } = makeTinyTask();
const count = 20;
const images = data.images.slice(0, count * model.size), labels = data.labels.slice(0, count);

test('Square keeps the invariants and never spends more than its query budget', async () => {
  for (const attack of [new Square(model, { eps: 0.08, queries: 300 }), new Square(model, { norm: 'l2', eps: 0.6, queries: 300 }), new Square(model, { eps: 0.15, queries: 300, targeted: true })]) {
    const r = await checkAttackInvariants(model, attack, images, labels, count);
    assert.ok(successCount(r) > 0 && successCount(r) < count, `${attack.name}: ${successCount(r)}`);
    // One clean query, then at most `queries` evaluations of candidates (the initial one included).
    for (const q of r.queries) assert.ok(q <= 301, `${attack.name}: ${q} queries`);
    assert.ok(r.queries.some((q, i) => r.success[i] && q < 301));
  }
});

test('Square reads its verdicts from its own queries: the model sees exactly the images it counts', async () => {
  for (const norm of ['linf', 'l2'] as const) {
    const counted = countingModel(model);
    const r = await new Square(counted.model, { norm, eps: norm === 'linf' ? 0.08 : 0.6, queries: 50 }).run(images, labels, count, indexStreams(2, 'test', count));
    assert.equal(counted.forwardImages(), r.queries.reduce((a, b) => a + b, 0), norm);
    assert.ok(successCount(r) > 0);
  }
});

test('L2 Square and HopSkipJump run at ImageNet size (224×224 RGB)', async () => {
  const shape = [3, 224, 224] as const, size = 3 * 224 * 224, hidden = 2, classes = 4;
  const rng = new Rng(9);
  const weights = (n: number, scale: number) => Float64Array.from({ length: n }, () => (rng.uniform() - 0.5) * scale);
  const big = new MlpClassifier(shape, classes, hidden, weights(hidden * size, 0.01), weights(hidden, 0.1), weights(classes * hidden, 1), weights(classes, 0.1));
  const x = Float32Array.from({ length: 2 * size }, () => rng.uniform());
  const y = predictions(await big.logits(x, 2), 2, classes);
  for (const attack of [new Square(big, { norm: 'l2', eps: 0.5, queries: 3 }), new HopSkipJump(big, { queries: 12 })]) {
    const r = await attack.run(x, y, 2, indexStreams(3, 'test', 2));
    assert.equal(r.adversarial.length, x.length, attack.name);
  }
});

test('Square p schedule halves at the reference iterations and rescales only when asked', () => {
  assert.equal(squareFraction(0.05, 10, 5000, false), 0.05);
  assert.equal(squareFraction(0.05, 11, 5000, false), 0.025);
  assert.equal(squareFraction(0.05, 4500, 5000, false), 0.05 / 128);
  assert.equal(squareFraction(0.05, 4500, 5000, true), 0.05 / 512);
});

test('SPSA keeps the invariants and fools some points at a moderate ε', async () => {
  const r = await checkAttackInvariants(model, new SPSA(model, { eps: 0.1, steps: 10, samples: 8 }), images, labels, count);
  assert.ok(successCount(r) > 0 && successCount(r) < count);
});

test('HopSkipJump stays within its query budget, finds adversarials, and is no better than white-box DDN in L2 norm', async () => {
  const r = await checkAttackInvariants(model, new HopSkipJump(model, { queries: 200 }), images.subarray(0, 8 * model.size), labels.subarray(0, 8), 8);
  for (const q of r.queries) assert.ok(q <= 201, `${q} queries`);
  assert.equal(successCount(r), 8);
  const ddn = await new DDN(model, { steps: 50 }).run(images.subarray(0, 8 * model.size), labels.subarray(0, 8), 8, indexStreams(1, 'test', 8));
  const median = (a: Float32Array) => Array.from(a).sort((x, y) => x - y)[4];
  assert.ok(median(r.norms) >= median(ddn.norms) * 0.9, `HSJ ${median(r.norms)} vs DDN ${median(ddn.norms)}`);
  const bounded = await checkAttackInvariants(model, new HopSkipJump(model, { queries: 200, eps: 0.6 }), images.subarray(0, 8 * model.size), labels.subarray(0, 8), 8);
  assert.ok(successCount(bounded) < 8);
});

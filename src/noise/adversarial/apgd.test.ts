import { mock, test } from 'node:test';
import { indexStreams, predictions } from './attack.js';
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import assert from 'node:assert/strict';
import { Rng } from '../../util/rng.js';
import { makeTinyTask } from './testing/dataset.js';
import { checkAttackInvariants, successCount } from './testing/invariants.js';
import { countingModel } from './testing/counting.js';
import { APGD, apgdCheckpoints } from './apgd.js';
import { APGDT } from './apgd-t.js';
import { PGD } from './pgd.js';
import { ApgdArrays } from './step-kernels.js';

const { model, test: data } = makeTinyTask();
const { images, labels, count } = data;

test('APGD checkpoints follow the paper: 0.22N, then gaps shrinking by 0.03N down to 0.06N', () => {
  assert.deepEqual(apgdCheckpoints(100), [22, 41, 57, 70, 80, 87, 93, 99]);
});

test('APGD-CE, APGD-DLR and APGD-T keep the invariants in L∞ and L2', async () => {
  for (const attack of [
    new APGD(model, { eps: 0.08, steps: 15 }),
    new APGD(model, { eps: 0.08, steps: 15, loss: 'dlr', restarts: 2 }),
    new APGD(model, { norm: 'l2', eps: 0.5, steps: 15 }),
    new APGDT(model, { eps: 0.08, steps: 10, targetClasses: 3 }),
  ]) {
    const r = await checkAttackInvariants(model, attack, images, labels, count);
    assert.ok(successCount(r) > 0 && successCount(r) < count, `${attack.name}: ${successCount(r)}`);
  }
});

test('APGD-CE with the same budget of gradient steps is at least as strong as PGD here', async () => {
  for (const eps of [0.05, 0.08, 0.1]) {
    const pgd = await new PGD(model, { eps, steps: 20 }).run(images, labels, count, indexStreams(1, 'test', count));
    const apgd = await new APGD(model, { eps, steps: 20 }).run(images, labels, count, indexStreams(1, 'test', count));
    assert.ok(successCount(apgd) >= successCount(pgd), `ε=${eps}: APGD ${successCount(apgd)} < PGD ${successCount(pgd)}`);
  }
});

test('APGD-T refuses models with too few classes for its targeted loss', async () => {
  const small = makeTinyTask({ classes: 3, trainCount: 30, epochs: 5 }).model;
  assert.throws(() => new APGDT(small, { eps: 0.1 }), /at least 4 classes/);
});

test('APGD and APGD-T read handed-in clean logits (the same result, one forward pass fewer per image); a misclassified image is its own verdict', async () => {
  const clean = await model.logits(images, count);
  for (const make of [(m: DifferentiableClassifier) => new APGD(m, { eps: 0.08, steps: 10 }), (m: DifferentiableClassifier) => new APGDT(m, { eps: 0.08, steps: 5, targetClasses: 3 })]) {
    const own = countingModel(model), given = countingModel(model);
    const a = await make(own.model).run(images, labels, count, indexStreams(8, 'test', count));
    const b = await make(given.model).run(images, labels, count, indexStreams(8, 'test', count), { cleanLogits: clean });
    assert.deepEqual([b.adversarial, b.success, b.queries], [a.adversarial, a.success, a.queries]);
    assert.equal(own.forwardImages() - given.forwardImages(), count);
    assert.equal(own.gradientImages(), given.gradientImages());
    // Every image misclassified: nothing to attack, and the clean check is the verdict.
    const wrong = Int32Array.from(predictions(clean, count, model.numClasses), (p) => (p + 1) % model.numClasses);
    const none = countingModel(model);
    const r = await make(none.model).run(images, wrong, count, indexStreams(8, 'test', count));
    assert.deepEqual([none.forwardImages(), none.gradientImages(), successCount(r)], [count, 0, count]);
  }
  await assert.rejects(new APGD(model, { eps: 0.08 }).run(images, labels, count, indexStreams(8, 'test', count), { cleanLogits: new Float32Array(3) }), /cleanLogits has 3 values for 40 images of 10 classes/);
});

test('APGD steps in JavaScript where its arrays do not fit a WebAssembly memory, with the same result', async () => {
  const run = () => new APGD(model, { eps: 0.06, steps: 12 }).run(images, labels, count, indexStreams(3, 'test', count));
  const kernel = await run();
  const tryCreate = mock.method(ApgdArrays, 'tryCreate', () => undefined);
  try {
    const js = await run();
    assert.ok(tryCreate.mock.callCount() > 0);
    assert.deepEqual([js.adversarial, js.success, js.queries], [kernel.adversarial, kernel.success, kernel.queries]);
    assert.ok(successCount(js) > 0 && successCount(js) < count);
  } finally {
    tryCreate.mock.restore();
  }
});

// Invariants of the projected-gradient family (FGSM, BIM, PGD-L∞/L2/L1, MIM) on the tiny MLP task.
import { test } from 'node:test';
import { indexStreams, predictions, type AttackResult } from './attack.js';
import assert from 'node:assert/strict';
import { Rng } from '../../util/rng.js';
import { makeTinyTask } from './testing/dataset.js';
import { checkAttackInvariants, successCount } from './testing/invariants.js';
import { countingModel } from './testing/counting.js';
import { FGSM } from './fgsm.js';
import { BIM } from './bim.js';
import { PGD } from './pgd.js';
import { PGDL1 } from './pgd-l1.js';
import { MIM } from './mim.js';

const { model, test: data } = makeTinyTask();
const { images, labels, count } = data;

test('FGSM, BIM, PGD, MIM, PGD-L1 keep ball, box, determinism and honest success', async () => {
  const attacks = [
    new FGSM(model, { eps: 0.1 }),
    new BIM(model, { eps: 0.1, steps: 8, stepSize: 0.025 }),
    new PGD(model, { eps: 0.1, steps: 8 }),
    new PGD(model, { norm: 'l2', eps: 0.6, steps: 8, restarts: 2 }),
    new PGDL1(model, { eps: 3, steps: 8, sparsity: 0.9 }),
    new MIM(model, { eps: 0.1, steps: 8 }),
    new MIM(model, { norm: 'l2', eps: 0.6, steps: 8 }),
    new PGD(model, { eps: 0.15, steps: 8, targeted: true }),
  ];
  for (const attack of attacks) {
    const result = await checkAttackInvariants(model, attack, images, labels, count);
    assert.ok(successCount(result) > 0, `${attack.name} fooled nothing`);
    assert.ok(successCount(result) < count, `${attack.name} fooled everything; the test ε is too large to be informative`);
  }
});

test('PGD with more steps is never weaker than FGSM on the same points', async () => {
  for (const eps of [0.05, 0.1, 0.15]) {
    const fgsm = await new FGSM(model, { eps }).run(images, labels, count, indexStreams(1, 'test', count));
    const pgd = await new PGD(model, { eps, steps: 20, restarts: 1 }).run(images, labels, count, indexStreams(1, 'test', count));
    assert.ok(successCount(pgd) >= successCount(fgsm), `ε=${eps}: PGD ${successCount(pgd)} < FGSM ${successCount(fgsm)}`);
  }
});

test('robust accuracy under PGD does not rise with ε, and ε = 0 changes nothing', async () => {
  let previous = -1;
  for (const eps of [0, 0.05, 0.1, 0.2]) {
    const r = await new PGD(model, { eps, steps: 10 }).run(images, labels, count, indexStreams(2, 'test', count));
    if (eps === 0) assert.deepEqual(r.adversarial, images);
    assert.ok(successCount(r) >= previous);
    previous = successCount(r);
  }
});

test('early stopping: successful samples stop spending queries; restarts only revisit robust samples', async () => {
  const r = await new PGD(model, { eps: 0.15, steps: 10, restarts: 3 }).run(images, labels, count, indexStreams(4, 'test', count));
  const fooled = Array.from(r.success.keys()).filter((i) => r.success[i]);
  const robust = Array.from(r.success.keys()).filter((i) => !r.success[i]);
  assert.ok(robust.every((i) => r.queries[i] === 3 * 11 + 1), 'robust samples get 1 clean check + 3 restarts × (10 gradient steps + 1 final check)');
  assert.ok(fooled.some((i) => r.queries[i] < 3 * 11 + 1));
});

test('targeted PGD reaches the requested class', async () => {
  const targets = Int32Array.from(labels, (y) => (y + 1) % 10);
  const r = await new PGD(model, { eps: 0.3, steps: 20, targeted: true }).run(images, labels, count, indexStreams(3, 'test', count), { targets });
  assert.deepEqual(r.targets, targets);
  assert.ok(successCount(r) > count / 2);
  const logits = await model.logits(r.adversarial, count);
  for (let i = 0; i < count; i++) if (r.success[i]) {
    const row = Array.from(logits.subarray(i * 10, i * 10 + 10));
    assert.equal(row.indexOf(Math.max(...row)), targets[i]);
  }
});

test('the loss rises along PGD on this honest model', async () => {
  const r = await new PGD(model, { eps: 0.05, steps: 10 }).run(images, labels, count, indexStreams(5, 'test', count));
  let rose = 0;
  for (let i = 0; i < count; i++) if (r.lossEnd![i] > r.lossStart![i]) rose++;
  assert.ok(rose >= 0.9 * count, `loss rose on ${rose}/${count}`);
  assert.equal(r.degenerateGradient!.reduce((a, b) => a + b, 0), 0);
});

test('without early stopping every sample pays for every step and the verdict is on the last iterate', async () => {
  const attack = new PGD(model, { eps: 0.15, steps: 6, earlyStop: false });
  const r = await checkAttackInvariants(model, attack, images, labels, count);
  assert.ok(r.queries.every((q) => q === 1 + 6 + 1));
  assert.ok(successCount(r) > 0);
});

/** Success must equal the model's own prediction on the returned images. */
async function assertHonestSuccess(r: AttackResult, truth = labels): Promise<void> {
  const predicted = predictions(await model.logits(r.adversarial, count), count, model.numClasses);
  predicted.forEach((p, i) => assert.equal(r.success[i], p !== truth[i] ? 1 : 0, `sample ${i}`));
}

test('the verdict reuses the last logits call: PGD without early stop and FGSM spend no extra forward pass', async () => {
  const pgd = countingModel(model);
  const r = await new PGD(pgd.model, { eps: 0.15, steps: 6, earlyStop: false }).run(images, labels, count, indexStreams(6, 'test', count));
  // The clean check, 6 gradient steps, the last iterate's logits: and no forward pass for the verdict.
  assert.equal(pgd.gradientImages(), 6 * count);
  assert.equal(pgd.forwardImages(), 2 * count);
  assert.ok(successCount(r) > 0 && successCount(r) < count);
  await assertHonestSuccess(r);
  const fgsm = countingModel(model);
  // Sample 0 gets a label the model does not predict: the gradient call's logits find it misclassified, so its
  // verdict is a forward pass on the clean image; every other sample's is the forward pass on its step's result.
  const wrong = labels.slice();
  wrong[0] = (predictions(await model.logits(images.subarray(0, images.length / count), 1), 1, model.numClasses)[0] + 1) % model.numClasses;
  const f = await new FGSM(fgsm.model, { eps: 0.1 }).run(images, wrong, count, indexStreams(6, 'test', count));
  assert.equal(fgsm.gradientImages(), count);
  assert.equal(fgsm.forwardImages(), count);
  assert.equal(f.success[0], 1);
  await assertHonestSuccess(f, wrong);
});

import { test } from 'node:test';
import { argmax, gather, gatherInts, indexStreams, pick, predictions, range } from './attack.js';
import assert from 'node:assert/strict';
import { Rng } from '../../util/rng.js';
import { makeTinyTask } from './testing/dataset.js';
import { checkAttackInvariants, successCount } from './testing/invariants.js';
import { countingModel } from './testing/counting.js';
import { AutoAttack, autoAttackStageRngs } from './autoattack.js';
import { FGSM } from './fgsm.js';

const { model, test: data } = makeTinyTask();
const { images, labels, count } = data;
const quick = { steps: 10, targetClasses: 3, squareQueries: 200 };
const size = images.length / count;

test('standard AutoAttack uses the spec settings by default', () => {
  const aa = new AutoAttack(model, { eps: 4 / 255 });
  assert.deepEqual(aa.parts.map((p) => p.name), ['apgd-ce', 'apgd-t', 'fab-t', 'square']);
  assert.equal(aa.parts[0].settings.steps, 100);
  assert.equal(aa.parts[0].settings.restarts, 1);
  assert.equal(aa.parts[1].settings.targetClasses, 9);
  assert.equal(aa.parts[2].settings.targetClasses, 9);
  assert.equal(aa.parts[3].settings.queries, 5000);
  assert.equal(aa.parts[3].settings.rescaleSchedule, false);
  const rand = new AutoAttack(model, { eps: 4 / 255, version: 'rand' });
  assert.deepEqual(rand.parts.map((p) => [p.name, p.settings.eotIter]), [['apgd-ce', 20], ['apgd-dlr', 20]]);
});

test('AutoAttack keeps the invariants and is never weaker than any of its parts, sample by sample', async () => {
  for (const norm of ['linf', 'l2'] as const) {
    const eps = norm === 'linf' ? 0.08 : 0.5;
    const aa = new AutoAttack(model, { norm, eps, ...quick });
    const result = await checkAttackInvariants(model, aa, images, labels, count, { seed: 21 });
    const stageRngs = autoAttackStageRngs(indexStreams(21, aa.name, count), aa.parts.length);
    for (let k = 0; k < aa.parts.length; k++) {
      const alone = await aa.parts[k].run(images, labels, count, stageRngs[k]);
      for (let i = 0; i < count; i++) assert.ok(result.success[i] >= alone.success[i], `${norm} sample ${i}: ${aa.parts[k].name} alone fools it, AutoAttack does not`);
    }
    assert.ok(successCount(result) >= successCount(await new FGSM(model, { eps: 0.08 }).run(images, labels, count, indexStreams(1, 'test', count))) || norm === 'l2');
    const fooledBy = new Set(result.foundBy!.filter((p) => p !== ''));
    assert.ok(fooledBy.has('apgd-ce'));
    result.foundBy!.forEach((p, i) => assert.equal(p !== '', result.success[i] === 1 && p !== undefined));
  }
});

test('AutoAttack rand runs APGD with EOT on a randomised model and reports honest success', async () => {
  const noisy = model.withOptions({ logitNoise: { sigma: 0.05, rng: new Rng(3) } });
  const aa = new AutoAttack(noisy, { eps: 0.08, version: 'rand', steps: 5, eotIter: 3 });
  const r = await aa.run(images, labels, count, indexStreams(1, 'test', count));
  assert.ok(successCount(r) > 0);
  for (const q of r.queries) assert.ok(q <= 1 + 2 * (1 + 5 * 3 + 1));
});

test('standard AutoAttack equals its cascade run part by part, with one forward pass over the batch and none for the verdict', async () => {
  for (const norm of ['linf', 'l2'] as const) {
    const settings = { norm, eps: norm === 'linf' ? 0.08 : 0.5, ...quick };
    const counted = countingModel(model);
    const aa = new AutoAttack(counted.model, settings);
    const r = await aa.run(images, labels, count, indexStreams(5, aa.name, count));
    // The reference cascade: each part on the samples still robust, checking their clean images itself; the verdict
    // is a forward pass over the returned images.
    const byHand = countingModel(model);
    const parts = new AutoAttack(byHand.model, settings).parts;
    const stageRngs = autoAttackStageRngs(indexStreams(5, aa.name, count), parts.length);
    const adversarial = images.slice(), queries = new Int32Array(count).fill(1), foundBy = new Array<string>(count).fill('');
    const clean = await byHand.model.logits(images, count);
    let robust = range(count).filter((i) => argmax(clean, i, model.numClasses) === labels[i]);
    let cleanChecks = 0;
    for (let k = 0; k < parts.length && robust.length > 0; k++) {
      const sub = await parts[k].run(gather(images, robust, size), gatherInts(labels, robust), robust.length, pick(stageRngs[k], robust));
      cleanChecks += robust.length;
      robust.forEach((i, j) => {
        queries[i] += sub.queries[j];
        if (!sub.success[j]) return;
        adversarial.set(sub.adversarial.subarray(j * size, (j + 1) * size), i * size);
        foundBy[i] = parts[k].name;
      });
      robust = robust.filter((_, j) => !sub.success[j]);
    }
    const verdict = predictions(await byHand.model.logits(adversarial, count), count, model.numClasses);
    assert.deepEqual(r.adversarial, adversarial);
    assert.deepEqual(r.success, Uint8Array.from(verdict, (p, i) => (p !== labels[i] ? 1 : 0)));
    assert.deepEqual(r.queries, queries);
    assert.deepEqual(r.foundBy, foundBy);
    assert.equal(counted.gradientImages(), byHand.gradientImages());
    assert.equal(counted.forwardImages(), byHand.forwardImages() - cleanChecks - count, `${norm}: the parts' clean checks and the verdict pass are not repeated`);
  }
});

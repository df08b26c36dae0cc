// The masking checks stay quiet on an honest model and fire on models with each defect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../util/rng.js';
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import { makeTinyTask } from './testing/dataset.js';
import { modelChecks, resultChecks } from './masking.js';
import { attackOverEpsilons } from './suite.js';

const { model, test: data } = makeTinyTask();
const count = 20;
const images = data.images.slice(0, count * model.size), labels = data.labels.slice(0, count);
const checks = (m: DifferentiableClassifier) => modelChecks(m, images, labels, count).then((f) => f.map((x) => x.check));

test('model checks: honest model clean; randomised, softmax, zero-gradient and batch-dependent models flagged', async () => {
  assert.deepEqual(await checks(model), []);
  assert.deepEqual(await checks(model.withOptions({ logitNoise: { sigma: 0.1, rng: new Rng(1) } })), ['randomised-forward']);
  assert.deepEqual(await checks(model.withOptions({ softmaxOutput: true })), ['softmax-output']);
  assert.deepEqual(await checks(model.withOptions({ zeroGradient: true })), ['zero-gradients']);
  const batchNormish: DifferentiableClassifier = {
    inputShape: model.inputShape, numClasses: model.numClasses,
    logits: async (x, n) => {
      const z = await model.logits(x, n);
      const mean = x.reduce((a, b) => a + b, 0) / x.length;
      return z.map((v) => v + 5 * mean);
    },
    lossAndGradient: (x, n, y, l) => model.lossAndGradient(x, n, y, l),
  };
  assert.deepEqual(await checks(batchNormish), ['inference-state']);
  const small = makeTinyTask({ classes: 5, trainCount: 50, epochs: 30 }).model;
  assert.deepEqual((await modelChecks(small, images, Int32Array.from(labels, (y) => y % 5), count)).map((f) => f.check), ['few-classes']);
});

test('result checks: quiet on the honest model; a blinded model trips black-box, loss and gradient flags', async () => {
  const eps = [0.04, 0.1];
  const run = async (m: DifferentiableClassifier) => [
    ...(await attackOverEpsilons(m, 'pgd', 'linf', eps, images, labels, { seed: 1, attackOptions: { steps: 10 } })),
    ...(await attackOverEpsilons(m, 'apgd-t', 'linf', eps, images, labels, { seed: 1, attackOptions: { steps: 10 } })),
    ...(await attackOverEpsilons(m, 'square', 'linf', eps, images, labels, { seed: 1, attackOptions: { queries: 300 } })),
  ];
  assert.deepEqual(resultChecks(await run(model)).map((f) => f.check), []);
  const blinded = resultChecks(await run(model.withOptions({ zeroGradient: true }))).map((f) => f.check);
  for (const check of ['black-box-beats-white-box', 'zero-gradients', 'epsilon-flat', 'loss-not-rising']) assert.ok(blinded.includes(check), `${check} missing from ${blinded}`);
});

test('robust accuracy rising with ε is flagged', () => {
  const r = (eps: number, robust: number[]) => ({ attack: 'pgd', kind: 'white-box' as const, norm: 'linf' as const, eps, robust: Uint8Array.from(robust) });
  const flags = resultChecks([r(0.1, [1, 0, 0, 0]), r(0.2, [1, 1, 1, 0])]).map((f) => f.check);
  assert.ok(flags.includes('epsilon-not-monotone'));
});

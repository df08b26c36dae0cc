// Every attack on the bundled Fashion-MNIST CNN through the ONNX autodiff engine: ball, box, determinism, honest
// success, and the orderings (PGD ≥ FGSM, AutoAttack ≥ each part). Small step counts keep it quick; the invariants
// do not depend on them.
import { test, before, after } from 'node:test';
import { indexStreams } from './attack.js';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { resolveModel } from '../../model/resolve.js';
import { loadDataset, limitSamples } from '../../data/dataset.js';
import { sharpDecoder } from '../../data/decode.js';
import { modelResizer } from '../../data/resize.js';
import { resizeAndCrop } from '../../data/preprocess.js';
import { toFloatImage, writeChw } from '../../data/image.js';
import { packagePath } from '../../util/paths.js';
import { createDifferentiableClassifier, type AutodiffClassifier } from '../../autodiff/classifier.js';
import { Rng } from '../../util/rng.js';
import { checkAttackInvariants, successCount } from './testing/invariants.js';
import { createAttack } from './registry.js';
import { AutoAttack, autoAttackStageRngs } from './autoattack.js';
import { modelChecks } from './masking.js';
import type { Attack } from './attack.js';

let classifier: AutodiffClassifier;
let images: Float32Array;
let labels: Int32Array;
const count = 6;

before(async () => {
  const model = resolveModel('fashion-cnn');
  const samples = limitSamples(loadDataset(packagePath('demo/data/fashion-mnist')), count, 3);
  const [c, h, w] = model.metadata.input_size;
  images = new Float32Array(count * c * h * w);
  for (const [i, s] of samples.entries()) {
    const image = await resizeAndCrop(await sharpDecoder.decode(new Uint8Array(await readFile(s.path))), model.metadata, modelResizer(model.metadata.interpolation));
    writeChw(toFloatImage(image), images, i * c * h * w);
  }
  labels = Int32Array.from(samples, (s) => s.label);
  classifier = await createDifferentiableClassifier(model.pixelModelBytes, { intraOpThreads: 1 });
});

after(async () => classifier?.release());

test('demo model: honest for the masking checks', async () => {
  assert.deepEqual((await modelChecks(classifier, images, labels, count)).map((f) => f.check), []);
});

test('demo model: every attack keeps ball, box, determinism and honest success', async () => {
  const linf = 8 / 255, l2 = 0.5;
  const attacks: Attack[] = [
    createAttack(classifier, 'fgsm', { eps: linf }),
    createAttack(classifier, 'bim', { eps: linf, steps: 5 }),
    createAttack(classifier, 'pgd', { eps: linf, steps: 5 }),
    createAttack(classifier, 'pgd', { norm: 'l2', eps: l2, steps: 5 }),
    createAttack(classifier, 'pgd', { norm: 'l1', eps: 4, steps: 5 }),
    createAttack(classifier, 'pgd', { eps: 16 / 255, steps: 5, targeted: true }),
    createAttack(classifier, 'mim', { eps: linf, steps: 5 }),
    createAttack(classifier, 'apgd-ce', { eps: linf, steps: 5 }),
    createAttack(classifier, 'apgd-dlr', { norm: 'l2', eps: l2, steps: 5 }),
    createAttack(classifier, 'cw', { steps: 10 }),
    createAttack(classifier, 'ddn', { eps: l2, steps: 10 }),
    createAttack(classifier, 'deepfool', { steps: 10 }),
    createAttack(classifier, 'fab', { steps: 5 }),
    createAttack(classifier, 'square', { eps: linf, queries: 50 }),
    createAttack(classifier, 'square', { norm: 'l2', eps: l2, queries: 50 }),
    createAttack(classifier, 'spsa', { eps: linf, steps: 3 }),
    createAttack(classifier, 'hsj', { queries: 60 }),
  ];
  for (const attack of attacks) await checkAttackInvariants(classifier, attack, images, labels, count, { tolerance: 1e-4 });
});

test('demo model: PGD-10 is never weaker than FGSM on the same points', async () => {
  for (const eps of [2 / 255, 4 / 255]) {
    const fgsm = await createAttack(classifier, 'fgsm', { eps }).run(images, labels, count, indexStreams(1, 'test', count));
    const pgd = await createAttack(classifier, 'pgd', { eps, steps: 10 }).run(images, labels, count, indexStreams(1, 'test', count));
    assert.ok(successCount(pgd) >= successCount(fgsm), `ε=${eps}: PGD ${successCount(pgd)} < FGSM ${successCount(fgsm)}`);
  }
});

test('demo model: AutoAttack is never weaker than any of its parts, sample by sample', async () => {
  const aa = new AutoAttack(classifier, { eps: 2 / 255, steps: 5, targetClasses: 2, squareQueries: 30 });
  const result = await checkAttackInvariants(classifier, aa, images, labels, count, { seed: 4, tolerance: 1e-4 });
  const rngs = autoAttackStageRngs(indexStreams(4, aa.name, count), aa.parts.length);
  for (const [k, part] of aa.parts.entries()) {
    const alone = await part.run(images, labels, count, rngs[k]);
    for (let i = 0; i < count; i++) assert.ok(result.success[i] >= alone.success[i], `${part.name} alone fools sample ${i}, AutoAttack does not`);
  }
});

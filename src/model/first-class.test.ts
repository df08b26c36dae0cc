// A loaded model is what the classifiers take: its normalisation-prepended graph is used, and handing over its
// stored graph (which expects normalised input) is an error rather than a silent attack on the wrong function.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tempDir, writeImageFolder, writeTinyClassifier } from '../testing/fixtures.js';
import { loadModelFile } from './load.js';
import { OnnxClassifier } from './classifier.js';
import { createDifferentiableClassifier } from '../autodiff/classifier.js';
import { createGradientSession } from '../autodiff/session.js';
import { loadImageFolder } from '../data/dataset.js';
import { loadImages } from '../data/batch.js';
import { ResultStore } from '../store/store.js';
import { ModelRegistry } from './registry.js';
import { resolveModel } from './resolve.js';
import { WorkerPool } from '../util/worker-pool.js';
import { CorruptionPool } from '../noise/natural/pool.js';

test('createDifferentiableClassifier takes a loaded model and computes the logits of its pixel graph', async () => {
  const dir = tempDir();
  const model = loadModelFile(writeTinyClassifier(join(dir, 'tiny.onnx'), { numClasses: 4 }));
  await writeImageFolder(join(dir, 'data'), ['a', 'b'], 2, 16);
  const images = await loadImages(loadImageFolder(join(dir, 'data')).samples, model);
  await using reference = await OnnxClassifier.create(model, { threads: 1 });
  await using differentiable = await createDifferentiableClassifier(model, { device: 'cpu', threads: 1 });
  const expected = await reference.logits(images, 4);
  const got = await differentiable.logits(images, 4);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(expected[i] - got[i]) < 1e-5, `logit ${i}: ${got[i]} vs ${expected[i]}`);
  const { gradient } = await differentiable.lossAndGradient(images, 4, Int32Array.of(0, 1, 2, 3), { kind: 'ce' });
  assert.equal(gradient.length, images.length);

  await assert.rejects(createDifferentiableClassifier(model.original), /the model as stored, which expects normalised input; pass the loaded model itself/);
  await assert.rejects(createGradientSession(model.original, { loss: 'ce' }), /expects normalised input/);
  const session = await createGradientSession(model, { loss: 'ce' }, { threads: 1 });
  await session[Symbol.asyncDispose]();
});

test('the model registry is its own module over the same models table as the results store', () => {
  const dir = tempDir();
  const path = writeTinyClassifier(join(dir, 'tiny.onnx'), { numClasses: 3 });
  const store = new ResultStore(join(dir, 'r.db'));
  try {
    assert.ok(store.models instanceof ModelRegistry);
    store.models.put({ name: 'tiny', path, sha256: 'x', metadata: {}, parameters: 12, macs: null });
    assert.equal(store.getModel('tiny')?.parameters, 12, 'the store reads what the registry wrote');
    assert.equal(resolveModel('tiny', store.models).path, path);
    assert.equal(resolveModel('tiny', store).name, 'tiny');
    assert.deepEqual(store.models.list().map((m) => m.name), ['tiny']);
    assert.equal(store.models.remove('tiny'), true);
  } finally {
    store.close();
  }
});

test('classifiers, sessions and pools share one dispose() name and Symbol.asyncDispose', () => {
  for (const cls of [OnnxClassifier, WorkerPool, CorruptionPool]) {
    assert.equal(typeof cls.prototype.dispose, 'function', cls.name);
    assert.equal(typeof (cls.prototype as unknown as Record<symbol, unknown>)[Symbol.asyncDispose], 'function', cls.name);
  }
});

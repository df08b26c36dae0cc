import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { predictionsFromSubsetLogits } from '../../metrics/classification.js';
import { subsetIndices, subsetWnids, imagenetODetection } from '../../metrics/imagenet-subsets.js';
import { runEvaluation } from '../run.js';
import { ResultStore } from '../../store/store.js';
import { tempDir, writeImageFolder, writeTinyClassifier } from '../../testing/fixtures.js';

test('subset predictions ignore logits outside the subset and report original class indices', () => {
  const logits = new Float32Array(10);
  logits[9] = 100; // the global argmax, outside the subset
  logits[4] = 2;
  logits[6] = 1;
  const [p, outside] = predictionsFromSubsetLogits(Float32Array.from([...logits, ...logits]), [6, 9], 10, [2, 4, 6]);
  assert.deepEqual(p.top5, [4, 6, 2]);
  const z = Math.exp(0) + Math.exp(2) + Math.exp(1);
  assert.ok(Math.abs(p.confidence - Math.exp(2) / z) < 1e-6);
  assert.ok(Math.abs(p.trueProbability - Math.exp(1) / z) < 1e-6);
  assert.equal(outside.trueProbability, 0, 'a label outside the subset has probability 0');
});

test('imagenet-a: predictions stay inside the 200 classes and the suite reports their accuracy', async () => {
  const dir = tempDir();
  const wnids = subsetWnids('imagenet-a');
  await writeImageFolder(join(dir, 'a'), [wnids[0], wnids[1]], 3, 12);
  const model = writeTinyClassifier(join(dir, 'in1k.onnx'), { numClasses: 1000, inputSize: 8 });
  const result = await runEvaluation({ model, data: join(dir, 'a'), suite: 'imagenet-a', store: join(dir, 'r.db') });
  const allowed = new Set(subsetIndices('imagenet-a'));
  const store = new ResultStore(join(dir, 'r.db'));
  const records = store.records(result.run.id);
  assert.equal(records.length, 6);
  assert.ok(records.every((r) => r.top5!.every((c) => allowed.has(c))));
  assert.equal(result.suiteMetrics.accuracy, result.perCondition.get('imagenet-a')!.top1);
  store.close();
});

test('imagenet-o: ImageNet-O images are positives, validation images of the 200 classes negatives, AUPR from their confidences', async () => {
  const dir = tempDir();
  const wnids = subsetWnids('imagenet-o');
  const outside = 'n01440764'; // tench: not an ImageNet-O class
  assert.ok(!wnids.includes(outside));
  await writeImageFolder(join(dir, 'o'), [wnids[0], wnids[1]], 2, 12, 1);
  await writeImageFolder(join(dir, 'val'), [wnids[5], outside], 3, 12, 2);
  const model = writeTinyClassifier(join(dir, 'in1k.onnx'), { numClasses: 1000, inputSize: 8 });
  const result = await runEvaluation({ model, data: join(dir, 'o'), suite: 'imagenet-o', store: join(dir, 'r.db'), suiteOptions: { negatives: join(dir, 'val') } });
  assert.equal(result.suiteMetrics.out_of_distribution, 4);
  assert.equal(result.suiteMetrics.in_distribution, 3, 'validation images of other classes are left out');
  const store = new ResultStore(join(dir, 'r.db'));
  const records = store.records(result.run.id);
  const conf = (prefix: string) => records.filter((r) => r.sampleId.startsWith(prefix)).map((r) => r.confidence!);
  const expected = imagenetODetection(conf('ood/'), conf('val/'));
  assert.equal(result.suiteMetrics.aupr, expected.aupr);
  assert.ok(expected.aupr >= 0 && expected.aupr <= 1);
  store.close();
  await assert.rejects(runEvaluation({ model, data: join(dir, 'o'), suite: 'imagenet-o', store: join(dir, 'r.db') }), /needs the ImageNet validation folder.*option negatives/);
});

test('the ImageNet variants refuse a model that is not 1000-class', async () => {
  const dir = tempDir();
  await writeImageFolder(join(dir, 'a'), [subsetWnids('imagenet-r')[0]], 1, 12);
  const model = writeTinyClassifier(join(dir, 'small.onnx'), { numClasses: 10, inputSize: 8 });
  await assert.rejects(runEvaluation({ model, data: join(dir, 'a'), suite: 'imagenet-r', store: join(dir, 'r.db') }), /needs an ImageNet-1k model|has 1000 classes but model small predicts 10/);
});

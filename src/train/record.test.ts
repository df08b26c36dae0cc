import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ResultStore } from '../store/store.js';
import { tempDir } from '../testing/fixtures.js';
import { parseExperiment } from './config.js';
import { storeTrainingRun } from './record.js';
import { trainingCurves, trainingSection } from '../report/training.js';
import type { TrainingRecord } from './experiment.js';

test('a training run stores its per-epoch curves and the report draws them for runs of the same model', () => {
  const dir = tempDir();
  const model = join(dir, 'm.onnx');
  writeFileSync(model, 'model bytes');
  const config = parseExperiment({ name: 'curve', epochs: 2, batch_size: 4, model: { builder: 'small-cnn' }, optimizer: { kind: 'sgd' }, schedule: { base_lr: 0.1 } });
  const record: TrainingRecord = {
    name: 'curve', config, seed: 0, dataset: { train: 'abc', test: 'def' }, testAccuracy: 0.8, seconds: 3, resumedFrom: 0, versions: { robustart: 'x' },
    history: [
      { epoch: 1, learningRate: 0.1, trainLoss: 1.2, trainAccuracy: 0.5, testAccuracy: 0.6, seconds: 1 },
      { epoch: 2, learningRate: 0.05, trainLoss: 0.7, trainAccuracy: 0.75, testAccuracy: 0.8, seconds: 1 },
    ],
  };
  const store = new ResultStore(join(dir, 'r.db'));
  try {
    const id = storeTrainingRun(store, record, model);
    const run = store.getRun(id)!;
    assert.equal(run.suite, 'train');
    assert.equal((run.config as { name: string }).name, 'curve');
    const curves = trainingCurves(store, id);
    assert.deepEqual(curves.map((c) => [c.epoch, c.values.train_loss, c.values.test_acc]), [[1, 1.2, 0.6], [2, 0.7, 0.8]]);
    const evalRun = store.openRun({ id: 'eval1', suite: 'clean', modelName: 'm', modelSha256: run.modelSha256, datasetFingerprint: 'abc', config: {}, seed: 0, versions: {} });
    const html = trainingSection(store, evalRun);
    assert.match(html, /Training \(curve/);
    assert.equal((html.match(/<polyline/g) ?? []).length, 3);
    const other = store.openRun({ id: 'eval2', suite: 'clean', modelName: 'n', modelSha256: 'ffff', datasetFingerprint: 'abc', config: {}, seed: 0, versions: {} });
    assert.equal(trainingSection(store, other), '');
  } finally {
    store.close();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PARALLEL_FRACTION, calibratePipeline, inferenceSecondsAt, planPipeline } from './pipeline-plan.js';
import { runEvaluation } from './run.js';
import { cleanSuite } from './suites/clean.js';
import { ResultStore } from '../store/store.js';
import { loadModelFile } from '../model/load.js';
import { OnnxClassifier } from '../model/classifier.js';
import { loadDataset } from '../data/dataset.js';
import { tempDir, writeImageFolder, writeTinyClassifier } from '../testing/fixtures.js';

test('the parallel share of inference is pinned, and inference at fewer threads follows Amdahl from the all-core time', () => {
  assert.equal(PARALLEL_FRACTION, 0.95);
  const costs = { cores: 16, preprocessSeconds: 0, inferenceSeconds: 0.01 };
  assert.ok(Math.abs(inferenceSecondsAt(costs, 16) - 0.01) < 1e-15);
  assert.ok(Math.abs(inferenceSecondsAt(costs, 1) - (0.01 * 1) / (0.05 + 0.95 / 16)) < 1e-12);
  assert.ok(inferenceSecondsAt(costs, 14) > 0.01 && inferenceSecondsAt(costs, 14) < (0.01 * 16) / 14);
});

test('2 cores with preprocessing at a quarter of inference: both stages on the main thread, ORT on both cores', () => {
  // The 2-core measurement: main-thread preprocessing gave 0.81 of inference alone, so preprocessing
  // costs about 0.23 of an image's inference time; one worker + one ORT thread would halve inference.
  const plan = planPipeline({ cores: 2, preprocessSeconds: 0.023, inferenceSeconds: 0.1 });
  assert.deepEqual({ workers: plan.workers, threads: plan.threads }, { workers: 0, threads: 2 });
  assert.ok(Math.abs(plan.predictedRatio - 1 / 1.23) < 1e-9);
});

test('16 cores: a few workers beside the rest of the cores for ORT', () => {
  // The same per-image costs as on 2 cores, with inference scaled to 16 threads by Amdahl (about 0.208 of the 2-core time).
  const twoCore = 0.1;
  const inference16 = inferenceSecondsAt({ cores: 2, preprocessSeconds: 0, inferenceSeconds: twoCore }, 16);
  const plan = planPipeline({ cores: 16, preprocessSeconds: 0.023, inferenceSeconds: inference16 });
  assert.deepEqual({ workers: plan.workers, threads: plan.threads }, { workers: 2, threads: 14 });
  assert.ok(plan.predictedRatio > 0.9 && plan.predictedRatio < 0.95, `predicted ${plan.predictedRatio}`);
  // Costlier preprocessing (corruptions, larger JPEGs) takes more workers; never more threads than cores.
  const heavy = planPipeline({ cores: 16, preprocessSeconds: 0.1, inferenceSeconds: inference16 });
  assert.deepEqual({ workers: heavy.workers, threads: heavy.threads }, { workers: 4, threads: 12 });
  for (const cores of [1, 2, 4, 8, 16, 64]) {
    for (const preprocessSeconds of [0, 0.001, 0.01, 0.1, 1]) {
      const p = planPipeline({ cores, preprocessSeconds, inferenceSeconds: 0.01 });
      assert.ok(p.threads >= 1 && p.workers >= 0 && (p.workers === 0 ? p.threads === cores : p.workers + p.threads === cores), `${cores} cores, ${preprocessSeconds}: ${JSON.stringify(p)}`);
    }
  }
  assert.deepEqual(planPipeline({ cores: 1, preprocessSeconds: 0.01, inferenceSeconds: 0.01 }), { workers: 0, threads: 1, predictedRatio: 0.5 });
});

test('calibration measures both stages on real images; an automatic run records what explicit settings record', async () => {
  const dir = tempDir();
  const data = await writeImageFolder(join(dir, 'data'), ['a', 'b'], 33, 20);
  const modelPath = writeTinyClassifier(join(dir, 'tiny.onnx'), { numClasses: 2, inputSize: 16 });
  const model = loadModelFile(modelPath);
  const classifier = await OnnxClassifier.create(model);
  const measured = await calibratePipeline(model, classifier, loadDataset(data).samples, 16);
  await classifier.dispose();
  assert.ok(measured.preprocessSeconds > 0 && measured.inferenceSeconds > 0);
  assert.equal(measured.cores, 16);
  assert.ok(measured.workers + measured.threads <= 16);

  const auto = await runEvaluation({ model: modelPath, data, store: join(dir, 'auto.db'), batchSize: 8 });
  assert.ok(auto.pipeline, '66 images are enough to calibrate');
  const explicit = await runEvaluation({ model: modelPath, data, store: join(dir, 'explicit.db'), batchSize: 8, workers: 1 });
  assert.equal(explicit.pipeline, undefined, 'explicit workers win');
  assert.equal(auto.run.id, explicit.run.id);
  const records = (file: string, id: string) => {
    const store = new ResultStore(join(dir, file));
    const r = JSON.stringify(store.records(id));
    store.close();
    return r;
  };
  assert.equal(records('auto.db', auto.run.id), records('explicit.db', explicit.run.id));
  // A rerun of the finished run has nothing pending, so it times nothing and leaves the records as they were.
  const before = records('auto.db', auto.run.id);
  const rerun = await runEvaluation({ model: modelPath, data, store: join(dir, 'auto.db'), batchSize: 8 });
  assert.equal(rerun.run.id, auto.run.id);
  assert.equal(rerun.evaluatedNow, 0);
  assert.equal(rerun.pipeline, undefined, 'nothing pending: no calibration');
  assert.equal(records('auto.db', auto.run.id), before);
  // Only the clean pipeline is what the calibration times; another suite keeps the defaults.
  const other = await runEvaluation({ model: modelPath, data, store: join(dir, 'other.db'), batchSize: 8, suite: { ...cleanSuite, name: 'clean-twin' } });
  assert.equal(other.pipeline, undefined);
});

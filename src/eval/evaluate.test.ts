import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runEvaluation } from './run.js';
import { ResultStore } from '../store/store.js';
import { tempDir, writeImageFolder, writeTinyClassifier } from '../testing/fixtures.js';
import { RobustartError } from '../errors.js';
import type { Suite } from './suite.js';
import { suites } from './suites/index.js';
import { CLEAN } from './condition.js';
import { z } from '../util/native.js';

async function fixture(classes = ['a', 'b', 'c'], perClass = 6) {
  const dir = tempDir();
  const data = await writeImageFolder(join(dir, 'data'), classes, perClass, 20);
  const model = writeTinyClassifier(join(dir, 'tiny.onnx'), { numClasses: classes.length, inputSize: 16 });
  return { dir, data, model, store: join(dir, 'results.db') };
}

test('clean evaluation stores one record per sample and metrics that agree with the records', async () => {
  const f = await fixture();
  const result = await runEvaluation({ model: f.model, data: f.data, store: f.store, batchSize: 4 });
  const clean = result.perCondition.get('clean')!;
  assert.equal(clean.count, 18);
  assert.equal(result.evaluatedNow, 18);
  const store = new ResultStore(f.store);
  const records = store.records(result.run.id);
  assert.equal(records.length, 18);
  assert.equal(new Set(records.map((r) => r.sampleId)).size, 18);
  const correct = records.filter((r) => r.top5![0] === r.label).length;
  assert.equal(clean.top1, correct / 18);
  assert.ok(records.every((r) => r.confidence! >= r.trueProbability! - 1e-12 && r.confidence! <= 1));
  const stored = Object.fromEntries(store.metrics(result.run.id).map((m) => [m.name, m.value]));
  assert.equal(stored.top1, clean.top1);
  assert.equal(stored.count, 18);
  assert.equal(store.getRun(result.run.id)!.status, 'finished');
  store.close();
});

test('rerunning the same evaluation re-evaluates nothing and gives identical numbers; another seed is another run', async () => {
  const f = await fixture();
  const first = await runEvaluation({ model: f.model, data: f.data, store: f.store, limit: 10, seed: 3 });
  const again = await runEvaluation({ model: f.model, data: f.data, store: f.store, limit: 10, seed: 3 });
  assert.equal(again.run.id, first.run.id);
  assert.equal(again.evaluatedNow, 0);
  assert.deepEqual(again.perCondition.get('clean'), first.perCondition.get('clean'));
  const other = await runEvaluation({ model: f.model, data: f.data, store: f.store, limit: 10, seed: 4 });
  assert.notEqual(other.run.id, first.run.id);
  const fresh = await runEvaluation({ model: f.model, data: f.data, store: f.store, limit: 10, seed: 3, fresh: true });
  assert.equal(fresh.evaluatedNow, 10);
});

test('a truncated image is skipped and counted, not fatal', async () => {
  const f = await fixture();
  const victim = join(f.data, 'b', 'img-002.jpg');
  const bytes = readFileSync(victim);
  writeFileSync(victim, bytes.subarray(0, bytes.length >> 1));
  writeFileSync(join(f.data, 'c', 'zz-empty.png'), '');
  const result = await runEvaluation({ model: f.model, data: f.data, store: f.store, batchSize: 5 });
  assert.equal(result.skipped.get('clean'), 2);
  assert.equal(result.perCondition.get('clean')!.count, 17);
  const store = new ResultStore(f.store);
  const skipped = store.records(result.run.id).filter((r) => r.status === 'skipped');
  assert.deepEqual(skipped.map((r) => r.sampleId).sort(), ['b/img-002.jpg', 'c/zz-empty.png']);
  assert.ok(skipped.every((r) => /cannot decode image/.test(r.error ?? '')));
  store.close();
});

test('a dataset whose class count differs from the model is refused before any work', async () => {
  const f = await fixture(['a', 'b', 'c', 'd'], 1);
  const model = writeTinyClassifier(join(f.dir, 'three.onnx'), { numClasses: 3 });
  await assert.rejects(runEvaluation({ model, data: f.data, store: f.store }), (err: unknown) => err instanceof RobustartError && /has 4 classes but model three predicts 3/.test(err.message));
});

test('conditions with an image noise get per-sample seeded draws: same seed, same numbers', async () => {
  const f = await fixture();
  const noisy: Suite = {
    name: 'test-noise',
    description: 'uniform noise for the test',
    conditions: () => [
      { name: 'clean' },
      { name: 'uniform', imageNoise: { name: 'uniform', apply: (img, rng) => ({ ...img, data: img.data.map((v) => Math.min(1, Math.max(0, v + rng.uniformIn(-0.5, 0.5)))) }) } },
    ],
    summarize: (per) => ({ gap: per.get('clean')!.top1 - per.get('uniform')!.top1 }),
  };
  suites.push(noisy);
  try {
    const a = await runEvaluation({ model: f.model, data: f.data, store: f.store, suite: 'test-noise', seed: 5 });
    const b = await runEvaluation({ model: f.model, data: f.data, store: join(f.dir, 'other.db'), suite: 'test-noise', seed: 5, batchSize: 7 });
    const storeA = new ResultStore(f.store);
    const storeB = new ResultStore(join(f.dir, 'other.db'));
    assert.deepEqual(storeA.records(a.run.id, 'uniform'), storeB.records(b.run.id, 'uniform'));
    assert.notDeepEqual(storeA.records(a.run.id, 'uniform').map((r) => r.confidence), storeA.records(a.run.id, 'clean').map((r) => r.confidence));
    assert.equal(a.suiteMetrics.gap, a.perCondition.get('clean')!.top1 - a.perCondition.get('uniform')!.top1);
    storeA.close();
    storeB.close();
  } finally {
    suites.pop();
  }
});

test('a condition can read its samples from a pre-made noisy copy of the dataset', async () => {
  const f = await fixture(['a', 'b'], 3);
  const copy = join(f.dir, 'copy');
  await writeImageFolder(copy, ['a', 'b'], 3, 20, 99); // same names, other pixels
  const suite: Suite = { name: 'test-copy', description: 'reads a copy', conditions: () => [{ name: 'clean' }, { name: 'copy', samplePath: (s) => join(copy, s.id) }] };
  suites.push(suite);
  try {
    const result = await runEvaluation({ model: f.model, data: f.data, store: f.store, suite: 'test-copy' });
    const store = new ResultStore(f.store);
    const clean = store.records(result.run.id, 'clean');
    const fromCopy = store.records(result.run.id, 'copy');
    assert.equal(fromCopy.length, 6);
    assert.deepEqual(fromCopy.map((r) => r.sampleId), clean.map((r) => r.sampleId));
    assert.notDeepEqual(fromCopy.map((r) => r.confidence), clean.map((r) => r.confidence));
    store.close();
  } finally {
    suites.pop();
  }
});

test('preprocessing in worker threads gives exactly the records of the main-thread path', async () => {
  const f = await fixture();
  const inWorkers = await runEvaluation({ model: f.model, data: f.data, store: f.store, workers: 2, batchSize: 5 });
  const onMain = await runEvaluation({ model: f.model, data: f.data, store: join(f.dir, 'main.db'), workers: 0, batchSize: 5 });
  assert.equal(inWorkers.evaluatedNow, 18);
  assert.equal(onMain.evaluatedNow, 18);
  const a = new ResultStore(f.store);
  const b = new ResultStore(join(f.dir, 'main.db'));
  assert.deepEqual(a.records(inWorkers.run.id), b.records(onMain.run.id));
  a.close();
  b.close();
});

test("a run's identity is canonical: the same suite options in another key order (at any depth) are the same run", async () => {
  const f = await fixture();
  // A suite whose one option takes any JSON value, so the options can nest.
  const nested: Suite = { name: 'nested-options', description: 'clean, with a free-form option', options: z.object({ extra: z.unknown().optional(), tag: z.string().optional() }), conditions: () => [CLEAN] };
  const first = await runEvaluation({ model: f.model, data: f.data, store: f.store, limit: 6, suite: nested, suiteOptions: { tag: 't', extra: { b: 1, a: [2, { d: 1, c: 2 }] } } });
  const reordered = await runEvaluation({ model: f.model, data: f.data, store: f.store, limit: 6, suite: nested, suiteOptions: { extra: { a: [2, { c: 2, d: 1 }], b: 1 }, tag: 't' } });
  assert.equal(reordered.run.id, first.run.id);
  assert.equal(reordered.evaluatedNow, 0);
  // Array order is meaningful: another order is another run.
  const otherArray = await runEvaluation({ model: f.model, data: f.data, store: f.store, limit: 6, suite: nested, suiteOptions: { tag: 't', extra: { b: 1, a: [{ d: 1, c: 2 }, 2] } } });
  assert.notEqual(otherArray.run.id, first.run.id);
});

test('natural runs record the frost and elastic variants: the default and naming it are one run, the other variant another', async () => {
  const f = await fixture();
  const base = { model: f.model, data: f.data, store: f.store, limit: 4, suite: 'natural' };
  const byDefault = await runEvaluation({ ...base, suiteOptions: { corruptions: 'elastic_transform', severities: '2' } });
  const named = await runEvaluation({ ...base, suiteOptions: { corruptions: 'elastic_transform', severities: '2', elastic: 'original', frost: 'photographs' } });
  assert.equal(named.run.id, byDefault.run.id);
  const store = new ResultStore(f.store);
  const config = store.getRun(byDefault.run.id)!.config as { suiteOptions: Record<string, unknown> };
  assert.equal(config.suiteOptions.elastic, 'original');
  assert.equal(config.suiteOptions.frost, 'photographs');
  store.close();
  const other = await runEvaluation({ ...base, suiteOptions: { corruptions: 'elastic_transform', severities: '2', elastic: 'imagecorruptions' } });
  assert.notEqual(other.run.id, byDefault.run.id);
  await assert.rejects(runEvaluation({ ...base, suiteOptions: { corruptions: 'elastic_transform', elastic: 'warped' } }), (e: unknown) => e instanceof RobustartError && /elastic.*'warped'.*original.*imagecorruptions/.test((e as Error).message));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { evaluate } from '../evaluate.js';
import { loadDataset } from '../../data/dataset.js';
import { OnnxClassifier } from '../../model/classifier.js';
import { resolveModel } from '../../model/resolve.js';
import { ResultStore } from '../../store/store.js';
import { tempDir, writeImageFolder, writeTinyClassifier } from '../../testing/fixtures.js';
import { RobustartError } from '../../errors.js';
import { accuracySummary, commonSubsetSummary, flipFraction, nsd, predictionsFromRecords, systemConditions, systemSuite } from './system.js';
import type { SampleRecord } from '../../store/store.js';

test('NSD is the population standard deviation of per-combination accuracies', () => {
  assert.equal(nsd([0.5, 0.5]), 0);
  assert.ok(Math.abs(nsd([0.6, 0.8]) - 0.1) < 1e-12);
  const s = accuracySummary(new Map([['a+x', 0.9], ['a+y', 0.7], ['b+x', 0.8]]));
  assert.equal(s.combinations, 3);
  assert.ok(Math.abs(s.mean_top1 - 0.8) < 1e-12);
  assert.equal(s.worst_top1, 0.7);
  assert.equal(s.best_top1, 0.9);
  assert.ok(Math.abs(s.nsd - Math.sqrt(0.02 / 3)) < 1e-12);
});

test('flip fraction counts samples whose top-1 differs anywhere in the grid, over samples seen everywhere', () => {
  const rec = (noise: string, sampleId: string, top1: number): SampleRecord => ({ noise, sampleId, label: 0, status: 'ok', top5: [top1, 9] });
  const records = [
    rec('a+x', 's1', 1), rec('a+y', 's1', 1), rec('b+x', 's1', 1),
    rec('a+x', 's2', 1), rec('a+y', 's2', 2), rec('b+x', 's2', 1),
    rec('a+x', 's3', 4), rec('a+y', 's3', 4), // s3 missing under b+x: left out
    { noise: 'b+x', sampleId: 's3', label: 0, status: 'skipped', error: 'cannot decode' } as SampleRecord,
  ];
  assert.deepEqual(flipFraction(predictionsFromRecords(records)), { flipFraction: 0.5, samples: 2 });
});

test('the default grid is decoder-major, at least 6 decoders x 29 resizers, and options choose it', () => {
  const grid = systemConditions({});
  assert.ok(grid.length >= 6 * 29);
  assert.equal(grid[0].name, 'sharp+pil-nearest');
  assert.ok(grid.every((c) => c.decoder && c.resizer && c.name === `${c.decoder.name}+${c.resizer.name}`));
  const small = systemConditions({ decoders: 'jpegjs, sharp', resizers: ['cv2-area', 'tf-bilinear-aa'] });
  assert.deepEqual(small.map((c) => c.name), ['jpegjs+cv2-area', 'jpegjs+tf-bilinear-aa', 'sharp+cv2-area', 'sharp+tf-bilinear-aa']);
  assert.throws(() => systemConditions({ resizers: 'pil-fancy' }), RobustartError);
});

test('a small grid runs end to end through evaluate(): one record per sample and combination, summary stored', async () => {
  const dir = tempDir();
  const data = await writeImageFolder(join(dir, 'data'), ['a', 'b'], 3, 20);
  const modelPath = writeTinyClassifier(join(dir, 'tiny.onnx'), { numClasses: 2, inputSize: 16 });
  const store = new ResultStore(join(dir, 'results.db'));
  const model = resolveModel(modelPath, store);
  const dataset = loadDataset(data, model.metadata.labels);
  const classifier = await OnnxClassifier.create(model, {});
  try {
    const suiteOptions = { decoders: 'sharp,jpegjs,djpeg-islow-nosmooth', resizers: 'pil-bicubic,cv2-linear,torch-bilinear-aa,tf-area' };
    const result = await evaluate({ model, classifier, dataset, samples: dataset.samples, store, suite: systemSuite, seed: 0, batchSize: 4, suiteOptions });
    assert.equal(result.perCondition.size, 12);
    const records = store.records(result.run.id);
    assert.equal(records.length, 12 * 6);
    assert.ok(records.every((r) => r.status === 'ok'));
    assert.equal(result.suiteMetrics.combinations, 12);
    const top1s = [...result.perCondition.values()].map((m) => m.top1);
    assert.equal(result.suiteMetrics.worst_top1, Math.min(...top1s));
    assert.ok(Math.abs((result.suiteMetrics.nsd as number) - nsd(top1s)) < 1e-12);
    const flips = flipFraction(predictionsFromRecords(records));
    assert.equal(flips.samples, 6);
    assert.ok(flips.flipFraction >= 0 && flips.flipFraction <= 1);
  } finally {
    await classifier.dispose();
    store.close();
  }
});

test('decoders that disagree on which images they read: counted, warned about, and compared on the common subset', () => {
  const rec = (noise: string, sampleId: string, label: number, top1?: number): SampleRecord =>
    top1 === undefined ? { noise, sampleId, label, status: 'skipped', error: 'truncated' } : { noise, sampleId, label, status: 'ok', top5: [top1] };
  // ffmpeg reads the truncated image c (and gets it wrong); sharp skips it.
  const records = new Map<string, SampleRecord[]>([
    ['sharp+pil-bilinear', [rec('sharp+pil-bilinear', 'a', 0, 0), rec('sharp+pil-bilinear', 'b', 1, 0), rec('sharp+pil-bilinear', 'c', 1)]],
    ['ffmpeg+pil-bilinear', [rec('ffmpeg+pil-bilinear', 'a', 0, 0), rec('ffmpeg+pil-bilinear', 'b', 1, 1), rec('ffmpeg+pil-bilinear', 'c', 1, 0)]],
  ]);
  const summary = commonSubsetSummary(records);
  assert.equal(summary.decoded_by_some_only, 1);
  assert.equal(summary.common_samples, 2);
  assert.equal(summary.common_worst_top1, 0.5);
  assert.equal(summary.common_best_top1, 1);
  assert.match(systemSuite.warnings!(summary)[0], /1 image\(s\) were decoded by some decoders and skipped by others.* on the 2 images every combination decoded/);
  assert.deepEqual(systemSuite.warnings!({ decoded_by_some_only: 0 }), []);
});

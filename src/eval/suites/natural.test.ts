import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALEXNET_CORRUPTION_ERRORS, ALEXNET_CLEAN_ERROR, MCE_CORRUPTIONS } from '../../metrics/corruption.js';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { SampleRecord } from '../../store/store.js';
import { syntheticImage } from '../../noise/natural/fixture.js';
import { Rng } from '../../util/rng.js';
import type { FloatImage } from '../../data/image.js';
import { KEEP_SIZE, corruptionSummary, naturalConditions, naturalSuite, perturbationSummary } from './natural.js';
import { CorruptionPool } from '../../noise/natural/pool.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('conditions: clean + 19 corruptions x 5 severities by default; lists and ImageNet-P frames on request', () => {
  const all = naturalConditions({}, 0);
  assert.equal(all.length, 1 + 19 * 5);
  assert.equal(all[0].name, 'clean');
  assert.ok(all.some((c) => c.name === 'jpeg_compression/5'));
  const some = naturalConditions({ corruptions: 'fog,snow', severities: '3', 'imagenet-p': true, perturbations: 'rotate' }, 0);
  assert.deepEqual(some.slice(0, 3).map((c) => c.name), ['clean', 'fog/3', 'snow/3']);
  assert.equal(some.length, 3 + 31);
  assert.equal(some[3].name, 'imagenet-p/rotate/00');
});

test('ImageNet-P frame conditions of one image share their sequence whatever stream each gets', async () => {
  const image = syntheticImage(48, 40, 2);
  const frames = naturalConditions({ corruptions: 'fog', severities: '1', 'imagenet-p': true, perturbations: 'snow' }, 7).slice(2);
  const a = (await frames[5].imageNoise!.apply(image, new Rng(1))) as FloatImage;
  const b = (await frames[5].imageNoise!.apply(image, new Rng(99))) as FloatImage;
  assert.deepEqual(a.data, b.data);
});

test('summary: AlexNet-like accuracies give mCE 1; extras are reported as mean errors', () => {
  const top1 = new Map<string, number>([['clean', 1 - ALEXNET_CLEAN_ERROR]]);
  for (const [c, e] of Object.entries(ALEXNET_CORRUPTION_ERRORS)) for (let s = 1; s <= 5; s++) top1.set(`${c}/${s}`, 1 - e);
  top1.set('spatter/1', 0.5);
  const summary = corruptionSummary(top1);
  assert.ok(Math.abs(summary.mCE! - 1) < 1e-9);
  assert.ok(Math.abs(summary.relative_mCE! - 1) < 1e-9);
  assert.ok(Math.abs(summary['CE/fog']! - 1) < 1e-9);
  assert.equal(summary['mean_error/spatter'], 0.5);
  // Missing severities: no CE, no mCE.
  top1.delete('fog/2');
  const partial = corruptionSummary(top1);
  assert.equal(partial.mCE, null);
  // The other 14 still ran at all five severities: their mean is stated with its subset size.
  assert.ok(Math.abs(partial.mCE_subset! - 1) < 1e-9);
  assert.equal(partial.mCE_subset_corruptions, 14);
  assert.match(naturalSuite.metricNotes!.mCE, /needs all 15 × 5/);
});

test('ImageNet-P summary: flip probability and top-5 distance per perturbation from frame records', () => {
  const records: SampleRecord[] = [];
  for (let j = 0; j < 31; j++) {
    // Sample a flips once (frame 10); sample b never.
    records.push({ noise: `imagenet-p/rotate/${String(j).padStart(2, '0')}`, sampleId: 'a', label: 0, status: 'ok', top5: j < 10 ? [1, 2, 3, 4, 5] : [2, 1, 3, 4, 5] });
    records.push({ noise: `imagenet-p/rotate/${String(j).padStart(2, '0')}`, sampleId: 'b', label: 0, status: 'ok', top5: [7, 8, 9, 10, 11] });
  }
  const summary = perturbationSummary(records);
  assert.ok(Math.abs(summary['FP/rotate']! - (1 / 30 + 0) / 2) < 1e-12);
  assert.ok(Math.abs(summary['T5D/rotate']! - (2 / 30) / 2) < 1e-12);
  assert.equal(summary.mFP, summary['FP/rotate']);
});

test('imagenet-c=DIR reads each corruption x severity from the tree, centre-crop only for 224x224 models', () => {
  const dir = mkdtempSync(join(tmpdir(), 'imagenet-c-'));
  for (const c of MCE_CORRUPTIONS) for (let s = 1; s <= 5; s++) mkdirSync(join(dir, c, String(s)), { recursive: true });
  const conditions = naturalConditions({ 'imagenet-c': dir }, 0, [3, 224, 224]);
  assert.equal(conditions.length, 1 + 15 * 5);
  const fog3 = conditions.find((c) => c.name === 'fog/3')!;
  const sample = { id: 'n01440764/ILSVRC2012_val_00000293.JPEG', path: '/data/val/n01440764/ILSVRC2012_val_00000293.JPEG', label: 0 };
  assert.equal(fog3.samplePath!(sample), join(dir, 'fog', '3', 'n01440764', 'ILSVRC2012_val_00000293.JPEG'));
  assert.equal(fog3.resizer, KEEP_SIZE);
  assert.equal(fog3.imageNoise, undefined);
  assert.equal(naturalConditions({ 'imagenet-c': dir }, 0, [3, 32, 32])[1].resizer, undefined);
  assert.throws(() => naturalConditions({ 'imagenet-c': join(dir, 'no-such-tree-robustart') }, 0), /does not exist/);
  rmSync(join(dir, 'fog', '3'), { recursive: true });
  rmSync(join(dir, 'snow'), { recursive: true });
  assert.throws(() => naturalConditions({ 'imagenet-c': dir }, 0), /lacks 6 of the 75 corruption\/severity folders it needs: snow\/1, snow\/2, snow\/3, snow\/4, snow\/5, fog\/3/);
  assert.equal(naturalConditions({ 'imagenet-c': dir, corruptions: 'fog', severities: '1,2' }, 0).length, 3);
});

test('corruptions on the worker pool give the same images as in this thread', async () => {
  const pool = new CorruptionPool({ workers: 2 });
  try {
    const image = syntheticImage(40, 32, 3);
    const options = { corruptions: 'gaussian_noise,frost,jpeg_compression', severities: '2' };
    const local = naturalConditions(options, 0).slice(1);
    const pooled = naturalConditions(options, 0, undefined, undefined, pool).slice(1);
    for (let i = 0; i < local.length; i++) {
      const a = (await local[i].imageNoise!.apply(image, new Rng(5))) as FloatImage;
      const b = (await pooled[i].imageNoise!.apply(image, new Rng(5))) as FloatImage;
      assert.equal(pooled[i].name, local[i].name);
      assert.deepEqual(b.data, a.data, local[i].name);
    }
  } finally {
    await pool.close();
  }
});

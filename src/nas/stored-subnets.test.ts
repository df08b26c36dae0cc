import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ResultStore } from '../store/store.js';
import { tempDir, writeTinyClassifier } from '../testing/fixtures.js';
import { TEST_NAS_SUITES, TEST_SPACE, TEST_SUBNETS, writeNasStore } from '../testing/nas-store.js';
import { metricsFromRuns } from '../study/leaderboard.js';
import { nasAnalysis, nasSpaces, subnetMetadata } from './stored-subnets.js';
import { SUBSET_CORRUPTION_ERROR } from './corruption-subset.js';

test('the analysis reads each registered subnet and the metrics of its stored runs, as the leaderboard computes them', async () => {
  const dir = tempDir();
  const store = new ResultStore(await writeNasStore(dir));
  try {
    // A model without nas metadata is not a subnet; its runs do not enter.
    store.putModel({ name: 'other', path: writeTinyClassifier(join(dir, 'other.onnx'), { numClasses: 3 }), sha256: 'x', metadata: {}, parameters: 1, macs: 1 });
    const a = nasAnalysis(store);
    assert.deepEqual(nasSpaces(store), [{ space: TEST_SPACE, subnets: TEST_SUBNETS.length, evaluated: TEST_SUBNETS.length, datasets: [{ fingerprint: a.dataset!, root: join(dir, 'images') }] }]);
    assert.equal(a.space, TEST_SPACE);
    assert.deepEqual(a.spaceHashes, ['f00d']);
    assert.ok(a.dataset && /^[0-9a-f]+$/.test(a.dataset));
    assert.deepEqual(a.subnets.map((s) => s.name), TEST_SUBNETS.map((s) => `${TEST_SPACE}/${s.id}`));
    assert.deepEqual(a.dimensions, ['depth', 'width[0]', 'width[1]']);
    assert.deepEqual(a.subnets[4].architecture, { depth: 2, 'width[0]': 8, 'width[1]': 16 });
    // Bigger subnets have more parameters and MACs (the zoo's counts, stored in the metadata).
    const params = a.subnets.map((s) => s.params!);
    assert.ok(params.every((p, i) => i === 0 || p > params[i - 1]), `params grow with the choices: ${params}`);
    // The headline columns of the four suites: clean top-1, mCE, NSD, robust accuracy and AR per budget.
    const keys = a.columns.map((c) => c.key);
    for (const key of ['clean_top1', 'mCE', 'nsd', 'robust_accuracy/linf/2/255', 'ar/fgsm/linf/8/255']) assert.ok(keys.includes(key), `${key} in ${keys}`);
    for (const s of a.subnets) {
      assert.deepEqual(Object.keys(s.runs).sort(), TEST_NAS_SUITES.map((x) => x.suite).sort());
      const top1 = s.metrics.clean_top1!;
      assert.ok(top1 >= 0 && top1 <= 1 && Math.round(top1 * 6) === top1 * 6, `clean top-1 is a count of the 6 images: ${top1}`);
      // The same numbers the study leaderboard computes from these runs.
      const direct = metricsFromRuns(store, Object.entries(s.runs).map(([entry, runId]) => [entry, { suite: store.getRun(runId)!.suite, runId }]));
      // Besides them, the subset mean corruption error (no subnet has an mCE): here one corruption at severities 1
      // and 5, so it equals the natural suite's own mean error of that corruption.
      const { [SUBSET_CORRUPTION_ERROR]: subsetError, ...leaderboardMetrics } = s.metrics;
      assert.deepEqual(leaderboardMetrics, direct.metrics);
      assert.ok(Math.abs(subsetError! - direct.metrics['natural/mean_error/gaussian_noise']!) < 1e-12);
    }
    // mCE needs all 15 corruptions at 5 severities: no subnet has one, so its correlations count no pairs.
    const mce = a.correlations.filter((c) => c.metric === 'mCE');
    assert.ok(mce.length > 0 && mce.every((c) => c.n === 0 && c.spearman === null));
    const paramsClean = a.correlations.find((c) => c.dimension === 'params' && c.metric === 'clean_top1')!;
    assert.equal(paramsClean.n, TEST_SUBNETS.length);
    assert.equal(a.correlations.length, (a.dimensions.length + 2) * a.columns.length);
    // The cheapest subnet is always on a front against MACs (nothing costs less), unless its metric is missing.
    for (const front of a.pareto.filter((p) => p.cost === 'macs' && a.subnets[0].metrics[p.metric] !== null)) assert.equal(front.subnets[0], `${TEST_SPACE}/0`, front.metric);
  } finally {
    store.close();
  }
});

test('choosing a space and a dataset, and malformed metadata, are one-line errors', async () => {
  const dir = tempDir();
  const store = new ResultStore(join(dir, 'results.db'));
  try {
    assert.throws(() => nasAnalysis(store), /holds no NAS subnets/);
    const file = writeTinyClassifier(join(dir, 'm.onnx'), { numClasses: 3 });
    const nas = (space: string) => ({ nas: { space, spaceHash: 'h', choices: { depth: [1, 2] }, params: 10, macs: 20 } });
    store.putModel({ name: 'a/0', path: file, sha256: 's0', metadata: nas('a'), parameters: 10, macs: 20 });
    store.putModel({ name: 'b/0', path: file, sha256: 's1', metadata: nas('b'), parameters: 10, macs: 20 });
    assert.throws(() => nasAnalysis(store), /subnets of 2 search spaces \(a, b\); choose one/);
    assert.throws(() => nasAnalysis(store, { space: 'c' }), /no subnets of search space 'c'; it has a, b/);
    // Registered but not evaluated: a table row without metrics.
    const a = nasAnalysis(store, { space: 'a' });
    assert.deepEqual(a.subnets.map((s) => [s.name, s.subnetId, s.metrics]), [['a/0', '0', {}]]);
    assert.equal(a.dataset, null);
    assert.throws(() => nasAnalysis(store, { space: 'a', dataset: 'abc' }), /dataset 'abc' matches none/);
    const broken = { name: 'a/1', path: file, sha256: 's2', metadata: { nas: { space: 'a', spaceHash: 'h', choices: { depth: 'deep' }, params: 1, macs: 1 } }, parameters: 1, macs: 1 };
    store.putModel(broken);
    assert.throws(() => nasAnalysis(store, { space: 'a' }), /model 'a\/1' .* NAS metadata without a number or a list of numbers for choice 'depth'/);
    assert.equal(subnetMetadata({ ...broken, metadata: {}, addedAt: '' }), undefined);
  } finally {
    store.close();
  }
});

test('runs on several datasets need a choice by fingerprint or root; a second run of a suite keeps its own entry', () => {
  const store = new ResultStore(join(tempDir(), 'results.db'));
  try {
    store.putModel({ name: 's/a', path: '/m.onnx', sha256: 'ha', metadata: { nas: { space: 's', spaceHash: 'h', choices: { depth: 2 }, params: 10, macs: 20 } }, parameters: 10, macs: 20 });
    store.putDataset({ fingerprint: 'aaaa1111', kind: 'folder', root: '/data/one', numSamples: 4, classes: ['x'] });
    store.putDataset({ fingerprint: 'bbbb2222', kind: 'folder', root: '/data/two', numSamples: 4, classes: ['x'] });
    const stored = (id: string, suite: string, dataset: string, top1: number, modelName = 's/a') => {
      store.openRun({ id, suite, modelName, modelSha256: 'ha', datasetFingerprint: dataset, config: {}, seed: 0, versions: {} });
      store.setMetrics(id, 'clean', { top1 });
      store.finishRun(id, 'finished', { suiteMetrics: {} });
    };
    stored('r1', 'clean', 'aaaa1111', 0.5);
    stored('r2', 'clean', 'bbbb2222', 0.25, 'subnet-a.onnx'); // evaluated by path: found by its file hash
    assert.throws(() => nasAnalysis(store), /evaluated on 2 datasets: aaaa1111 \(\/data\/one\), bbbb2222 \(\/data\/two\); choose one by fingerprint or root/);
    assert.equal(nasAnalysis(store, { dataset: '/data/two' }).subnets[0].metrics.clean_top1, 0.25);
    assert.equal(nasAnalysis(store, { dataset: 'aaaa' }).subnets[0].metrics.clean_top1, 0.5);
    stored('r3', 'clean', 'aaaa1111', 0.75);
    const twice = nasAnalysis(store, { dataset: 'aaaa' }).subnets[0];
    assert.deepEqual(twice.runs, { clean: 'r1', 'clean#2': 'r3' });
    // As in the leaderboard, a clean suite's top-1 replaces an earlier entry's: the later clean run gives clean top-1.
    assert.equal(twice.metrics.clean_top1, 0.75);
  } finally {
    store.close();
  }
});

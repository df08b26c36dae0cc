import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ResultStore } from '../store/store.js';
import { tempDir } from '../testing/fixtures.js';
import { commonCorruptionSubset, corruptionSubsetNote, subsetCorruptionColumn, subsetCorruptionError, SUBSET_CORRUPTION_ERROR, type SubsetCorruptionError } from './corruption-subset.js';
import { nasAnalysis } from './stored-subnets.js';

const DATASET = 'aaaa1111';

/** A subnet `s/<id>` with a clean run and a natural run whose conditions have the given top-1 (as evaluate() stores them). */
function storeSubnet(store: ResultStore, id: string, natural: Record<string, number>, suiteMetrics: Record<string, number | null> = { mCE: null }): void {
  store.putModel({ name: `s/${id}`, path: `/${id}.onnx`, sha256: `h${id}`, metadata: { nas: { space: 's', spaceHash: 'h', choices: { depth: Number(id) }, params: 10 + Number(id), macs: 20 + Number(id) } }, parameters: 10, macs: 20 });
  const open = (runId: string, suite: string) => store.openRun({ id: runId, suite, modelName: `s/${id}`, modelSha256: `h${id}`, datasetFingerprint: DATASET, config: {}, seed: 0, versions: {} });
  open(`clean-${id}`, 'clean');
  store.setMetrics(`clean-${id}`, 'clean', { top1: 0.9 });
  store.finishRun(`clean-${id}`, 'finished', { suiteMetrics: {}, conditionMeta: { clean: { kind: 'clean' } } });
  open(`natural-${id}`, 'natural');
  const conditionMeta: Record<string, unknown> = { clean: { kind: 'clean' } };
  store.setMetrics(`natural-${id}`, 'clean', { top1: 0.9 });
  for (const [name, top1] of Object.entries(natural)) {
    const [corruption, severity] = name.split('/');
    conditionMeta[name] = { kind: 'corruption', corruption, severity: Number(severity) };
    store.setMetrics(`natural-${id}`, name, { top1 });
  }
  store.finishRun(`natural-${id}`, 'finished', { suiteMetrics, conditionMeta });
}

test('a natural run\'s subset mean: the top-1 error over its main-corruption conditions only', () => {
  const store = new ResultStore(join(tempDir(), 'results.db'));
  try {
    store.putDataset({ fingerprint: DATASET, kind: 'folder', root: '/data', numSamples: 4, classes: ['x'] });
    // speckle_noise is one of the four extra corruptions (no AlexNet baseline, not among the 15): left out.
    storeSubnet(store, '1', { 'fog/3': 0.5, 'contrast/3': 0.25, 'gaussian_noise/3': 0.75, 'speckle_noise/3': 0 });
    const subset = subsetCorruptionError(store, 'natural-1')!;
    assert.deepEqual(subset.conditions, ['contrast/3', 'fog/3', 'gaussian_noise/3']);
    // In the ImageNet-C paper's order (noise, blur, weather, digital).
    assert.deepEqual(subset.corruptions, ['gaussian_noise', 'fog', 'contrast']);
    assert.deepEqual(subset.severities, [3]);
    assert.equal(subset.meanError, (0.5 + 0.75 + 0.25) / 3);
    assert.equal(subsetCorruptionError(store, 'clean-1'), null, 'a run without corruptions has no subset mean');
  } finally {
    store.close();
  }
});

test('the column and note say it is a subset, which conditions, and never call it mCE', () => {
  const subset = { corruptions: ['gaussian_noise', 'defocus_blur', 'fog', 'contrast'], severities: [3], conditions: ['contrast/3', 'defocus_blur/3', 'fog/3', 'gaussian_noise/3'] };
  const column = subsetCorruptionColumn(subset);
  assert.deepEqual(column, { key: SUBSET_CORRUPTION_ERROR, label: 'mean corruption error, 4 of 15 corruptions, severity 3', unit: 'fraction', better: 'lower', group: 'natural' });
  assert.equal(subsetCorruptionColumn({ ...subset, severities: [1, 2, 3, 4, 5] }).label, 'mean corruption error, 4 of 15 corruptions, severities 1–5');
  assert.equal(subsetCorruptionColumn({ ...subset, severities: [1, 5] }).label, 'mean corruption error, 4 of 15 corruptions, severities 1,5');
  const note = corruptionSubsetNote(subset);
  assert.match(note, /over 4 corruption conditions \(gaussian_noise, defocus_blur, fog, contrast; severity 3\), unnormalised; mCE needs all 15 corruptions at severities 1–5/);
  assert.doesNotMatch(column.label, /mCE/);
});

test('subnets are compared on the condition set most of them ran; ties go to the larger set', () => {
  const of = (conditions: string[], meanError = 0.5): SubsetCorruptionError => ({ corruptions: [], severities: [3], conditions, meanError });
  assert.equal(commonCorruptionSubset([null, null]), undefined);
  assert.deepEqual(commonCorruptionSubset([of(['fog/3']), null, of(['fog/3', 'snow/3']), of(['fog/3'])])?.conditions, ['fog/3']);
  assert.deepEqual(commonCorruptionSubset([of(['fog/3']), of(['fog/3', 'snow/3'])])?.conditions, ['fog/3', 'snow/3']);
});

test('the analysis adds the subset column when no subnet has an mCE, and leaves it out when one has', () => {
  const store = new ResultStore(join(tempDir(), 'results.db'));
  try {
    store.putDataset({ fingerprint: DATASET, kind: 'folder', root: '/data', numSamples: 4, classes: ['x'] });
    storeSubnet(store, '1', { 'fog/3': 0.5, 'contrast/3': 0.25 });
    storeSubnet(store, '2', { 'fog/3': 0.75, 'contrast/3': 0.75 });
    // Another condition set: not comparable, so no value in the column.
    storeSubnet(store, '3', { 'fog/3': 0.75 });
    const a = nasAnalysis(store);
    assert.deepEqual(a.corruptionSubset, { corruptions: ['fog', 'contrast'], severities: [3], conditions: ['contrast/3', 'fog/3'] });
    const column = a.columns.find((c) => c.key === SUBSET_CORRUPTION_ERROR)!;
    assert.equal(column.label, 'mean corruption error, 2 of 15 corruptions, severity 3');
    assert.deepEqual(a.subnets.map((s) => s.metrics[SUBSET_CORRUPTION_ERROR]), [0.625, 0.25, null]);
    // It takes part in the correlations and fronts like any metric: lower is better.
    assert.equal(a.correlations.find((c) => c.dimension === 'depth' && c.metric === SUBSET_CORRUPTION_ERROR)!.n, 2);
    assert.deepEqual(a.pareto.find((p) => p.metric === SUBSET_CORRUPTION_ERROR && p.cost === 'macs')!.subnets, ['s/1', 's/2']);

    // A subnet with an mCE (all 15 corruptions at five severities): mCE is the corruption metric, no subset column.
    storeSubnet(store, '4', { 'fog/3': 0.5 }, { mCE: 0.8 });
    const withMce = nasAnalysis(store);
    assert.equal(withMce.corruptionSubset, null);
    assert.ok(!withMce.columns.some((c) => c.key === SUBSET_CORRUPTION_ERROR));
    assert.ok(withMce.subnets.every((s) => !(SUBSET_CORRUPTION_ERROR in s.metrics)));
  } finally {
    store.close();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ResultStore } from '../store/store.js';
import { tempDir } from '../testing/fixtures.js';
import { parseModelMetadata } from '../model/metadata.js';
import { resultsCommand } from '../cli/commands/results.js';
import { renderRunReport } from './html.js';
import { runHeadline } from './headline.js';

/** A stored natural-noise run whose alphabetically first condition (brightness/5) is not the clean one. */
function naturalRun(dir: string): { store: ResultStore; id: string } {
  const store = new ResultStore(join(dir, 'results.db'));
  const id = 'natural0000000001';
  store.putDataset({ fingerprint: 'd', kind: 'csv', root: '/data', numSamples: 4, classes: ['a', 'b'] });
  store.openRun({ id, suite: 'natural', modelName: 'tiny', modelSha256: 'f'.repeat(64), datasetFingerprint: 'd', config: { sampleCount: 4 }, seed: 0, versions: { robustart: 'test' } });
  store.setMetrics(id, 'brightness/5', { top1: 0.25, count: 4 });
  store.setMetrics(id, 'clean', { top1: 0.75, count: 4 });
  store.setMetrics(id, '*', { mCE: 0.8531, relative_mCE: 1.02, clean_error: 0.25, 'CE/fog': 0.9 });
  store.finishRun(id, 'finished', null);
  return { store, id };
}

test('the headline is the clean top-1 and the suite metrics, not the first condition', async () => {
  const { store, id } = naturalRun(tempDir());
  const headline = runHeadline('natural', store.metrics(id));
  assert.equal(headline.cleanTop1, 0.75);
  assert.deepEqual(headline.suiteMetrics.map((m) => m.name), ['mCE', 'relative_mCE']);
  const html = await renderRunReport({ store, runId: id, dataset: { kind: 'csv', root: '/data', classes: ['a', 'b'], samples: [], fingerprint: 'd' }, metadata: parseModelMetadata({ input_size: [3, 8, 8], num_classes: 2 }, 'test') });
  const line = /<p class="headline">([^<]*)<\/p>/.exec(html)![1];
  assert.equal(line, 'clean top-1 75.00% · mCE 85.31% · relative_mCE 102.00%');
  assert.match(html, /Calibration and per-class accuracy \(clean\)/);
  store.close();
  // Adversarial runs: every WCAR budget; system: NSD as a number.
  const rows = (names: Record<string, number>) => Object.entries(names).map(([name, value]) => ({ runId: 'r', noise: '*', name, value }));
  assert.deepEqual(runHeadline('adversarial', rows({ 'ar/pgd/linf/4': 0.1, 'wcar/linf/4': 0.05, 'wcar/l2/0.5': 0.2 })).suiteMetrics.map((m) => m.name), ['wcar/linf/4', 'wcar/l2/0.5']);
  assert.deepEqual(runHeadline('system', rows({ nsd: 0.0123, mean_top1: 0.7 })).suiteMetrics, [{ name: 'nsd', value: 0.0123, percent: false }]);
});

test('results list shows the clean top-1 and the suite metrics', async () => {
  const dir = tempDir();
  const { store } = naturalRun(dir);
  store.close();
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => (chunks.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    await resultsCommand.run({ store: join(dir, 'results.db') }, ['list']);
  } finally {
    process.stdout.write = write;
  }
  const [header, , row] = chunks.join('').split('\n');
  assert.match(header, /clean top-1\s+suite metrics/);
  assert.match(row, /75\.00%\s+mCE 85\.31%, relative_mCE 102\.00%$/);
});

// A sample's record depends only on the model, the sample, the settings and the seed: the whole per-sample record set
// of a run is identical at batch sizes 1, 7 and 64, with or without preprocessing workers, and after a SIGKILL of a real
// CLI process resumed at another batch size. Adversarial suite (one attack of each family: gradient, minimum-norm,
// score-based, decision-based, plus the AutoAttack cascade) and natural suite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { resolveModel } from '../model/resolve.js';
import { OnnxClassifier } from '../model/classifier.js';
import { loadDataset, limitSamples } from '../data/dataset.js';
import { packagePath } from '../util/paths.js';
import { ResultStore, type SampleRecord } from '../store/store.js';
import { exited, waitUntil } from '../testing/wait.js';
import { tempDir } from '../testing/fixtures.js';
import { evaluate } from './evaluate.js';
import type { Suite } from './suite.js';
import { adversarialSuite } from './suites/adversarial.js';
import { naturalSuite } from './suites/natural.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const DATA = packagePath('demo/data/fashion-mnist');
const ADVERSARIAL = { attacks: 'pgd:linf,ddn:l2,square:linf,hsj:l2,autoattack:linf', steps: '3', queries: '25' };
const NATURAL = { corruptions: 'gaussian_noise,glass_blur', severities: '1,5' };

async function recordSet(suite: Suite, suiteOptions: Record<string, unknown>, count: number, batchSize: number, workers: number): Promise<{ runId: string; records: SampleRecord[] }> {
  const dir = tempDir('robustart-determinism-');
  const store = new ResultStore(join(dir, 'results.sqlite'));
  const model = resolveModel('fashion-cnn');
  const classifier = await OnnxClassifier.create(model);
  try {
    const dataset = loadDataset(DATA);
    const samples = limitSamples(dataset, count, 5);
    const result = await evaluate({ model, classifier, dataset, samples, store, suite, seed: 0, batchSize, workers, suiteOptions });
    return { runId: result.run.id, records: store.records(result.run.id) };
  } finally {
    await classifier.dispose();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('adversarial suite: identical per-sample records at batch sizes 1, 7 and 64 and with 0 or 1 workers', { timeout: 300_000 }, async () => {
  const reference = await recordSet(adversarialSuite, ADVERSARIAL, 8, 1, 0);
  const attacks = new Set(reference.records.map((r) => (r.extra as { attack?: string } | undefined)?.attack).filter(Boolean));
  assert.deepEqual([...attacks].sort(), ['autoattack', 'ddn', 'hsj', 'pgd', 'square']);
  assert.ok(reference.records.some((r) => r.extra && (r.extra as { success: boolean }).success), 'some attack succeeds: the comparison is not vacuous');
  for (const [batchSize, workers] of [[7, 1], [64, 0]] as const) {
    const other = await recordSet(adversarialSuite, ADVERSARIAL, 8, batchSize, workers);
    assert.equal(other.runId, reference.runId, 'batch size and workers are not part of the run');
    assert.deepEqual(other.records, reference.records, `batch ${batchSize}, workers ${workers}`);
  }
});

test('natural suite: identical per-sample records at batch sizes 1 and 7 with 0 or 1 workers', { timeout: 120_000 }, async () => {
  const reference = await recordSet(naturalSuite, NATURAL, 9, 1, 0);
  assert.equal(reference.records.length, 9 * (1 + 2 * 2));
  assert.deepEqual((await recordSet(naturalSuite, NATURAL, 9, 7, 1)).records, reference.records);
});

function storedRecords(dbPath: string): { count: number; rows: unknown[] } {
  try {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare('SELECT run_id, noise, sample_id, label, status, top5, confidence, true_probability, extra FROM records ORDER BY noise, sample_id').all();
      return { count: rows.length, rows };
    } finally {
      db.close();
    }
  } catch {
    return { count: 0, rows: [] }; // not created yet
  }
}

test('adversarial suite: a CLI run killed with SIGKILL and resumed at another batch size stores the unbroken run\'s records', { timeout: 300_000 }, async () => {
  const dir = tempDir('robustart-adv-resume-');
  try {
    const flags = ['--suite', 'adversarial', '--attacks', 'pgd:linf,ddn:l2,square:linf,hsj:l2', '--steps', ADVERSARIAL.steps, '--set', `queries=${ADVERSARIAL.queries}`, '--eps', '2/255', '--limit', '16', '--json'];
    const args = (store: string, batch: number, workers: number) => [CLI, 'eval', '--model', 'fashion-cnn', '--data', DATA, ...flags, '--batch-size', String(batch), '--workers', String(workers), '--store', store];
    const killed = join(dir, 'killed.db');
    const child = spawn(process.execPath, args(killed, 2, 1), { stdio: 'ignore' });
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitUntil('20 stored records', () => storedRecords(killed).count >= 20, { intervalMs: 10, hopeless: exited(child) });
    } finally {
      child.kill('SIGKILL');
    }
    assert.equal(await exit, null, 'the child was killed, not finished');
    const atKill = storedRecords(killed).count;
    const total = 16 * 5; // clean, then pgd, ddn, square and hsj, all at the one budget given
    assert.ok(atKill > 0 && atKill < total, `killed part-way (${atKill} of ${total})`);
    const resumed = spawnSync(process.execPath, args(killed, 7, 0), { encoding: 'utf8' });
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.equal((JSON.parse(resumed.stdout) as { evaluatedNow: number }).evaluatedNow, storedRecords(killed).count - atKill);
    const unbroken = join(dir, 'unbroken.db');
    const once = spawnSync(process.execPath, args(unbroken, 64, 0), { encoding: 'utf8' });
    assert.equal(once.status, 0, once.stderr);
    assert.deepEqual(storedRecords(killed).rows, storedRecords(unbroken).rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

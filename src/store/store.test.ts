import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { ResultStore, storeError } from './store.js';
import { RobustartError } from '../errors.js';
import { exportRun } from './export.js';
import { tempDir } from '../testing/fixtures.js';

function newRun(store: ResultStore, id = 'run1') {
  store.putDataset({ fingerprint: 'fp', kind: 'imagefolder', root: '/data', numSamples: 3, classes: ['a', 'b'] });
  return store.openRun({ id, suite: 'clean', modelName: 'm', modelSha256: 'abc', datasetFingerprint: 'fp', config: { batchSize: 4 }, seed: 7, versions: { robustart: 'x' } });
}

test('models round-trip, update in place and are removed', () => {
  const store = new ResultStore(':memory:');
  store.putModel({ name: 'r50', path: '/m/r50.onnx', sha256: 'aa', metadata: { num_classes: 1000 }, parameters: 25557032, macs: 4_100_000_000 });
  assert.deepEqual({ ...store.getModel('r50'), addedAt: '' }, { name: 'r50', path: '/m/r50.onnx', sha256: 'aa', metadata: { num_classes: 1000 }, parameters: 25557032, macs: 4_100_000_000, addedAt: '' });
  store.putModel({ name: 'r50', path: '/m/other.onnx', sha256: 'bb', metadata: {}, parameters: null, macs: null });
  assert.equal(store.getModel('r50')?.path, '/m/other.onnx');
  assert.equal(store.listModels().length, 1);
  assert.equal(store.removeModel('r50'), true);
  assert.equal(store.removeModel('r50'), false);
  store.close();
});

test('runs, records and metrics round-trip through a file and survive reopening', () => {
  const path = join(tempDir(), 'sub', 'results.db');
  let store = new ResultStore(path);
  newRun(store);
  const added = store.addRecords('run1', [
    { noise: 'clean', sampleId: 'a/1.jpg', label: 0, status: 'ok', top5: [0, 1], confidence: 0.9, trueProbability: 0.9, extra: { norm: 0.5 } },
    { noise: 'clean', sampleId: 'b/2.jpg', label: 1, status: 'skipped', error: 'truncated' },
  ]);
  assert.equal(added, 2);
  store.setMetrics('run1', 'clean', { top1: 1, nll: NaN });
  store.finishRun('run1', 'finished', { note: 1 });
  store.close();

  store = new ResultStore(path);
  const run = store.getRun('run1')!;
  assert.equal(run.status, 'finished');
  assert.equal(run.seed, 7);
  assert.deepEqual(run.config, { batchSize: 4 });
  assert.deepEqual(run.summary, { note: 1 });
  assert.deepEqual(store.records('run1'), [
    { noise: 'clean', sampleId: 'a/1.jpg', label: 0, status: 'ok', top5: [0, 1], confidence: 0.9, trueProbability: 0.9, extra: { norm: 0.5 } },
    { noise: 'clean', sampleId: 'b/2.jpg', label: 1, status: 'skipped', error: 'truncated' },
  ]);
  assert.deepEqual(store.metrics('run1').map((m) => [m.name, m.value]), [['nll', null], ['top1', 1]]);
  assert.equal(store.findRun('ru').id, 'run1');
  store.close();
});

test('a record is never stored twice: re-adding the same samples adds nothing', () => {
  const store = new ResultStore(':memory:');
  newRun(store);
  const batch = [{ noise: 'clean', sampleId: 's1', label: 0, status: 'ok' as const, top5: [0], confidence: 1, trueProbability: 1 }];
  assert.equal(store.addRecords('run1', batch), 1);
  assert.equal(store.addRecords('run1', batch), 0);
  assert.equal(store.records('run1').length, 1);
  assert.deepEqual([...store.recordedSamples('run1').get('clean')!], ['s1']);
  store.close();
});

test('reopening a run keeps its records (the resume path); deleting cascades', () => {
  const store = new ResultStore(':memory:');
  newRun(store);
  store.addRecords('run1', [{ noise: 'clean', sampleId: 's1', label: 0, status: 'ok', top5: [0], confidence: 1, trueProbability: 1 }]);
  store.finishRun('run1', 'failed', null);
  newRun(store);
  assert.equal(store.getRun('run1')!.status, 'running');
  assert.equal(store.records('run1').length, 1);
  store.deleteRun('run1');
  assert.equal(store.records('run1').length, 0);
  assert.throws(() => store.findRun('run1'), /no run 'run1'/);
  store.close();
});

test('ambiguous run prefixes are refused', () => {
  const store = new ResultStore(':memory:');
  newRun(store, 'abc1');
  newRun(store, 'abc2');
  assert.throws(() => store.findRun('abc'), /ambiguous/);
  store.close();
});

test('CSV export has one row per record with the prediction and correctness', () => {
  const store = new ResultStore(':memory:');
  newRun(store);
  store.addRecords('run1', [
    { noise: 'clean', sampleId: 'dir,with comma/1.jpg', label: 1, status: 'ok', top5: [0, 1], confidence: 0.6, trueProbability: 0.3 },
    { noise: 'clean', sampleId: 'x.jpg', label: 1, status: 'skipped', error: 'bad "data"' },
  ]);
  const lines = exportRun(store, 'run1', 'csv').trim().split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[0], 'run_id,noise,sample_id,label,status,prediction,top5,confidence,true_probability,correct,error,extra');
  assert.equal(lines[1], 'run1,clean,"dir,with comma/1.jpg",1,ok,0,0 1,0.6,0.3,0,,');
  assert.equal(lines[2], 'run1,clean,x.jpg,1,skipped,,,,,,"bad ""data""",');
  const json = JSON.parse(exportRun(store, 'run1', 'json')) as { records: unknown[]; run: { id: string } };
  assert.equal(json.records.length, 2);
  assert.equal(json.run.id, 'run1');
  store.close();
});

test('a store file that is not a database, a directory, or missing where it must exist is one clear error', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'text.db'), 'hello, I am not SQLite\n');
  assert.throws(() => new ResultStore(join(dir, 'text.db')), (err: unknown) => err instanceof RobustartError && /text\.db is not a robustart results database/.test(err.message));
  mkdirSync(join(dir, 'folder.db'));
  assert.throws(() => new ResultStore(join(dir, 'folder.db')), /folder\.db is a directory; pass the path of a database file/);
  assert.throws(() => new ResultStore(join(dir, 'never.db'), { mustExist: true }), /no results database at .*never\.db/);
  assert.ok(!existsSync(join(dir, 'never.db')), 'a read-only use never creates the file');
});

test('SQLite and file-system failures map to lines that say what to do', () => {
  const fail = (code: string, message: string) => Object.assign(new Error(message), { code });
  assert.match(storeError(fail('SQLITE_FULL', 'database or disk is full'), 's.db').message, /disk holding the results store s\.db is full; free space and rerun the same command: it resumes/);
  assert.match(storeError(fail('SQLITE_READONLY', 'attempt to write a readonly database'), 's.db').message, /results store s\.db cannot be written/);
  assert.match(storeError(fail('SQLITE_CORRUPT', 'database disk image is malformed'), 's.db').message, /not a robustart results database, or it is damaged/);
  assert.ok(storeError(fail('SQLITE_IOERR_WRITE', 'disk I/O error')) instanceof RobustartError);
  const other = new Error('something else');
  assert.equal(storeError(other), other);
});

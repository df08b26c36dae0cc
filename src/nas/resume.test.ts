// Durability of `robustart nas sample` and `robustart nas train`: a child process killed with SIGKILL, then
// rerun with the same arguments, ends with what an unbroken run gives (the same subnet files, registry
// entries and stored metrics; the same supernet weights).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir, halvesFolder, killChildAfterRename, initializerValues } from '../testing/fixtures.js';
import { writeModel, decodeModel } from '../onnx/proto.js';
import { Graph } from '../onnx/graph.js';
import { ResultStore } from '../store/store.js';
import { loadCheckpoint } from '../train/checkpoint.js';
import { buildSupernet } from './supernet.js';
import { supernetMetadata } from './supernet-file.js';
import { randomizeBatchNorms } from '../testing/nas-fixtures.js';
import { parseSpace } from './space.js';
import { startRedis } from '../testing/redis.js';
import { WorkerProcess } from '../testing/worker-process.js';
import { exited, waitUntil } from '../testing/wait.js';

const execFileAsync = promisify(execFile);
const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/** Two classes of 8 × 8 images; every kind of dimension, 3·2·2·2·2·2 = 96 subnets. */
const SPACE = {
  name: 'halves',
  block: 'resnet',
  classes: 2,
  resolution: [8],
  stem: { kernel: [3, 5], width: [4, 6], stride: 1 },
  stages: [
    { width: [4, 6], depth: [1, 2], stride: 1, kernel: [3], expand: [0.5, 1] },
    { width: [6, 8], depth: [1, 2], stride: 2, kernel: [3], expand: [1] },
  ],
};

function metricsByModel(path: string): Map<string, unknown> {
  const store = new ResultStore(path);
  try {
    const out = new Map<string, unknown>();
    for (const run of store.listRuns()) out.set(`${run.modelName}|${run.suite}`, { status: run.status, metrics: store.metrics(run.id).map((m) => [m.noise, m.name, m.value]).sort() });
    return out;
  } finally {
    store.close();
  }
}

test('nas sample killed mid-study resumes to the same subnets, registry and stored metrics as an unbroken run, and a queued sample stores the same', { timeout: 300_000 }, async () => {
  const dir = tempDir();
  await halvesFolder(join(dir, 'data'), 12);
  writeFileSync(join(dir, 'space.json'), JSON.stringify(SPACE));
  const space = parseSpace(SPACE);
  const supernet = buildSupernet(space, { seed: 5 });
  randomizeBatchNorms(supernet.graph, 6);
  supernet.graph.metadata = { ...supernetMetadata(space), mean: '[0.5,0.5,0.5]', std: '[0.25,0.25,0.25]', crop_pct: '1', interpolation: '"bilinear"' };
  writeModel(join(dir, 'supernet.onnx'), supernet.graph.toModel());
  const args = (store: string) => [CLI, 'nas', 'sample', '--space', join(dir, 'space.json'), '--supernet', join(dir, 'supernet.onnx'), '--n', '5', '--seed', '3', '--data', join(dir, 'data'), '--train-data', join(dir, 'data'), '--recalibration-images', '16', '--suite', 'clean', '--store', join(dir, store), '--json', '--workers', '0'];

  const unbroken = spawnSync(process.execPath, args('a/results.db'), { encoding: 'utf8' });
  assert.equal(unbroken.status, 0, unbroken.stderr);
  const listed = JSON.parse(unbroken.stdout);
  assert.equal(listed.subnets.length, 5);
  assert.equal(listed.extracted, 5);
  assert.equal(listed.evaluated, 5);
  for (const s of listed.subnets) assert.ok(s.params > 0 && s.macs > 0 && typeof s.choices['stage1.depth'] === 'number');

  // Killed right after the third subnet's file is in place: two subnets are done (extracted, registered,
  // evaluated), the third is extracted but neither registered nor evaluated.
  const subnetFolder = (store: string) => {
    const base = join(dir, store, 'nas', 'halves');
    return join(base, readdirSync(base)[0]);
  };
  const third = join(dir, 'b', relative(join(dir, 'a'), subnetFolder('a')), `${listed.subnets[2].id}.onnx`);
  const killed = await killChildAfterRename(args('b/results.db'), third);
  assert.equal(killed.signal, 'SIGKILL', `the run was killed, not finished: ${killed.stderr.slice(-2000)}`);

  const resumed = spawnSync(process.execPath, args('b/results.db'), { encoding: 'utf8' });
  assert.equal(resumed.status, 0, resumed.stderr);
  const again = JSON.parse(resumed.stdout);
  assert.deepEqual([again.extracted, again.alreadyDone], [2, 2], 'the resume extracts the last two subnets and skips the two evaluated ones');
  assert.deepEqual(again.subnets.map((s: { id: string }) => s.id), listed.subnets.map((s: { id: string }) => s.id));
  // Same files, byte for byte; same registry metadata; same metrics.
  const files = readdirSync(subnetFolder('a')).sort();
  assert.deepEqual(readdirSync(subnetFolder('b')).filter((f) => !f.endsWith('.tmp')).sort(), files);
  for (const f of files) assert.ok(readFileSync(join(subnetFolder('a'), f)).equals(readFileSync(join(subnetFolder('b'), f))), f);
  const registry = (store: string) => {
    const s = new ResultStore(join(dir, store, 'results.db'));
    try {
      return s.listModels().map((m) => [m.name, m.sha256, m.metadata.nas]);
    } finally {
      s.close();
    }
  };
  assert.deepEqual(registry('b'), registry('a'));
  assert.equal(registry('a').length, 5);
  assert.deepEqual(metricsByModel(join(dir, 'b', 'results.db')), metricsByModel(join(dir, 'a', 'results.db')));

  // The same sample with its evaluation cells sharded over a queue worker (a redis-server of the test's own)
  // stores the same metrics as the in-process run.
  const redis = await startRedis();
  let worker: WorkerProcess | undefined;
  try {
    const w = (worker = await WorkerProcess.start(redis.url));
    // Asynchronously: the worker's log is read on this process's event loop, which spawnSync would block.
    const queued = await execFileAsync(process.execPath, [...args('c/results.db'), '--queue', redis.url, '--shard-size', '8'], { encoding: 'utf8' });
    assert.ok(JSON.parse(queued.stdout).evaluated === 5, queued.stderr);
    // The worker's log may trail the stored records.
    await waitUntil('the worker to log 5 shards', () => w.finished.length >= 5, { hopeless: exited(w.child, () => w.lines.join('\n')) });
    assert.deepEqual(metricsByModel(join(dir, 'c', 'results.db')), metricsByModel(join(dir, 'a', 'results.db')));
  } finally {
    await worker?.stop('SIGKILL');
    await redis.stop();
  }
});

test('nas train killed after a checkpoint resumes to the same supernet weights as an unbroken run, with adversarial training and dropout on', { timeout: 300_000 }, async () => {
  const dir = tempDir();
  await halvesFolder(join(dir, 'data'), 24);
  writeFileSync(join(dir, 'space.json'), JSON.stringify(SPACE));
  const config = {
    name: 'supernet', seed: 2, epochs: 3, batch_size: 12, threads: 1,
    model: { builder: 'small-cnn' },
    data: { train: { kind: 'imagefolder', path: 'data' }, test: { kind: 'imagefolder', path: 'data' }, input_size: [3, 8, 8], crop_pct: 1 },
    transforms: { hflip: 0.5 },
    optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true, weight_decay: 1e-4 },
    schedule: { base_lr: 0.01, warmup_lr: 0.05, warmup_epochs: 1 },
    // Techniques with their own random draws: PGD examples (per-sample starts), dropout and drop-path masks.
    techniques: { label_smoothing: 0.1, ema: { decay: 0.9 }, adversarial: { eps: 0.02, steps: 1, mode: 'adversarial' }, dropout: 0.1, drop_path: 0.1 },
  };
  writeFileSync(join(dir, 'exp.json'), JSON.stringify(config));
  const run = (out: string) => [CLI, 'nas', 'train', '--space', join(dir, 'space.json'), '--config', join(dir, 'exp.json'), '--out', join(dir, out), '--random-subnets', '1'];
  const unbroken = spawnSync(process.execPath, run('unbroken.onnx'), { encoding: 'utf8' });
  assert.equal(unbroken.status, 0, unbroken.stderr);

  const checkpoint = join(dir, 'killed.onnx.ckpt');
  const killed = await killChildAfterRename(run('killed.onnx'), checkpoint);
  assert.equal(killed.signal, 'SIGKILL', `the run was killed, not finished: ${killed.stderr.slice(-2000)}`);
  const saved = loadCheckpoint(checkpoint)!;
  assert.ok(saved.epoch >= 1 && saved.epoch < config.epochs, `killed after epoch ${saved.epoch}`);

  const resumed = spawnSync(process.execPath, run('killed.onnx'), { encoding: 'utf8' });
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stdout, /resuming after epoch \d/);
  const record = JSON.parse(readFileSync(join(dir, 'killed.training.json'), 'utf8'));
  assert.equal(record.resumedFrom, saved.epoch);
  assert.equal(record.history.length, config.epochs);
  assert.deepEqual(initializerValues(join(dir, 'killed.onnx')), initializerValues(join(dir, 'unbroken.onnx')));
  // The supernet records its space; the largest subnet learns the halves task (six steps under
  // adversarial examples, dropout and drop-path: well above chance, not yet perfect).
  const meta = Graph.fromModel(decodeModel(readFileSync(join(dir, 'killed.onnx')))).metadata;
  assert.equal(JSON.parse(meta['robustart.nas.supernet']).space.name, 'halves');
  assert.ok(record.history[2].testAccuracy.largest > 0.65, `largest subnet test accuracy ${record.history[2].testAccuracy.largest}`);
});

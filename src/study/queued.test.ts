// A study whose cells go through the shard queue: `robustart study run --queue` against a redis-server of the
// test's own and two `robustart worker` processes, its coordinator SIGKILLed mid-study and rerun. The stored
// study must equal an in-process run of the same study, cell for cell and record for record, and every stored
// shard names the worker process that computed it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { loadStudy } from './config.js';
import { runStudy } from './runner.js';
import { studyStatus } from './cells.js';
import { StudyState } from './state.js';
import { writeTestStudy } from './testing.js';
import { ResultStore } from '../store/store.js';
import { RunShards } from '../queue/stored-shards.js';
import { tempDir } from '../testing/fixtures.js';
import { startRedis, type RedisServer } from '../testing/redis.js';
import { CLI, WorkerProcess } from '../testing/worker-process.js';
import { exited, waitUntil } from '../testing/wait.js';

const SUITES = [{ suite: 'clean' }, { suite: 'natural', options: { corruptions: 'gaussian_noise', severities: '1-2' } }];

let redis: RedisServer | undefined;
const workers: WorkerProcess[] = [];
let coordinator: ChildProcess | undefined;
after(async () => {
  coordinator?.kill('SIGKILL'); // a no-op unless a failed assertion left it running
  await Promise.all(workers.map((w) => w.stop('SIGKILL')));
  await redis?.stop();
});

/** Every done cell of the study in a store: (cell, run id, its records). */
function storedStudy(path: string, studyFile: string) {
  const store = new ResultStore(path);
  try {
    const study = loadStudy(studyFile);
    const status = studyStatus(study, new StudyState(store), (id) => store.getRun(id)?.status === 'finished');
    return status.map((c) => ({ cell: c.cell, status: c.status, runId: c.runId, records: c.runId ? store.records(c.runId) : [], metrics: c.runId ? store.metrics(c.runId) : [] }));
  } finally {
    store.close();
  }
}

test('study run --queue: cells shard over two workers; a killed coordinator is rerun; the store equals an in-process study', async () => {
  const dir = tempDir('robustart-queued-study-');
  const file = await writeTestStudy(dir, { models: 2, suites: SUITES, perClass: 8, extra: { batchSize: 4 } });
  await runStudy(loadStudy(file), { store: join(dir, 'in-process.db') });
  const reference = storedStudy(join(dir, 'in-process.db'), file);
  assert.equal(reference.length, 4);
  assert.ok(reference.every((c) => c.status === 'done' && c.records.length > 0));

  redis = await startRedis();
  // Each worker is tracked as soon as it runs, so `after` stops it even if the other one fails to start.
  const pool = await Promise.all([0, 1].map(() => WorkerProcess.start(redis!.url).then((w) => (workers.push(w), w))));
  const queued = join(dir, 'queued.db');
  // Shards of one batch (4 samples): 6 per condition, 4 × 6 + 2 × 2 × 6 = 48 in all.
  const args = [CLI, 'study', 'run', file, '--store', queued, '--queue', redis.url, '--shard-size', '4'];
  const first = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let firstErr = '';
  first.stderr!.on('data', (c: Buffer) => (firstErr += c.toString()));
  coordinator = first;
  await waitUntil('8 finished shards', () => pool.flatMap((w) => w.finished).length >= 8, { hopeless: exited(first, () => firstErr) });
  first.kill('SIGKILL');
  await once(first, 'exit');
  const atKill = storedStudy(queued, file);
  assert.ok(atKill.some((c) => c.status !== 'done'), 'the coordinator died before the study was done');

  const rerun = spawnSync(process.execPath, args, { encoding: 'utf8' });
  assert.equal(rerun.status, 0, rerun.stderr);
  assert.match(rerun.stdout, /study tiny: 4 cells, \d already done, \d evaluated now, 0 failed/);

  const stored = storedStudy(queued, file);
  assert.deepEqual(stored, reference, 'the queued study is the in-process study, cell for cell and record for record');
  const finished = pool.flatMap((w) => w.finished);
  assert.equal(new Set(finished).size, finished.length, 'no shard computed twice');

  // Each stored shard names the worker process and device that computed it; together they cover every record.
  const store = new ResultStore(queued);
  const table = new RunShards(store);
  const pids = new Set(pool.map((w) => w.child.pid));
  let covered = 0;
  for (const cell of stored) {
    for (const shard of table.list(cell.runId!)) {
      assert.equal(shard.worker.host, hostname());
      assert.ok(pids.has(shard.worker.pid), `shard ${shard.noise} ${shard.start} computed by a test worker (pid ${shard.worker.pid})`);
      assert.equal(shard.worker.device, 'cpu');
      covered += shard.records;
    }
  }
  store.close();
  assert.equal(covered, reference.reduce((n, c) => n + c.records.length, 0));

  // queue status lists, per run, the shards and records each worker computed.
  const status = spawnSync(process.execPath, [CLI, 'queue', 'status', '--queue', redis.url], { encoding: 'utf8' });
  assert.equal(status.status, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`workers connected: 2 \\(.*:${pool[0].child.pid}/cpu.*\\)`));
  const busy = pool.filter((w) => w.finished.length > 0);
  for (const w of busy) assert.match(status.stdout, new RegExp(`${hostname()}\\s+${w.child.pid}\\s+cpu\\s+\\d+\\s+\\d+`));
  await Promise.all(pool.map((w) => w.stop()));
});

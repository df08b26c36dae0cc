// Scale-out against real servers: a redis-server of the test's own, `robustart worker` child processes, and
// faults done for real (SIGKILL, a Redis restart, a killed coordinator). Each test compares the stored run
// with an in-process run of the same evaluation, record for record.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { runEvaluation } from '../eval/run.js';
import { ResultStore } from '../store/store.js';
import { tempDir, writeImageFolder, writeTinyClassifier } from '../testing/fixtures.js';
import { startRedis, type RedisServer } from '../testing/redis.js';
import { CLI, WorkerProcess } from '../testing/worker-process.js';
import { exited, waitUntil } from '../testing/wait.js';
import { RobustartError } from '../errors.js';
import { enqueueEvaluation } from './coordinator.js';
import { SHARD_QUEUE } from './connection.js';
import { queueProgress } from './progress.js';

// defocus blur at severity 5 convolves every pixel with a 21×21 disc, so a 96-image shard of 80² inputs computes for
// seconds (about 2.5 s on the 2-core development machine). Its cost grows with the pixels, unlike frost's, which is
// mostly loading its photographs.
const SUITE_OPTIONS = { corruptions: 'defocus_blur', severities: '5' };
const BATCH = 8;

/**
 * The first test's lock must expire mid-shard whatever this machine's speed, so it is sized from the in-process run
 * of the same evaluation, timed on this machine: under half of its time per condition (the defocus-blur shard takes
 * more than that, the clean one less), at most 1 s (a defocus-blur shard takes over 2 s on the development machine),
 * and never under 400 ms, so that a loaded machine does not starve the renewal (every half lock) of a shard.
 */
function lockForShardsOf(shardSeconds: number): number {
  return Math.round(Math.min(1000, Math.max(400, (shardSeconds * 1000) / 2.5)));
}

interface Fixture {
  readonly dir: string;
  readonly data: string;
  readonly model: string;
  readonly runId: string;
  readonly records: ReturnType<ResultStore['records']>;
  readonly metrics: ReturnType<ResultStore['metrics']>;
  /** Seconds the in-process run took per condition (of 96 images; model loading included). */
  readonly shardSeconds: number;
}
let fixture: Fixture;

before(async () => {
  const dir = tempDir('robustart-queue-');
  const data = await writeImageFolder(join(dir, 'data'), ['a', 'b', 'c'], 32, 96);
  const model = writeTinyClassifier(join(dir, 'tiny.onnx'), { numClasses: 3, inputSize: 80 });
  const started = performance.now();
  const reference = await runEvaluation({ model, data, store: join(dir, 'in-process.db'), suite: 'natural', suiteOptions: SUITE_OPTIONS, batchSize: BATCH, workers: 0 });
  const store = new ResultStore(join(dir, 'in-process.db'));
  const shardSeconds = (performance.now() - started) / 1000 / 2;
  fixture = { dir, data, model, runId: reference.run.id, records: store.records(reference.run.id), metrics: store.metrics(reference.run.id), shardSeconds };
  store.close();
  assert.equal(fixture.records.length, 2 * 96);
});

/** `robustart eval --queue` as a child process (stdout piped, stderr to the test's), killed at the end if still running. */
function coordinator(url: string, store: string, shardSize: number): ChildProcess {
  const child = spawn(process.execPath, coordinatorArgs(url, store, shardSize), { stdio: ['ignore', 'pipe', 'inherit'] });
  coordinators.push(child);
  return child;
}

function coordinatorArgs(url: string, store: string, shardSize: number): string[] {
  return [CLI, 'eval', '--model', fixture.model, '--data', fixture.data, '--store', store, '--suite', 'natural', '--corruptions', 'defocus_blur', '--severities', '5', '--batch-size', String(BATCH), '--queue', url, '--shard-size', String(shardSize), '--json'];
}

function assertSameAsInProcess(storePath: string): void {
  const store = new ResultStore(storePath);
  try {
    const run = store.getRun(fixture.runId);
    assert.ok(run, 'the queued run has the in-process run id');
    assert.equal(run.status, 'finished');
    assert.deepEqual(store.records(fixture.runId), fixture.records);
    assert.deepEqual(store.metrics(fixture.runId), fixture.metrics);
  } finally {
    store.close();
  }
}

/** Queue events of the test's Redis, to witness stalls (a shard handed to another worker). */
function watchStalls(redis: RedisServer) {
  const events = new QueueEvents(SHARD_QUEUE, { connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null } });
  events.on('error', () => undefined);
  const stalled: string[] = [];
  events.on('stalled', ({ jobId }) => stalled.push(jobId));
  return { stalled, ready: events.waitUntilReady(), close: closeAtEnd(() => events.close()) };
}

/** Job ids of the shards workers are computing, read over one connection (closed at the end of the file at the latest). */
function activeShards(url: string) {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue(SHARD_QUEUE, { connection: redis });
  return {
    read: async () => (await queue.getActive()).map((j) => j.id!),
    close: closeAtEnd(async () => {
      await queue.close();
      redis.disconnect();
    }),
  };
}

const servers: RedisServer[] = [];
const workers: WorkerProcess[] = [];
/** Coordinator child processes, killed at the end if a failed assertion left one running. */
const coordinators: ChildProcess[] = [];
// Clients a test opened and closes at its end; a failed assertion skips that end, and an open client that keeps
// reconnecting to a stopped Redis would keep this file's process alive, so `after` closes whatever is left.
const openClients = new Set<() => Promise<unknown> | unknown>();
function closeAtEnd(close: () => Promise<unknown> | unknown): () => Promise<void> {
  const once = async () => {
    if (!openClients.delete(once)) return;
    await close();
  };
  openClients.add(once);
  return once;
}
after(async () => {
  await Promise.all([...openClients].map((close) => close()));
  for (const c of coordinators) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.stop('SIGKILL')));
  await Promise.all(servers.map((s) => s.stop()));
});

async function setup({ persist = false } = {}) {
  const redis = await startRedis({ persist });
  servers.push(redis);
  return { redis, store: join(tempDir('robustart-queued-'), 'results.db') };
}

async function startWorkers(url: string, n: number, args: string[] = []): Promise<WorkerProcess[]> {
  // Each worker is tracked as soon as it runs, so `after` stops it even if another one fails to start.
  return Promise.all(Array.from({ length: n }, () => WorkerProcess.start(url, args).then((w) => (workers.push(w), w))));
}

test('two worker processes give the in-process run record for record; shards longer than the lock run once', async () => {
  const { redis, store } = await setup();
  const watch = watchStalls(redis);
  await watch.ready;
  const lock = lockForShardsOf(fixture.shardSeconds);
  const pool = await startWorkers(redis.url, 2, ['--lock-duration', String(lock)]);
  const result = await enqueueEvaluation({ model: fixture.model, data: fixture.data, store, suite: 'natural', suiteOptions: SUITE_OPTIONS, batchSize: BATCH, queue: { url: redis.url, shardSize: 96, pollMs: 50 } });
  assert.equal(result.run.id, fixture.runId);
  assert.equal(result.evaluatedNow, 192);
  assertSameAsInProcess(store);
  const finished = pool.flatMap((w) => w.finished);
  assert.equal(finished.length, 2, 'two conditions, one shard of 96 each');
  assert.equal(new Set(finished).size, 2, 'no shard computed twice');
  const longest = Math.max(...pool.flatMap((w) => w.computeSeconds));
  assert.ok(longest > lock / 1000, `a shard outlasted the ${lock} ms lock (longest ${longest} s; in-process ${fixture.shardSeconds.toFixed(2)} s per shard)`);
  assert.deepEqual(watch.stalled, [], 'lock renewal kept every shard with its worker');
  // Rerunning the coordinator finds everything stored and queues nothing.
  const again = await enqueueEvaluation({ model: fixture.model, data: fixture.data, store, suite: 'natural', suiteOptions: SUITE_OPTIONS, batchSize: BATCH, queue: { url: redis.url, shardSize: 96, pollMs: 50 } });
  assert.equal(again.evaluatedNow, 0);
  assert.equal(pool.flatMap((w) => w.finished).length, 2);
  const progress = await queueProgress(redis.url);
  assert.deepEqual([progress.waiting, progress.active, progress.failed, progress.completed], [0, 0, 0, 0]);
  assert.deepEqual(progress.runs.map((r) => [r.runId, r.done, r.total]), [[fixture.runId, 192, 192]]);
  await watch.close();
  await Promise.all(pool.map((w) => w.stop()));
});

test('a worker killed with SIGKILL mid-shard: another worker takes the shard, nothing lost or doubled', async () => {
  const { redis, store } = await setup();
  const watch = watchStalls(redis);
  await watch.ready;
  const [victim] = await startWorkers(redis.url, 1, ['--lock-duration', '1000']);
  const run = enqueueEvaluation({ model: fixture.model, data: fixture.data, store, suite: 'natural', suiteOptions: SUITE_OPTIONS, batchSize: BATCH, queue: { url: redis.url, shardSize: 96, pollMs: 50 } });
  // Killed as soon as it holds a shard (looked for every 5 ms over one connection): its shard may be the clean
  // condition's, which takes a fraction of a second, so the kill must not wait.
  const shards = activeShards(redis.url);
  let active: string[] = [];
  await waitUntil('the worker to take a shard', async () => (active = await shards.read()).length > 0, { intervalMs: 5, hopeless: exited(victim.child) });
  await victim.stop('SIGKILL');
  await shards.close();
  assert.deepEqual(victim.finished, [], 'the victim was killed before it finished its shard');
  const [rescuer] = await startWorkers(redis.url, 1, ['--lock-duration', '1000']);
  const result = await run;
  assert.equal(result.evaluatedNow, 192);
  assertSameAsInProcess(store);
  assert.ok(rescuer.finished.includes(active[0]), 'the rescuer computed the killed shard');
  assert.ok(watch.stalled.includes(active[0]), 'BullMQ saw the killed shard stall');
  await watch.close();
  await rescuer.stop();
});

test('Redis restarted mid-run: workers and coordinator reconnect and finish', async () => {
  const { redis, store } = await setup({ persist: true });
  const pool = await startWorkers(redis.url, 2, ['--lock-duration', '2000']);
  const run = enqueueEvaluation({ model: fixture.model, data: fixture.data, store, suite: 'natural', suiteOptions: SUITE_OPTIONS, batchSize: BATCH, queue: { url: redis.url, shardSize: 16, pollMs: 50 } });
  await waitUntil('a first shard', () => pool.flatMap((w) => w.finished).length > 0);
  assert.ok(pool.flatMap((w) => w.finished).length < 12, 'Redis restarts while shards remain');
  await redis.restart();
  const result = await run;
  assert.equal(result.evaluatedNow, 192);
  assertSameAsInProcess(store);
  await Promise.all(pool.map((w) => w.stop()));
});

test('a killed coordinator is rerun: it collects the shards finished meanwhile and queues only what is missing', async () => {
  const { redis, store } = await setup();
  const pool = await startWorkers(redis.url, 2, ['--lock-duration', '2000']);
  const first = coordinator(redis.url, store, 16);
  first.stdout!.resume();
  const probe = () => {
    const s = new ResultStore(store);
    try {
      return s.records(fixture.runId).length;
    } finally {
      s.close();
    }
  };
  await waitUntil('two finished shards', () => pool.flatMap((w) => w.finished).length >= 2, { hopeless: exited(first) });
  first.kill('SIGKILL');
  await once(first, 'exit');
  const storedAtKill = probe();
  assert.ok(storedAtKill < 192, 'the coordinator died before the end');
  // Workers finish more shards while no coordinator runs (how many depends on the machine: from none to all).
  await sleep(500);
  const rerun = coordinator(redis.url, store, 16);
  let out = '';
  rerun.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const [code] = await once(rerun, 'exit');
  assert.equal(code, 0);
  assert.equal(JSON.parse(out).evaluatedNow, 192 - storedAtKill);
  assertSameAsInProcess(store);
  const finished = pool.flatMap((w) => w.finished);
  assert.equal(finished.length, 12, 'two conditions x six shards of 16');
  assert.equal(new Set(finished).size, 12, 'no shard computed twice');
  await Promise.all(pool.map((w) => w.stop()));
});

test('shards that fail every attempt are marked failed with their reason, the rest go on; retry and rerun completes', async () => {
  const { redis, store } = await setup();
  // This worker's copy of the data is another dataset: its shards fail on the fingerprint check.
  const other = await writeImageFolder(join(fixture.dir, 'other'), ['a', 'b', 'c'], 31, 64);
  const [[good], [bad]] = await Promise.all([startWorkers(redis.url, 1), startWorkers(redis.url, 1, ['--data-map', `${fixture.data}=${other}`])]);
  const options = { model: fixture.model, data: fixture.data, store, suite: 'natural', suiteOptions: SUITE_OPTIONS, batchSize: BATCH };
  const run = enqueueEvaluation({ ...options, queue: { url: redis.url, shardSize: 16, pollMs: 50, attempts: 2, backoffMs: 10 } });
  await assert.rejects(run, (err: unknown) => err instanceof RobustartError && /shard\(s\) of run .* failed after all their attempts .*fingerprint/.test(err.message));
  const store1 = new ResultStore(store);
  const stored = store1.records(fixture.runId).length;
  store1.close();
  assert.ok(stored >= 16 && stored < 192 && stored % 16 === 0, `the good worker's shards are stored whole, the failed ones are not (${stored} records)`);
  assert.ok(bad.failures.length >= 2, 'the bad worker failed shards');
  const status = cli(['queue', 'status', '--queue', redis.url]);
  assert.match(status, /failed .* after 2 attempt\(s\): dataset at .* has fingerprint/);
  await bad.stop();
  assert.match(cli(['queue', 'retry', '--queue', redis.url]), /\d+ failed shard\(s\) queued again/);
  const result = await enqueueEvaluation({ ...options, queue: { url: redis.url, shardSize: 16, pollMs: 50 } });
  assert.equal(result.evaluatedNow, 192 - stored);
  assertSameAsInProcess(store);
  assert.match(cli(['queue', 'clean', '--queue', redis.url, '--all']), /0 shard\(s\) removed/);
  await good.stop();
});

test('back-pressure: the coordinator keeps at most queueAhead shards waiting and queues more as results come back', async () => {
  const { redis, store } = await setup();
  const watcher = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue(SHARD_QUEUE, { connection: watcher });
  let running = true;
  const closeWatcher = closeAtEnd(async () => {
    running = false;
    await queue.close();
    watcher.disconnect();
  });
  const waiting = async () => {
    const c = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'paused');
    return Object.values(c).reduce((a, b) => a + b, 0);
  };
  let most = 0;
  const sampler = (async () => {
    while (running) {
      most = Math.max(most, await waiting());
      await sleep(5);
    }
  })();
  // The clean suite in shards of one batch: 12 shards, 3 queued ahead.
  const run = enqueueEvaluation({ model: fixture.model, data: fixture.data, store, suite: 'clean', batchSize: BATCH, queue: { url: redis.url, shardSize: BATCH, pollMs: 20, queueAhead: 3 } });
  // No worker yet: the queue fills up to the bound and stays there.
  await waitUntil('3 shards waiting', async () => (await waiting()) >= 3);
  await sleep(500); // time to queue a fourth, which it must not
  assert.equal(await waiting(), 3, 'without workers, nothing beyond the bound is queued');
  const [worker] = await startWorkers(redis.url, 1);
  const result = await run;
  running = false;
  await sampler;
  assert.equal(result.evaluatedNow, 96);
  assert.equal(most, 3, `never more than 3 shards waiting (most seen: ${most})`);
  await waitUntil('the worker to log 12 shards', () => worker.finished.length >= 12, { hopeless: exited(worker.child) });
  assert.equal(new Set(worker.finished).size, 12, 'all 12 shards ran, refilled as results came back');
  await closeWatcher();
  await worker.stop();
});

/** Runs a CLI command to the end; returns its stdout. */
function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('without a shard size, each condition\'s first shard is one batch and the rest are sized from its measured time', async () => {
  const { redis, store } = await setup();
  const [worker] = await startWorkers(redis.url, 1);
  const result = await enqueueEvaluation({ model: fixture.model, data: fixture.data, store, suite: 'natural', suiteOptions: SUITE_OPTIONS, batchSize: BATCH, queue: { url: redis.url, shardSeconds: 3600, pollMs: 50 } });
  assert.equal(result.evaluatedNow, 192);
  assertSameAsInProcess(store);
  await waitUntil('the worker to log 4 shards', () => worker.finished.length >= 4, { hopeless: exited(worker.child) }); // the log may trail the stored records
  const ranges = worker.finished.map((id) => id.slice(fixture.runId.length + 1)).sort();
  // An hour's target: after the one-batch calibration shard, the rest of each condition fits in one shard.
  assert.deepEqual(ranges, ['0-0-8', '0-8-96', '1-0-8', '1-8-96']);
  await worker.stop();
});

test('queue flags are checked before any work: a queue address that is not redis://, shard flags without a queue', () => {
  const base = [CLI, 'eval', '--model', fixture.model, '--data', fixture.data, '--store', join(tempDir(), 'r.db')];
  const wrongScheme = spawnSync(process.execPath, [...base, '--queue', 'http://127.0.0.1:1'], { encoding: 'utf8' });
  assert.equal(wrongScheme.status, 2);
  assert.match(wrongScheme.stderr, /^robustart: queue address 'http:\/\/127.0.0.1:1' must start with redis:\/\//);
  const noQueue = spawnSync(process.execPath, [...base, '--shard-size', '64'], { encoding: 'utf8' });
  assert.equal(noQueue.status, 2);
  assert.match(noQueue.stderr, /^robustart: --shard-size: only for queued evaluations; add --queue redis:\/\//);
});

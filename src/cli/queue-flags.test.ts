import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RobustartError } from '../errors.js';
import { queueExecutorFromFlags, queueLabel } from './queue-flags.js';
import { runProgressOf } from '../queue/progress.js';
import { queueExecutor } from '../queue/coordinator.js';

test('the queue label shows shards waiting, active and failed, the run\'s records, their rate and the ETA', () => {
  const start = Date.UTC(2026, 0, 1);
  const run = runProgressOf('r', { model: 'm', suite: 'clean', done: 300, total: 1000, failedShards: 1, sessionStart: start, sessionDone: 200, updatedAt: start + 10_000, workers: [] });
  // 200 records in 10 s: 20 records/s, 700 to go: 35 s.
  assert.equal(queueLabel({ waiting: 3, delayed: 1, active: 2, completed: 0, failed: 1, run }), 'shards 4 waiting 2 active 1 failed; run 300/1000 records 20.0/s ETA 0:35');
  assert.match(queueLabel({ waiting: 0, delayed: 0, active: 0, completed: 0, failed: 0, run: { ...run, done: 1000 } }), /run 1000\/1000 records 20\.0\/s done$/);
});

test('shard flags without --queue are refused, naming them; without any, there is no executor', async () => {
  await assert.rejects(queueExecutorFromFlags({ 'queue-ahead': '4', attempts: '2' }), (err: unknown) => err instanceof RobustartError && err.message === '--attempts, --queue-ahead: only for queued evaluations; add --queue redis://HOST:PORT');
  assert.equal(await queueExecutorFromFlags({}), undefined);
  await assert.rejects(queueExecutorFromFlags({ queue: 'redis://127.0.0.1:1', 'queue-ahead': '0' }), /--queue-ahead 0 is not a valid integer >= 1/);
});

test('the library refuses a queue-ahead bound below one shard before any work, in its own terms', () => {
  for (const queueAhead of [0, 2.5, -1]) assert.throws(() => queueExecutor({ url: 'redis://127.0.0.1:1', queueAhead }), /^RobustartError: queueAhead must be a whole number of shards of at least 1/);
});

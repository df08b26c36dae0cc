import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerPool } from './worker-pool.js';
import type { EchoRequest } from '../testing/echo-worker.js';

const SCRIPT = new URL('../testing/echo-worker.js', import.meta.url);

test('a crashed worker fails only its request, with its error, and is replaced', async () => {
  await using pool = new WorkerPool<EchoRequest, number>(SCRIPT, 2);
  assert.equal(await pool.run({ echo: 2 }), 4);
  const crashed = pool.run({ crash: 'decoder blew up' });
  const others = [1, 2, 3, 4, 5].map((n) => pool.run({ echo: n }));
  await assert.rejects(crashed, /decoder blew up/);
  assert.deepEqual(await Promise.all(others), [2, 4, 6, 8, 10]);
  assert.equal(pool.size, 2, 'the crashed worker was replaced');
  assert.equal(await pool.run({ echo: 21 }), 42);
});

test('a request can be cancelled, queued or running; the pool keeps serving', async () => {
  await using pool = new WorkerPool<EchoRequest, number>(SCRIPT, 1);
  const running = new AbortController();
  const stalled = pool.run({ stall: true }, { signal: running.signal });
  const queued = new AbortController();
  const waiting = pool.run({ echo: 1 }, { signal: queued.signal });
  queued.abort(new Error('not needed any more'));
  await assert.rejects(waiting, /not needed any more/);
  running.abort();
  await assert.rejects(stalled, { name: 'AbortError' });
  assert.equal(await pool.run({ echo: 5 }), 10, 'the stopped worker was replaced');
  await assert.rejects(pool.run({ echo: 1 }, { signal: AbortSignal.abort() }), { name: 'AbortError' });
});

test('a script that cannot start breaks the pool instead of respawning forever', async () => {
  await using pool = new WorkerPool<EchoRequest, number>(new URL('./no-such-worker.js', import.meta.url), 1);
  await assert.rejects(pool.run({ echo: 1 }), /no-such-worker|Cannot find module/);
  await assert.rejects(pool.run({ echo: 1 }), /no-such-worker|Cannot find module/);
});

test('dispose fails what is still queued or running', async () => {
  const pool = new WorkerPool<EchoRequest, number>(SCRIPT, 1);
  const stalled = pool.run({ stall: true });
  const queued = pool.run({ echo: 1 });
  const failed = Promise.all([assert.rejects(stalled, /disposed/), assert.rejects(queued, /disposed/)]);
  await pool.dispose();
  await failed;
  await assert.rejects(pool.run({ echo: 1 }), /disposed/);
});

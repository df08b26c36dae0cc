import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { exited, waitUntil } from './wait.js';

test('waitUntil resolves once the condition holds, checking again after each pause', async () => {
  let checks = 0;
  await waitUntil('the third check', () => ++checks === 3, { intervalMs: 1 });
  assert.equal(checks, 3);
  await waitUntil('an async condition', async () => true);
});

test('waitUntil fails naming what it waited for when the time runs out', async () => {
  await assert.rejects(waitUntil('a shard to finish', () => false, { timeoutMs: 30, intervalMs: 5 }), /^Error: timed out after 0.03 s waiting for a shard to finish$/);
});

test('waitUntil gives up as soon as the process that would cause the event has exited', async () => {
  const child = spawn(process.execPath, ['-e', 'process.exit(3)'], { stdio: 'ignore' });
  await once(child, 'exit');
  const started = Date.now();
  await assert.rejects(waitUntil('a log line', () => false, { hopeless: exited(child, () => 'its log') }), /^Error: gave up waiting for a log line: the process exited \(3\): its log$/);
  assert.ok(Date.now() - started < 60_000, 'it did not wait for the time limit');
});

// --workers means one thing in every command that has it: threads besides the main thread, 0 for none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commands } from './commands/index.js';
import { WORKERS_HELP, defaultWorkers } from '../util/workers.js';
import { availableParallelism } from 'node:os';

test('every command with --workers documents it with the same words and accepts 0', () => {
  const withWorkers = commands.filter((c) => 'workers' in c.options);
  assert.ok(withWorkers.length >= 2, withWorkers.map((c) => c.name).join(', '));
  for (const command of withWorkers) {
    const line = command.usage.split('\n').find((l) => l.trim().startsWith('--workers'));
    assert.ok(line?.endsWith(WORKERS_HELP), `${command.name}: ${line}`);
  }
  assert.equal(defaultWorkers(), Math.max(1, availableParallelism() - 1));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { tempDir } from '../testing/fixtures.js';
import { packagePath } from './paths.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

test('an idle worker pool does not keep the process alive: a fully resumed natural-noise run exits', () => {
  const store = join(tempDir(), 'r.db');
  const args = [CLI, 'eval', '--model', 'fashion-cnn', '--data', packagePath('demo/data/fashion-mnist'), '--suite', 'natural', '--corruptions', 'fog', '--severities', '1', '--limit', '4', '--store', store, '--json'];
  const first = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000 });
  assert.equal(first.status, 0, first.stderr);
  // Everything is stored: the pool's workers start but never get a job, and the command must still end.
  const second = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 30_000 });
  assert.equal(second.signal, null, 'the resumed run exited by itself');
  assert.equal(JSON.parse(second.stdout).evaluatedNow, 0);
});

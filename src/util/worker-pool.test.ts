import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../testing/fixtures.js';

test('a pool that never ran a job does not keep the process alive', () => {
  const pool = new URL('./worker-pool.js', import.meta.url).href;
  const script = new URL('../eval/preprocess-worker.js', import.meta.url).href;
  const main = join(tempDir(), 'main.mjs');
  writeFileSync(main, `import { WorkerPool } from ${JSON.stringify(pool)};\nnew WorkerPool(new URL(${JSON.stringify(script)}), 2);\n`);
  const r = spawnSync(process.execPath, [main], { timeout: 20_000 });
  assert.equal(r.signal, null, 'the process exited by itself');
  assert.equal(r.status, 0, String(r.stderr));
});

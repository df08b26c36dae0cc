// The resume-after-kill path: a CLI evaluation killed with SIGKILL mid-run and rerun with the same
// arguments ends with every sample recorded exactly once, and the same numbers as an unbroken run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { Rng } from '../util/rng.js';
import { tempDir, writeTinyClassifier } from '../testing/fixtures.js';
import { exited, waitUntil } from '../testing/wait.js';

const CLI = fileURLToPath(new URL('./main.js', import.meta.url));

/** Large JPEGs (copies of one) make each sample take long enough to kill the run part-way. */
async function slowDataset(root: string, perClass: number): Promise<void> {
  const size = 1400;
  const rng = new Rng(1);
  const pixels = Uint8Array.from({ length: size * size * 3 }, () => rng.int(256));
  const source = join(root, 'source.jpg');
  mkdirSync(root, { recursive: true });
  await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).jpeg({ quality: 90 }).toFile(source);
  for (const c of ['a', 'b']) {
    mkdirSync(join(root, 'data', c), { recursive: true });
    for (let i = 0; i < perClass; i++) copyFileSync(source, join(root, 'data', c, `${String(i).padStart(3, '0')}.jpg`));
  }
}

function recordCount(dbPath: string): number {
  try {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // not created yet
  }
}

test('a run killed mid-way resumes with no sample lost or counted twice', { timeout: 300_000 }, async () => {
  const dir = tempDir();
  const total = 2 * 60;
  await slowDataset(dir, total / 2);
  const model = writeTinyClassifier(join(dir, 'tiny.onnx'), { numClasses: 2, inputSize: 16 });
  const args = [CLI, 'eval', '--model', model, '--data', join(dir, 'data'), '--batch-size', '2', '--json'];
  const store = join(dir, 'killed.db');

  const child = spawn(process.execPath, [...args, '--store', store], { stdio: 'ignore' });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await waitUntil('6 stored records', () => recordCount(store) >= 6, { intervalMs: 10, hopeless: exited(child) });
  } finally {
    child.kill('SIGKILL');
  }
  const code = await exit;
  const atKill = recordCount(store);
  assert.equal(code, null, 'the child was killed, not finished');
  assert.ok(atKill > 0 && atKill < total, `killed part-way (${atKill} of ${total} recorded)`);

  const resumed = spawnSync(process.execPath, [...args, '--store', store], { encoding: 'utf8' });
  assert.equal(resumed.status, 0, resumed.stderr);
  const out = JSON.parse(resumed.stdout) as { evaluatedNow: number; conditions: { clean: { count: number; top1: number } } };
  assert.equal(out.evaluatedNow, total - atKill, 'the rerun evaluates exactly the missing samples');
  assert.equal(out.conditions.clean.count, total);

  const db = new Database(store, { readonly: true });
  const rows = db.prepare('SELECT sample_id, COUNT(*) AS n FROM records GROUP BY sample_id').all() as { n: number }[];
  db.close();
  assert.equal(rows.length, total);
  assert.ok(rows.every((r) => r.n === 1));

  const unbroken = spawnSync(process.execPath, [...args, '--store', join(dir, 'unbroken.db')], { encoding: 'utf8' });
  assert.equal(unbroken.status, 0, unbroken.stderr);
  assert.deepEqual((JSON.parse(unbroken.stdout) as typeof out).conditions, out.conditions);
});

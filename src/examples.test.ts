// The scripts in examples/ type-check against the published types (they import robustart by its subpaths, as a
// user would) and run, printing what they promise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { tempDir } from './testing/fixtures.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

function example(name: string, ...args: string[]): string {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join('examples', `${name}.ts`), ...args], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, `${name}: ${run.stderr}`);
  return run.stdout;
}

test('the examples type-check', { timeout: 120_000 }, () => {
  const tsc = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join('examples', 'tsconfig.json')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
});

test('examples/evaluate.ts evaluates the bundled model under the natural suite', { timeout: 120_000 }, () => {
  const out = example('evaluate');
  assert.match(out, /^clean\s+top-1 \d+\.\d%$/m);
  assert.match(out, /^fog\/3\s+top-1 \d+\.\d%$/m);
  assert.match(out, /^contrast\/3\s+top-1 \d+\.\d%$/m);
  assert.match(out, /^mean_error\/fog\s+0\.\d{3}$/m);
});

test('examples/attack.ts attacks a batch with PGD and prints per-sample results', { timeout: 120_000 }, () => {
  const out = example('attack');
  const rows = out.split('\n').filter((l) => /(fooled|robust) {2}‖δ‖∞ = /.test(l));
  assert.equal(rows.length, 8);
  for (const row of rows) {
    const norm = Number(/‖δ‖∞ = ([\d.]+)/.exec(row)![1]);
    assert.ok(norm <= 8 / 255 + 1e-4, row);
  }
  const fooled = rows.filter((r) => r.includes('fooled')).length;
  assert.match(out, new RegExp(`robust accuracy: ${8 - fooled} of 8`));
});

test('examples/corrupt.ts writes a corrupted image', { timeout: 120_000 }, async () => {
  const out = join(tempDir(), 'fog.png');
  assert.match(example('corrupt', out), /fog at severity 3 -> .*fog\.png \(64x64\)/);
  const meta = await sharp(out).metadata();
  assert.deepEqual([meta.width, meta.height, meta.format], [64, 64, 'png']);
});

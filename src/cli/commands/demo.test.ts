import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { tempDir } from '../../testing/fixtures.js';
import { packagePath } from '../../util/paths.js';
import { ResultStore } from '../../store/store.js';
import { percent } from '../format.js';

const CLI = packagePath('dist/cli/main.js');

function demo(args: string[]) {
  const result = spawnSync(process.execPath, [CLI, 'demo', ...args], { encoding: 'utf8', timeout: 90_000 }); // a run whose records are all stored must still exit by itself
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('demo: the printed table is the stored metrics, and a second demo evaluates nothing new', async () => {
  const dir = tempDir('demo-cli-');
  const store = join(dir, 'results.db');
  const out = join(dir, 'demo.html');
  const first = demo(['--limit', '6', '--store', store, '--out', out]);
  assert.equal(first.status, 0, first.stderr);
  assert.ok(existsSync(out));
  // The report states the settings behind its numbers: the quick protocol's PGD steps and step size among them.
  const html = readFileSync(out, 'utf8');
  assert.match(html, /<h2>Settings<\/h2>/);
  assert.match(html, /<td>adversarial<\/td><td>pgd\/linf\/2\/255<\/td><td class="setting">steps 10, step size 0.5\/255, random start true/);
  assert.match(html, /<td>natural<\/td><td>options<\/td><td class="setting">corruptions /);
  const second = demo(['--limit', '6', '--store', store, '--out', out, '--json']);
  assert.equal(second.status, 0, second.stderr);
  const summary = JSON.parse(second.stdout) as { evaluatedNow: number; runs: { model: string; runs: Record<string, { run: string; samples: number; evaluatedNow: number }> }[] };
  assert.equal(summary.evaluatedNow, 0);
  assert.ok(summary.runs.length >= 1);
  assert.ok(summary.runs.some((m) => m.model === 'fashion-cnn'));

  const results = new ResultStore(store);
  try {
    for (const { model, runs } of summary.runs) {
      for (const family of ['adversarial', 'natural', 'system']) {
        assert.equal(runs[family].evaluatedNow, 0);
        assert.equal(runs[family].samples, 6);
      }
      const metric = (run: string, noise: string, name: string) => results.metrics(run).find((m) => m.noise === noise && m.name === name)?.value ?? null;
      const suiteRows = (run: string, prefix: string) => results.metrics(run).filter((m) => m.noise === '*' && m.name.startsWith(prefix));
      const ar = suiteRows(runs.adversarial.run, 'ar/pgd/linf/');
      const wcar = suiteRows(runs.adversarial.run, 'wcar/linf/');
      const errors = suiteRows(runs.natural.run, 'mean_error/').map((m) => m.value!);
      assert.equal(errors.length, 8, 'two corruptions per group');
      const expected = [
        model,
        percent(metric(runs.natural.run, 'clean', 'top1')),
        percent(ar[0].value),
        percent(wcar[0].value),
        percent(errors.reduce((a, b) => a + b, 0) / errors.length),
        metric(runs.system.run, '*', 'nsd')!.toFixed(4),
      ];
      const row = first.stdout.split('\n').find((line) => line.startsWith(`${model} `));
      assert.ok(row, first.stdout);
      assert.deepEqual(row.trim().split(/\s+/), expected);
    }
  } finally {
    results.close();
  }
  assert.match(first.stdout, /AR pgd\/linf\/2\/255 \(quick, n=6\)/);
  assert.match(first.stdout, /report: /);
});

test('demo: --serve and a bad --limit are one-line errors', () => {
  const serve = demo(['--serve']);
  assert.equal(serve.status, 2);
  assert.match(serve.stderr, /--serve is not available yet/);
  assert.doesNotMatch(serve.stderr, /\n\s+at /);
  const limit = demo(['--limit', '0']);
  assert.equal(limit.status, 2);
});

// The study and serve commands at the CLI: bad input is one line and exit 2; export writes JSON, CSV and a site.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../testing/fixtures.js';
import { writeTestStudy } from '../../study/testing.js';

const CLI = fileURLToPath(new URL('../main.js', import.meta.url));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

function assertOneLineError(r: ReturnType<typeof run>, pattern: RegExp): void {
  assert.equal(r.status, 2, `exit code 2, got ${r.status}: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, pattern);
}

test('study and serve report bad input in one line', () => {
  const dir = tempDir();
  assertOneLineError(run('study', 'run', join(dir, 'none.yaml')), /study file not found/);
  const zoo = join(dir, 'zoo.yaml');
  writeFileSync(zoo, 'name: z\nmodels: [{name: r, zoo: resnet18, family: ResNet}]\ndatasets: [{name: d, path: d}]\nsuites: [{suite: clean}]\n');
  assertOneLineError(run('study', 'run', zoo), /models\.0: a zoo preset needs a training config/);
  const badOption = join(dir, 'bad-option.yaml');
  writeFileSync(badOption, 'name: b\nmodels: [{name: m, onnx: m.onnx}]\ndatasets: [{name: d, path: d}]\nsuites: [{suite: natural, options: {severity: 3}}]\n');
  assertOneLineError(run('study', 'run', badOption, '--store', join(dir, 'bad-option.db')), /bad-option.yaml: suites.natural: suite natural: option severity/);
  assertOneLineError(run('study', 'export', '--store', join(dir, 'empty.db')), /holds no study/);
  assertOneLineError(run('study', 'frobnicate', '--store', join(dir, 'empty.db')), /unknown study action 'frobnicate'/);
  assertOneLineError(run('serve', '--store', join(dir, 'missing.db')), /no results store at/);
  assertOneLineError(run('serve', '--store', join(dir, 'empty.db'), '--port', 'eighty'), /--port eighty is not a valid integer/);
});

test('study run, status and export through the CLI', async () => {
  const dir = tempDir();
  const yaml = await writeTestStudy(dir, { models: 2, suites: [{ suite: 'clean' }] });
  const db = join(dir, 'r.db');
  const ran = run('study', 'run', yaml, '--store', db);
  assert.equal(ran.status, 0, ran.stderr);
  assert.match(ran.stdout, /2 cells, 0 already done, 2 evaluated now, 0 failed/);
  const status = JSON.parse(run('study', 'status', '--store', db, '--json').stdout);
  assert.deepEqual(status[0].cells.map((c: { status: string }) => c.status), ['done', 'done']);
  const csv = run('study', 'export', yaml, '--store', db, '--format', 'csv').stdout.trim().split('\n');
  assert.equal(csv.length, 3);
  const json = JSON.parse(run('study', 'export', '--store', db, '--format', 'json').stdout);
  assert.equal(json.rows.length, 2);
  // Parquet holds the CSV's table: the same columns in order, and every cell equal (empty CSV cells are nulls).
  assertOneLineError(run('study', 'export', '--store', db, '--format', 'parquet'), /binary format; give the file to write with --out/);
  assertOneLineError(run('study', 'export', '--store', db, '--format', 'feather'), /format 'feather' is not supported; use json, csv, parquet/);
  const parquet = join(dir, 'out', 'board.parquet');
  assert.equal(run('study', 'export', '--store', db, '--format', 'parquet', '--out', parquet).status, 0);
  const { parquetReadObjects, parquetMetadata } = await import('hyparquet');
  const bytes = readFileSync(parquet);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const header = csv[0].split(',');
  assert.deepEqual(parquetMetadata(file).schema.slice(1).map((s) => s.name), header);
  const rows = (await parquetReadObjects({ file })) as Record<string, unknown>[];
  assert.equal(rows.length, csv.length - 1);
  for (const [i, line] of csv.slice(1).entries()) {
    const cells = line.split(',');
    for (const [j, name] of header.entries()) {
      const value = rows[i][name];
      const expected = cells[j] === '' ? null : typeof value === 'number' ? Number(cells[j]) : cells[j];
      assert.deepEqual(typeof value === 'bigint' ? String(value) : value, expected, `${name} of row ${i}`);
    }
  }
  assert.ok(header.includes('clean_top1') && typeof rows[0].clean_top1 === 'number' && typeof rows[0].parameters === 'bigint');
  const site = join(dir, 'site');
  assert.equal(run('study', 'export', '--store', db, '--site', site).status, 0);
  for (const f of ['index.html', 'assets/plot.min.js', 'assets/d3.min.js', 'data/studies.json', 'data/tiny/images/dashboard.json', 'data/tiny/images/models/cnn-base.json']) assert.ok(existsSync(join(site, f)), f);
  assert.match(readFileSync(join(site, 'index.html'), 'utf8'), /ROBUSTART_MODE = 'static'/);
});

test('serve --demo shows the bundled mini-study and stops on SIGTERM', async () => {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [CLI, 'serve', '--demo', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((done, fail) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /dashboard at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
        if (m) done(m[1]);
      });
      child.on('exit', (code) => fail(new Error(`serve exited with ${code}`)));
    });
    const studies = (await (await fetch(`${url}/api/studies`)).json()) as { name: string; cells: { done: number } }[];
    assert.equal(studies[0].name, 'fashion-mini');
    assert.ok(studies[0].cells.done > 0);
    const dashboard = (await (await fetch(`${url}/api/studies/fashion-mini/dashboard`)).json()) as { leaderboard: { rows: unknown[] } };
    assert.ok(dashboard.leaderboard.rows.length >= 5);
  } finally {
    child.kill('SIGTERM');
  }
  const code = await new Promise((done) => (child.exitCode !== null ? done(child.exitCode) : child.on('exit', (c) => done(c))));
  assert.equal(code, 0);
});

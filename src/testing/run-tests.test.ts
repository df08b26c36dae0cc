import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tempDir } from './fixtures.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNNER = fileURLToPath(new URL('./run-tests.js', import.meta.url));

test('npm test runs the suite through the runner that gives it a temporary cache', () => {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  assert.match(scripts.test, /node dist\/testing\/run-tests\.js/);
});

test('a test run writes graph-cache entries into a temporary directory it removes, never into the home cache', async () => {
  const dir = tempDir();
  const home = join(dir, 'home');
  const out = join(dir, 'cache-dir.txt');
  // A test file that stores a cache entry where the library's defaults put it.
  const probe = join(dir, 'probe.test.mjs');
  writeFileSync(probe, [
    `import { writeFileSync } from 'node:fs';`,
    `import { test } from 'node:test';`,
    `import { graphCacheFor } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist/autodiff/graph-cache.js')).href)};`,
    `test('probe', () => { const cache = graphCacheFor(); cache.putShapes('probe', new Map()); writeFileSync(${JSON.stringify(out)}, cache.dir); });`,
  ].join('\n'));
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  delete env.ROBUSTART_GRAPH_CACHE;
  delete env.XDG_CACHE_HOME;
  delete env.NODE_TEST_CONTEXT; // the inner runner is a runner of its own, not a test file of this one
  const child = spawn(process.execPath, [RUNNER, probe], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, output);
  const used = readFileSync(out, 'utf8');
  assert.ok(!used.startsWith(home), `the run wrote into the home cache ${used}`);
  assert.equal(existsSync(used), false, `the run's cache ${used} was left behind`);
  assert.equal(existsSync(join(home, '.cache')), false, 'nothing may appear under ~/.cache');
});

test('a test file that leaks a live handle still ends when its tests are done, so a failed cleanup cannot stall CI', async () => {
  const dir = tempDir();
  // The CI stall this guards against: a test failed before closing a client that keeps reconnecting.
  const probe = join(dir, 'leak.test.mjs');
  writeFileSync(probe, [`import { test } from 'node:test';`, `test('leaks a timer', () => { setInterval(() => undefined, 1000); });`].join('\n'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, [RUNNER, probe], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const stuck = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  clearTimeout(stuck);
  assert.equal(signal, null, `the run hung on the leaked timer and was killed after 60 s\n${output}`);
  assert.equal(code, 0, output);
  assert.match(output, /# pass 1/);
});

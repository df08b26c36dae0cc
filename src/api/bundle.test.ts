// The published entry points are the esbuild bundle in dist/pkg/ (tools/bundle.mjs): importing robustart by its
// name evaluates a few chunks, not hundreds of modules; the root, its subpaths, the CLI and its worker threads share
// one copy of every class and registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT, packagePath } from '../util/paths.js';
import { PUBLISHED_CLI as BIN, tempDir } from '../testing/fixtures.js';

type Library = typeof import('../index.js');
const manifest = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string };
const BUNDLE = packagePath('dist/pkg');

/** Writes a module that, imported with --import, reports every module of this package a thread loads (workers too). */
function moduleReporter(dir: string): string {
  const hook = `export async function load(url, context, next) { if (url.startsWith(${JSON.stringify(pathToFileURL(PACKAGE_ROOT).href + '/')})) process.stderr.write('module ' + url + '\\n'); return next(url, context); }`;
  const file = join(dir, 'report-modules.mjs');
  writeFileSync(file, `import { register } from 'node:module';\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});\n`);
  return file;
}

/** The package's own modules a process loaded (not its dependencies'), relative to the package root, and the rest of its stderr. */
function loadedModules(stderr: string): { modules: string[]; rest: string } {
  const lines = stderr.split('\n');
  const modules = lines.filter((l) => l.startsWith('module ')).map((l) => relative(PACKAGE_ROOT, new URL(l.slice('module '.length)).pathname)).filter((m) => !m.startsWith('node_modules/'));
  return { modules, rest: lines.filter((l) => l !== '' && !l.startsWith('module ')).join('\n') };
}

test('the root and its subpaths share one copy of each class and registry', async () => {
  // Imported by name, as a user does: the package's exports point into the bundle.
  const root = (await import('robustart' as string)) as Library;
  const attacks = (await import('robustart/attacks' as string)) as Library;
  const core = (await import('robustart/core' as string)) as Library;
  assert.equal(core.RobustartError, root.RobustartError);
  assert.equal(attacks.registerAttack, root.registerAttack);
  root.registerAttack('bundle-probe', { summary: 'registered through the root', kind: 'score-based', norms: ['linf'], minimumNorm: false, targeted: false, factory: () => { throw new Error('not run'); } });
  assert.equal(attacks.attackEntry('bundle-probe').summary, 'registered through the root');
  assert.throws(() => attacks.attackEntry('no-such-attack'), (err: unknown) => err instanceof core.RobustartError);
});

test('importing robustart by name evaluates the bundle, not tsc\'s modules', () => {
  const dir = tempDir();
  const child = spawnSync(process.execPath, ['--import', moduleReporter(dir), '--input-type=module', '-e', `await import('robustart')`], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  const { modules } = loadedModules(child.stderr);
  assert.ok(modules.includes('dist/pkg/index.js'), modules.join('\n'));
  assert.deepEqual(modules.filter((m) => !m.startsWith('dist/pkg/')), []);
  // tsc's output is about 250 modules here. esbuild makes one chunk per set of entry points (subpaths, CLI,
  // workers, lazy imports) that share code, which comes to a few dozen for the root.
  assert.ok(modules.length < 100, `${modules.length} modules`);
});

test('the CLI through its bin prints the version and evaluates with a worker thread from the bundle', { timeout: 60_000 }, () => {
  const version = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
  assert.equal(version.status, 0, version.stderr);
  assert.equal(version.stdout, `${manifest.version}\n`);

  const dir = tempDir();
  const args = ['eval', '--model', 'fashion-cnn', '--data', packagePath('demo/data/fashion-mnist'), '--limit', '4', '--workers', '1', '--store', join(dir, 'r.db'), '--json'];
  const run = spawnSync(process.execPath, ['--import', moduleReporter(dir), BIN, ...args], { encoding: 'utf8' });
  const { modules, rest } = loadedModules(run.stderr);
  assert.equal(run.status, 0, rest);
  assert.equal((JSON.parse(run.stdout) as { conditions: { clean: { count: number } } }).conditions.clean.count, 4);
  assert.ok(modules.includes('dist/pkg/eval/preprocess-worker.js'), 'the preprocessing worker starts from its bundled entry');
  assert.deepEqual(modules.filter((m) => !m.startsWith('dist/pkg/')), []);
});

test('every worker a module starts has an entry point in the bundle', () => {
  // Workers start from moduleUrl('<path under dist/>'); the bundle must hold an entry of that name.
  const sources = readdirSync(packagePath('src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  const workers = sources.flatMap((f) => [...readFileSync(join(packagePath('src'), f), 'utf8').matchAll(/moduleUrl\('([^']+)'\)/g)].map((m) => m[1]));
  assert.ok(workers.length >= 3, workers.join(', '));
  for (const worker of workers) assert.ok(existsSync(join(BUNDLE, worker)), `${worker} is not an entry point of the bundle`);
});

test('the bundle is built from the current dist/ (npm run build runs tsc, then the bundler)', () => {
  const dist = packagePath('dist');
  const built = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js') && !f.startsWith('pkg/') && !f.endsWith('.test.js'));
  const newest = Math.max(...built.map((f) => statSync(join(dist, f)).mtimeMs));
  assert.ok(statSync(join(BUNDLE, 'index.js')).mtimeMs >= newest, 'dist/pkg/ is older than tsc\'s output: run npm run build');
});

// The published package: every subpath export resolves to a file it ships, and no test or test helper ships.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('npm pack ships the subpath exports and no tests or test helpers', { timeout: 180_000 }, () => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const [pack] = JSON.parse(execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as [{ files: { path: string }[] }];
  const files = new Set(pack.files.map((f) => f.path));
  const leaked = [...files].filter((f) => /\.test\.(js|d\.ts)$|(^|\/)testing\/|^dist\/bench\/|gradcheck-assert|natural\/fixture\./.test(f));
  assert.deepEqual(leaked, []);
  const manifest = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { exports: Record<string, { import: string; types: string } | string> };
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    if (typeof target === 'string') continue;
    assert.ok(files.has(target.import.slice(2)), `${subpath} -> ${target.import} is not in the package`);
    assert.ok(files.has(target.types.slice(2)), `${subpath} -> ${target.types} is not in the package`);
  }
});

test('subpaths import on their own and export what the root exports', async () => {
  const root = await import('../index.js');
  for (const name of ['core', 'data', 'models', 'autodiff', 'onnx', 'eval', 'metrics', 'results', 'system', 'corruptions', 'attacks', 'train', 'nas-analysis']) {
    const sub = (await import(`./${name}.js`)) as Record<string, unknown>;
    assert.ok(Object.keys(sub).length > 0, name);
    for (const [key, value] of Object.entries(sub)) assert.equal((root as Record<string, unknown>)[key], value, `${name}.${key}`);
  }
});

test('importing the root loads no package from node_modules and none of the heavier Node built-ins', () => {
  // A loader hook reports every ES module read from node_modules; the require cache and Node's own load list show
  // what came in through require. Each of these loads on first use (src/util/native.ts), never at import.
  // (worker_threads is not checked here: module.register starts the hooks' thread with it.)
  const hook = `export async function load(url, context, next) { if (url.includes('/node_modules/')) process.stderr.write('package ' + url + '\\n'); return next(url, context); }`;
  const code = [
    `import { register, createRequire } from 'node:module';`,
    `register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`,
    `await import(${JSON.stringify(new URL('../index.js', import.meta.url).href)});`,
    `for (const path of Object.keys(createRequire(import.meta.url).cache)) if (path.includes('node_modules')) process.stderr.write('package ' + path + '\\n');`,
    `for (const m of process.moduleLoadList) if (/^NativeModule (crypto|child_process|zlib)$/.test(m)) process.stderr.write('built-in ' + m + '\\n');`,
  ].join('\n');
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stderr, '');
});

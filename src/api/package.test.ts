// The published package: every subpath export resolves to a file it ships, and no test or test helper ships.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('npm pack ships the subpath exports and no tests or test helpers', { timeout: 60_000 }, () => {
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

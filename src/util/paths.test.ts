import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLED, PACKAGE_ROOT, findPackageRoot, moduleUrl, packagePath } from './paths.js';
import { RobustartError } from '../errors.js';
import { tempDir } from '../testing/fixtures.js';

test('the package root is the nearest folder above whose package.json names robustart', () => {
  const root = tempDir();
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'robustart' }));
  // A package.json of another name on the way up (a nested package, a test fixture) is passed over.
  const nested = join(root, 'dist', 'pkg', 'chunks');
  mkdirSync(nested, { recursive: true });
  writeFileSync(join(root, 'dist', 'package.json'), JSON.stringify({ name: 'other' }));
  assert.equal(findPackageRoot(nested), root);
  assert.equal(findPackageRoot(root), root);
  assert.throws(() => findPackageRoot(tempDir()), (err: unknown) => err instanceof RobustartError && /no package\.json named robustart above .*; reinstall robustart/.test(err.message));
});

test('tsc\'s modules find the package files and start workers from their own build', () => {
  assert.equal(BUNDLED, false);
  assert.ok(existsSync(packagePath('package.json')));
  assert.ok(existsSync(packagePath('demo')));
  const worker = fileURLToPath(moduleUrl('eval/preprocess-worker.js'));
  assert.equal(worker, join(PACKAGE_ROOT, 'dist', 'eval', 'preprocess-worker.js'));
  assert.ok(existsSync(worker));
});

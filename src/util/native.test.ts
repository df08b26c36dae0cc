import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tempDir } from '../testing/fixtures.js';
import { lazyValue } from './native.js';

test('an absent optional package is a one-line error naming it and what needs it', async () => {
  // native.js copied where no node_modules can be found: every package is absent there.
  const dir = tempDir();
  mkdirSync(join(dir, 'util'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  copyFileSync(fileURLToPath(new URL('./native.js', import.meta.url)), join(dir, 'util', 'native.js'));
  copyFileSync(fileURLToPath(new URL('../errors.js', import.meta.url)), join(dir, 'errors.js'));
  const native = (await import(pathToFileURL(join(dir, 'util', 'native.js')).href)) as typeof import('./native.js');
  assert.throws(() => native.requirePackage('@napi-rs/canvas'), { name: 'RobustartError', message: 'the skia decoder and the corruption contact sheet need the optional package @napi-rs/canvas, which is not installed; install it with npm install @napi-rs/canvas' });
  assert.throws(() => native.requireInstalled('@jsquash/jpeg'), /mozjpeg-wasm decoder needs the optional package @jsquash\/jpeg/);
  await assert.rejects(native.importPackage('jpeg-js'), /jpegjs decoder needs the optional package jpeg-js/);
  // A stand-in for a required package fails on first use, not on import.
  assert.throws(() => native.sharp(Buffer.alloc(0)), /robustart needs the package sharp/);
});

test('a lazy value loads once, on first use, and enumerates like the value', () => {
  let loads = 0;
  const value = lazyValue(() => {
    loads++;
    return Object.freeze({ FLOAT: 1, INT64: 7 });
  });
  assert.equal(loads, 0);
  assert.equal(value.INT64, 7);
  assert.deepEqual(Object.entries(value), [['FLOAT', 1], ['INT64', 7]]);
  assert.equal(loads, 1);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { loadFashionMnist } from './fashion-mnist.js';
import { tempDir } from '../testing/fixtures.js';

function writeIdx(path: string, dims: number[], data: Uint8Array): void {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x0800 | dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  writeFileSync(path, gzipSync(Buffer.concat([header, data])));
}

test('a limited training run prepares only the images it uses', async () => {
  const dir = tempDir();
  const count = 40;
  writeIdx(join(dir, 'train-images-idx3-ubyte.gz'), [count, 28, 28], Uint8Array.from({ length: count * 784 }, (_, i) => i % 251));
  writeIdx(join(dir, 'train-labels-idx1-ubyte.gz'), [count], Uint8Array.from({ length: count }, (_, i) => i % 10));
  const set = await loadFashionMnist('train', dir, undefined, 6);
  assert.equal(set.count, 6);
  assert.equal(set.pixels.length, 6 * 32 * 32 * 3);
  assert.deepEqual([...set.labels], [0, 1, 2, 3, 4, 5]);
});

test('train refuses to overwrite the bundled model unless asked', () => {
  const cli = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  const bundled = fileURLToPath(new URL('../../demo/model/fashion-cnn.onnx', import.meta.url));
  const config = fileURLToPath(new URL('../../configs/fashion/fashion-cnn.yaml', import.meta.url));
  const r = spawnSync(process.execPath, [cli, 'train', '--config', config, '--out', bundled], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr.trim(), /^robustart: --out .*fashion-cnn\.onnx is a bundled model; pass --replace-bundled to replace it/);
});

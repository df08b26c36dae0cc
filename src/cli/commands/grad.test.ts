// robustart grad end to end: .npy in, .npy out, gradient in [0,1] pixel space. The fixture model's
// reference gradient (PyTorch) is w.r.t. its normalised input x; feeding pixels p = x·std + mean
// must give d loss/d p = (d loss/d x) / std.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gradCommand } from './grad.js';
import { readNpy, writeNpy, npyToFloat32 } from '../../onnx/npy.js';
import { readModel, metadataOf } from '../../onnx/proto.js';
import { writeTinyClassifier } from '../../testing/fixtures.js';
import { ResultStore } from '../../store/store.js';
import { loadModelFile } from '../../model/load.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'autodiff');

test('robustart grad writes the pixel-space cross-entropy gradient, loss and logits as .npy', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'robustart-grad-'));
  try {
    const modelPath = join(FIXTURES, 'ts-cnn.onnx');
    const meta = metadataOf(readModel(modelPath));
    const mean = JSON.parse(meta.mean) as number[];
    const std = JSON.parse(meta.std) as number[];
    const x = readNpy(join(FIXTURES, 'ts-cnn.input.npy'));
    const xs = npyToFloat32(x);
    const plane = x.shape[2] * x.shape[3];
    const pixels = Float32Array.from(xs, (v, i) => v * std[Math.floor(i / plane) % 3] + mean[Math.floor(i / plane) % 3]);
    writeNpy(join(dir, 'x.npy'), { dtype: 'float32', shape: x.shape, data: pixels });
    const out = join(dir, 'g.npy');
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      await gradCommand.run({ model: modelPath, input: join(dir, 'x.npy'), labels: join(FIXTURES, 'ts-cnn.labels.npy'), out, 'loss-out': join(dir, 'l.npy'), 'logits-out': join(dir, 'z.npy') }, []);
    } finally {
      process.stdout.write = write;
    }
    const g = readNpy(out);
    assert.deepEqual(g.shape, x.shape);
    const reference = npyToFloat32(readNpy(join(FIXTURES, 'ts-cnn.grad.npy')));
    let diff = 0;
    let norm = 0;
    const gv = npyToFloat32(g);
    for (let i = 0; i < gv.length; i++) {
      const expected = reference[i] / std[Math.floor(i / plane) % 3];
      diff += (gv[i] - expected) ** 2;
      norm += expected ** 2;
    }
    assert.ok(Math.sqrt(diff / norm) < 1e-4, `relative error ${Math.sqrt(diff / norm)}`);
    assert.deepEqual(readNpy(join(dir, 'l.npy')).shape, [x.shape[0]]);
    assert.deepEqual(readNpy(join(dir, 'z.npy')).shape, [x.shape[0], 10]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('robustart grad: a targeted loss without --targets is a one-line error', async () => {
  await assert.rejects(
    gradCommand.run({ model: join(FIXTURES, 'ts-cnn.onnx'), input: join(FIXTURES, 'ts-cnn.input.npy'), labels: join(FIXTURES, 'ts-cnn.labels.npy'), out: '/dev/null', loss: 'logit' }, []),
    /--loss logit needs --targets/,
  );
});

test('robustart grad: NaN or out-of-range pixels, labels beyond the classes and a missing output folder are one-line errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'robustart-grad-'));
  try {
    const model = writeTinyClassifier(join(dir, 'm.onnx'), { numClasses: 3, inputSize: 8 });
    const write = (name: string, data: Float32Array) => (writeNpy(join(dir, name), { dtype: 'float32', shape: [1, 3, 8, 8], data }), join(dir, name));
    const labels = join(dir, 'y.npy');
    writeNpy(labels, { dtype: 'int32', shape: [1], data: Int32Array.from([2]) });
    const good = write('x.npy', new Float32Array(192).fill(0.5));
    const run = (input: string, out = join(dir, 'g.npy'), y = labels) => gradCommand.run({ model, input, labels: y, out }, []);
    await assert.rejects(run(write('nan.npy', new Float32Array(192).fill(NaN))), /nan\.npy holds NaN at flat index 0/);
    await assert.rejects(run(write('big.npy', new Float32Array(192).fill(3))), /big\.npy holds 3 at flat index 0; --input pixels must be in \[0,1\]/);
    await assert.rejects(run(good, join(dir, 'no-dir', 'g.npy')), /cannot write .*g\.npy: the folder .*no-dir does not exist/);
    writeNpy(join(dir, 'y9.npy'), { dtype: 'int32', shape: [1], data: Int32Array.from([9]) });
    await assert.rejects(run(good, join(dir, 'g.npy'), join(dir, 'y9.npy')), /--labels entry 0 is 9; m has classes 0\.\.2/);
    await run(good);
    assert.deepEqual(readNpy(join(dir, 'g.npy')).shape, [1, 3, 8, 8]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('robustart grad takes a registered model name from --store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'robustart-grad-'));
  try {
    const path = writeTinyClassifier(join(dir, 'm.onnx'), { numClasses: 3, inputSize: 8 });
    const store = new ResultStore(join(dir, 'r.db'));
    const model = loadModelFile(path, 'reg');
    store.putModel({ name: 'reg', path, sha256: model.sha256, metadata: model.metadata, parameters: model.parameters, macs: null });
    store.close();
    writeNpy(join(dir, 'x.npy'), { dtype: 'float32', shape: [1, 3, 8, 8], data: new Float32Array(192).fill(0.25) });
    writeNpy(join(dir, 'y.npy'), { dtype: 'int32', shape: [1], data: Int32Array.from([0]) });
    await gradCommand.run({ model: 'reg', store: join(dir, 'r.db'), input: join(dir, 'x.npy'), labels: join(dir, 'y.npy'), out: join(dir, 'g.npy') }, []);
    assert.ok(readNpy(join(dir, 'g.npy')).data.length === 192);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

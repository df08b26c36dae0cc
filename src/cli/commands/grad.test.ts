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

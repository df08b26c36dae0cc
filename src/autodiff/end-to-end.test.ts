// End-to-end input gradients of whole models against PyTorch autograd (float64), from the fixtures
// tools/autodiff-export-fixtures.py writes: torchvision models exported at reduced width (opsets
// 11-17) and the TS-built ResNet/ViT/Mixer/CNN run by a torch interpreter. Tolerance: relative
// error ||g - g_ref|| / ||g_ref|| <= 1e-4 (issue 3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDifferentiableClassifier } from './classifier.js';
import { createGradientSession } from './session.js';
import { readNpy, npyToFloat32, npyToInt32 } from '../onnx/npy.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'autodiff');
const TOLERANCE = 1e-4;

function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    norm += b[i] ** 2;
  }
  return Math.sqrt(diff / norm);
}

const names = readdirSync(FIXTURES).filter((f) => f.endsWith('.onnx')).map((f) => f.replace(/\.onnx$/, '')).sort();

test('the end-to-end fixtures include torchvision exports and the TS-built ResNet, ViT and Mixer', () => {
  assert.ok(names.filter((n) => n.startsWith('tv-')).length >= 3, names.join(', '));
  for (const family of ['ts-resnet-basic', 'ts-resnet-bottleneck', 'ts-vit', 'ts-mixer']) assert.ok(names.includes(family), `${family} missing`);
});

for (const name of names) {
  test(`${name}: cross-entropy input gradient matches PyTorch autograd (rel err <= ${TOLERANCE})`, async (t) => {
    const x = readNpy(join(FIXTURES, `${name}.input.npy`));
    const labels = npyToInt32(readNpy(join(FIXTURES, `${name}.labels.npy`)));
    const lossRef = npyToFloat32(readNpy(join(FIXTURES, `${name}.loss.npy`)));
    const gradRef = npyToFloat32(readNpy(join(FIXTURES, `${name}.grad.npy`)));
    const model = await createDifferentiableClassifier(readFileSync(join(FIXTURES, `${name}.onnx`)));
    const batch = x.shape[0];
    const r = await model.lossAndGradient(npyToFloat32(x), batch, labels, { kind: 'ce' });
    const lossErr = relativeError(r.loss, lossRef);
    const gradErr = relativeError(r.gradient, gradRef);
    t.diagnostic(`${name}: loss rel err ${lossErr.toExponential(2)}, gradient rel err ${gradErr.toExponential(2)}`);
    assert.ok(lossErr <= TOLERANCE, `loss rel err ${lossErr.toExponential(2)}: ${Array.from(r.loss)} vs ${Array.from(lossRef)}`);
    assert.ok(gradErr <= TOLERANCE, `gradient rel err ${gradErr.toExponential(2)}`);
    await model.release();
  });
}

// Weight gradients: the TS-built models' first weight (stem conv or patch embedding), in the same
// session as the input gradient.
for (const file of readdirSync(FIXTURES).filter((f) => /\.grad-.+\.npy$/.test(f)).sort()) {
  const [, name, parameter] = /^(.+)\.grad-(.+)\.npy$/.exec(file)!;
  test(`${name}: gradient w.r.t. weight ${parameter} matches PyTorch autograd (rel err <= ${TOLERANCE})`, async (t) => {
    const x = readNpy(join(FIXTURES, `${name}.input.npy`));
    const labels = npyToInt32(readNpy(join(FIXTURES, `${name}.labels.npy`)));
    const session = await createGradientSession(readFileSync(join(FIXTURES, `${name}.onnx`)), { loss: 'ce', input: true, parameters: [parameter] });
    const out = await session.run({ input: npyToFloat32(x), batch: x.shape[0], labels });
    const weightErr = relativeError(out.gradients.get(parameter)!, npyToFloat32(readNpy(join(FIXTURES, file))));
    const inputErr = relativeError(out.gradients.get('input')!, npyToFloat32(readNpy(join(FIXTURES, `${name}.grad.npy`))));
    t.diagnostic(`${name}: ${parameter} gradient rel err ${weightErr.toExponential(2)}, input gradient rel err ${inputErr.toExponential(2)}`);
    assert.ok(weightErr <= TOLERANCE, `weight gradient rel err ${weightErr.toExponential(2)}`);
    assert.ok(inputErr <= TOLERANCE, `input gradient rel err ${inputErr.toExponential(2)}`);
    await session.release();
  });
}

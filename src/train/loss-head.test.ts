import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from '../onnx/graph.js';
import { makeNode, makeValueInfo } from '../onnx/build.js';
import { createSession, tensor } from '../onnx/runtime.js';
import { buildGradientGraph, prepareModel, gradientOutputName } from '../autodiff/gradient.js';
import { softTargetHead, distillationLoss, otherViews, SOFT_TARGETS_INPUT, TEACHER_TARGETS_INPUT, INVERSE_TEMPERATURE_INPUT, OTHER_VIEWS_INPUTS } from './loss-head.js';
import { smoothedTargets, softmaxAtTemperature } from './targets.js';

/** A "model" whose logits are its input, so input gradients are logit gradients. */
async function identityModel(classes: number) {
  const graph = new Graph({ nodes: [makeNode('Identity', ['input'], ['logits'])], inputs: [makeValueInfo('input', ['N', classes])], outputs: [{ name: 'logits' }] });
  return prepareModel(graph);
}

const softmax = (z: number[], scale = 1) => {
  const m = Math.max(...z.map((v) => v * scale));
  const e = z.map((v) => Math.exp(v * scale - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

test('soft-target head: −Σ q·log softmax(z) with gradient softmax(z) − q (label smoothing 0.1)', async () => {
  const prepared = await identityModel(3);
  const g = await buildGradientGraph(prepared, { loss: softTargetHead() });
  const session = await createSession(g.graph);
  const z = [2, -1, 0.5];
  const q = smoothedTargets([0], 3, 0.1);
  const out = await session.run({ input: tensor('float32', Float32Array.from(z), [1, 3]), [SOFT_TARGETS_INPUT]: tensor('float32', q, [1, 3]) });
  const p = softmax(z);
  const expected = -p.reduce((a, pk, k) => a + q[k] * Math.log(pk), 0);
  assert.ok(Math.abs((out[g.lossName].data as Float32Array)[0] - expected) < 1e-5);
  const grad = out[gradientOutputName('input')].data as Float32Array;
  p.forEach((pk, k) => assert.ok(Math.abs(grad[k] - (pk - q[k])) < 1e-5, `${grad[k]} vs ${pk - q[k]}`));
});

test('distillation head: loss and gradient of (1 − α)·CE + α·T²·KL(softmax(t/T) ‖ softmax(z/T)) (T = 4, α = 0.9)', async () => {
  const T = 4;
  const alpha = 0.9;
  const prepared = await identityModel(3);
  const g = await buildGradientGraph(prepared, { loss: softTargetHead({ distillation: true }) });
  const session = await createSession(g.graph);
  const z = Float32Array.of(1.5, -0.5, 0.2);
  const t = Float32Array.of(3, 1, -2);
  const hard = smoothedTargets([2], 3, 0).map((v) => (1 - alpha) * v);
  const teacher = softmaxAtTemperature(t, 3, T);
  const out = await session.run({
    input: tensor('float32', z, [1, 3]),
    [SOFT_TARGETS_INPUT]: tensor('float32', hard, [1, 3]),
    [TEACHER_TARGETS_INPUT]: tensor('float32', teacher.map((v) => alpha * T * T * v), [1, 3]),
    [INVERSE_TEMPERATURE_INPUT]: tensor('float32', Float32Array.of(1 / T), []),
  });
  // The head drops the teacher's entropy term (constant in the student): add it back to compare.
  const entropy = -Array.from(teacher).reduce((a, p) => a + p * Math.log(p), 0);
  const loss = (out[g.lossName].data as Float32Array)[0] - alpha * T * T * entropy;
  assert.ok(Math.abs(loss - distillationLoss(z, t, [2], 3, T, alpha)[0]) < 1e-4, `${loss} vs ${distillationLoss(z, t, [2], 3, T, alpha)[0]}`);
  // d/dz: (1 − α)(softmax(z) − y) + α·T·(softmax(z/T) − softmax(t/T))
  const ps = softmax(Array.from(z));
  const pT = softmax(Array.from(z), 1 / T);
  const grad = out[gradientOutputName('input')].data as Float32Array;
  for (let k = 0; k < 3; k++) {
    const expected = (1 - alpha) * (ps[k] - (k === 2 ? 1 : 0)) + alpha * T * (pT[k] - teacher[k]);
    assert.ok(Math.abs(grad[k] - expected) < 1e-5, `${k}: ${grad[k]} vs ${expected}`);
  }
});

test('the KD definition: α = 0 is plain cross-entropy; a student equal to its teacher has zero KL', () => {
  const z = Float32Array.of(1, 2, 3);
  const ce = -Math.log(softmax([1, 2, 3])[0]);
  assert.ok(Math.abs(distillationLoss(z, Float32Array.of(0, 0, 0), [0], 3, 2, 0)[0] - ce) < 1e-9);
  assert.ok(Math.abs(distillationLoss(z, z, [0], 3, 2, 1)[0]) < 1e-9);
});

test('AugMix head: rows [clean; aug1; aug2] sum to CE(clean) + λ·JS(p_clean, p_aug1, p_aug2), gradient by finite differences', async () => {
  const prepared = await identityModel(3);
  const g = await buildGradientGraph(prepared, { loss: softTargetHead({ jsdWeight: 12 }) });
  const session = await createSession(g.graph);
  const z = Float32Array.of(1, 0, -1, 0.5, 0.5, 0, -1, 2, 0.3); // one sample, three views
  const q = new Float32Array(9);
  q[0] = 1; // the clean view's label 0; the views carry no targets
  const run = async (logits: Float32Array) => {
    const out = await session.run({ input: tensor('float32', logits, [3, 3]), [SOFT_TARGETS_INPUT]: tensor('float32', q, [3, 3]), [OTHER_VIEWS_INPUTS[0]]: tensor('int64', otherViews(1, 3)[0], [3, 3]), [OTHER_VIEWS_INPUTS[1]]: tensor('int64', otherViews(1, 3)[1], [3, 3]) });
    return { loss: Array.from(out[g.lossName].data as Float32Array).reduce((a, b) => a + b, 0), grad: out[gradientOutputName('input')].data as Float32Array };
  };
  const { loss, grad } = await run(z);
  const p = [0, 1, 2].map((v) => softmax(Array.from(z.slice(3 * v, 3 * v + 3))));
  const m = [0, 1, 2].map((k) => (p[0][k] + p[1][k] + p[2][k]) / 3);
  const js = p.reduce((a, pv) => a + pv.reduce((b, pk, k) => b + pk * Math.log(pk / m[k]), 0), 0) / 3;
  assert.ok(Math.abs(loss - (-Math.log(p[0][0]) + 12 * js)) < 1e-4, `${loss} vs ${-Math.log(p[0][0]) + 12 * js}`);
  for (const i of [0, 4, 8]) {
    const h = 1e-2;
    const up = z.slice();
    up[i] += h;
    const down = z.slice();
    down[i] -= h;
    const fd = ((await run(up)).loss - (await run(down)).loss) / (2 * h);
    assert.ok(Math.abs(fd - grad[i]) < 2e-3, `${i}: ${fd} vs ${grad[i]}`);
  }
});

test('other views of row i are rows i ± samples (mod 3 × samples)', () => {
  const [a, b] = otherViews(2, 1);
  assert.deepEqual(Array.from(a, Number), [2, 3, 4, 5, 0, 1]);
  assert.deepEqual(Array.from(b, Number), [4, 5, 0, 1, 2, 3]);
  assert.deepEqual(Array.from(otherViews(1, 2)[0], Number), [1, 1, 2, 2, 0, 0]);
});

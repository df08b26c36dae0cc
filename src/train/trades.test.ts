import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from '../onnx/graph.js';
import { makeNode, makeValueInfo } from '../onnx/build.js';
import { createSession, tensor } from '../onnx/runtime.js';
import { buildGradientGraph, prepareModel, gradientOutputName } from '../autodiff/gradient.js';
import { Rng } from '../util/rng.js';
import { softTargetHead, tradesPartners, SOFT_TARGETS_INPUT, TRADES_PARTNER_INPUT, TRADES_WEIGHT_INPUT } from './loss-head.js';
import { smoothedTargets } from './targets.js';
import { tradesExamples, tradesLoss, TRADES_DEFAULTS, TRADES_START_STD, type SoftTargetOracle } from './trades.js';

test('TRADES loss by hand: z = (0, 0), z′ = (ln 3, 0), label 0, β 6 gives ln 2 + 6 · ½ ln(4/3)', () => {
  const loss = tradesLoss(Float32Array.of(0, 0), Float32Array.of(Math.log(3), 0), [0], 2, 6)[0];
  assert.ok(Math.abs(loss - (Math.LN2 + 3 * Math.log(4 / 3))) < 1e-6, `${loss}`);
  assert.ok(Math.abs(loss - 1.556193) < 1e-6);
  assert.ok(Math.abs(tradesLoss(Float32Array.of(1, -2, 0.5), Float32Array.of(1, -2, 0.5), [2], 3, 6)[0] - tradesLoss(Float32Array.of(1, -2, 0.5), Float32Array.of(1, -2, 0.5), [2], 3, 0)[0]) < 1e-12, 'x′ = x: no robust term');
});

test('the reference constants: β 6, ε 0.031, step 0.007, 10 steps, start 0.001·N(0, I)', () => {
  assert.deepEqual({ ...TRADES_DEFAULTS }, { eps: 0.031, stepSize: 0.007, steps: 10, beta: 6 });
  assert.equal(TRADES_START_STD, 0.001);
});

const softmax = (z: ArrayLike<number>) => {
  const m = Math.max(...Array.from(z));
  const e = Array.from(z, (v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

test('TRADES head on [clean; adversarial] rows: the loss is Σ tradesLoss, the gradient reaches both halves', async () => {
  const classes = 3;
  const beta = 6;
  const graph = new Graph({ nodes: [makeNode('Identity', ['input'], ['logits'])], inputs: [makeValueInfo('input', ['N', classes])], outputs: [{ name: 'logits' }] });
  const g = await buildGradientGraph(await prepareModel(graph), { loss: softTargetHead({ trades: true }) });
  const session = await createSession(g.graph);
  const clean = Float32Array.of(1.5, -0.5, 0.2, 0, 1, -1);
  const adversarial = Float32Array.of(0.5, 0.5, 0.9, 1, -0.3, 0.4);
  const labels = [0, 1];
  const targets = new Float32Array(4 * classes);
  targets.set(smoothedTargets(labels, classes, 0));
  const { partner, weight } = tradesPartners(2, classes, beta);
  assert.deepEqual(Array.from(partner, Number), [0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1]);
  assert.deepEqual(Array.from(weight), [0, 0, 6, 6]);
  const z = new Float32Array(12);
  z.set(clean);
  z.set(adversarial, 6);
  const out = await session.run({ input: tensor('float32', z, [4, classes]), [SOFT_TARGETS_INPUT]: tensor('float32', targets, [4, classes]), [TRADES_PARTNER_INPUT]: tensor('int64', partner, [4, classes]), [TRADES_WEIGHT_INPUT]: tensor('float32', weight, [4]) });
  const loss = Array.from(out[g.lossName].data as Float32Array).reduce((a, b) => a + b, 0);
  const expected = tradesLoss(clean, adversarial, labels, classes, beta).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(loss - expected) < 1e-4, `${loss} vs ${expected}`);
  const grad = out[gradientOutputName('input')].data as Float32Array;
  for (let n = 0; n < 2; n++) {
    const p = softmax(clean.subarray(3 * n, 3 * n + 3));
    const q = softmax(adversarial.subarray(3 * n, 3 * n + 3));
    const kl = p.reduce((a, pk, k) => a + pk * Math.log(pk / q[k]), 0);
    for (let k = 0; k < classes; k++) {
      // ∂/∂z_k: p_k − y_k + β·p_k·(log(p_k / q_k) − KL);   ∂/∂z′_k: β·(q_k − p_k)
      const dClean = p[k] - (k === labels[n] ? 1 : 0) + beta * p[k] * (Math.log(p[k] / q[k]) - kl);
      const dAdversarial = beta * (q[k] - p[k]);
      assert.ok(Math.abs(grad[3 * n + k] - dClean) < 1e-4, `clean ${n},${k}: ${grad[3 * n + k]} vs ${dClean}`);
      assert.ok(Math.abs(grad[6 + 3 * n + k] - dAdversarial) < 1e-4, `adversarial ${n},${k}: ${grad[6 + 3 * n + k]} vs ${dAdversarial}`);
    }
  }
});

/** A linear softmax model on 4 pixels, 2 classes, with its exact soft-target gradient. */
function linearOracle(): SoftTargetOracle & { calls: Float32Array[] } {
  const w = [
    [1, -2, 0.5, 0],
    [-1, 1, 0, 2],
  ];
  const logits = (x: Float32Array, n: number) => w.map((row) => row.reduce((a, v, i) => a + v * x[4 * n + i], 0));
  const calls: Float32Array[] = [];
  return {
    calls,
    probabilities: async (images, batch) => Float32Array.from({ length: batch * 2 }, (_, i) => softmax(logits(images, Math.floor(i / 2)))[i % 2]),
    softTargetGradient: async (images, batch, targets) => {
      calls.push(Float32Array.from(targets));
      const g = new Float32Array(images.length);
      for (let n = 0; n < batch; n++) {
        const p = softmax(logits(images, n));
        for (let i = 0; i < 4; i++) g[4 * n + i] = w.reduce((a, row, k) => a + row[i] * (p[k] - targets[2 * n + k]), 0);
      }
      return g;
    },
  };
}

test('TRADES examples: Gaussian start of 0.001, signed ascent on KL(f(x) ‖ f(x′)), inside the ε-ball and [0,1]', async () => {
  const oracle = linearOracle();
  const x = Float32Array.of(0.5, 0.5, 0.99, 0.02, 0.3, 0.7, 0.1, 0.6);
  const settings = { eps: 0.05, steps: 1, stepSize: 0.03 };
  const one = await tradesExamples(oracle, settings, x, [new Rng(1), new Rng(2)]);
  // One step by hand: start x + 0.001·N, then + 0.03·sign(∇), clipped.
  const starts = [new Rng(1), new Rng(2)].flatMap((rng, n) => Array.from({ length: 4 }, (_, i) => x[4 * n + i] + 0.001 * rng.normal()));
  const clean = await oracle.probabilities(x, 2);
  const g = await oracle.softTargetGradient(Float32Array.from(starts), 2, clean);
  const expected = starts.map((v, i) => Math.min(1, Math.max(0, Math.min(x[i] + 0.05, Math.max(x[i] - 0.05, v + 0.03 * Math.sign(g[i]))))));
  expected.forEach((v, i) => assert.ok(Math.abs(one[i] - v) < 1e-6, `${i}: ${one[i]} vs ${v}`));
  assert.deepEqual(Array.from(oracle.calls[0]), Array.from(clean), 'the targets are the clean probabilities');
  const many = await tradesExamples(oracle, { ...settings, steps: 8 }, x, [new Rng(1), new Rng(2)]);
  assert.ok(many.every((v, i) => Math.abs(v - x[i]) <= 0.05 + 1e-6 && v >= 0 && v <= 1));
  const kl = (adv: Float32Array) => {
    let sum = 0;
    for (let n = 0; n < 2; n++) sum += [0, 1].reduce((a, k) => a + clean[2 * n + k] * Math.log(clean[2 * n + k] / softmax([0, 1].map((c) => [[1, -2, 0.5, 0], [-1, 1, 0, 2]][c].reduce((s, v, i) => s + v * adv[4 * n + i], 0)))[k]), 0);
    return sum;
  };
  assert.ok(kl(many) > kl(one) && kl(one) > 0, `KL grows: ${kl(one)} → ${kl(many)}`);
});

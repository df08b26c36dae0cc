import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSmallCnn } from '../model/builders/cnn.js';
import { createGradientSession } from './session.js';
import { createDifferentiableClassifier } from './classifier.js';
import { buildGradientGraph, prepareModel, targetExecutionProvider } from './gradient.js';
import { createSession, tensor } from '../onnx/runtime.js';

test('one session gives input and parameter gradients; the head bias gradient is sum(softmax - onehot)', async () => {
  const graph = buildSmallCnn({ inputSize: [3, 16, 16], numClasses: 5, widths: [4, 8], hidden: 8, seed: 2 });
  const headBias = [...graph.initializers.keys()].filter((k) => k.startsWith('fc_b')).pop()!;
  const session = await createGradientSession(graph, { loss: 'ce', input: true, parameters: [headBias, 'conv_w_0'] });
  const batch = 3;
  const input = Float32Array.from({ length: batch * 3 * 16 * 16 }, (_, i) => Math.sin(i * 0.3));
  const labels = Int32Array.of(0, 3, 4);
  const out = await session.run({ input, batch, labels });
  assert.equal(out.gradients.get('conv_w_0')!.length, 4 * 3 * 3 * 3);
  const expected = new Float64Array(5);
  for (let n = 0; n < batch; n++) {
    const z = Array.from(out.logits.subarray(n * 5, n * 5 + 5));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    e.forEach((v, c) => (expected[c] += v / s - (c === labels[n] ? 1 : 0)));
  }
  const got = out.gradients.get(headBias)!;
  for (let c = 0; c < 5; c++) assert.ok(Math.abs(got[c] - expected[c]) < 1e-5, `class ${c}: ${got[c]} vs ${expected[c]}`);
  // The input gradient agrees with the DifferentiableClassifier's (per-sample losses are independent).
  const classifier = await createDifferentiableClassifier(graph);
  const single = await classifier.lossAndGradient(input.subarray(768, 1536), 1, labels.subarray(1, 2), { kind: 'ce' });
  const fromBatch = out.gradients.get('input')!.subarray(768, 1536);
  for (let i = 0; i < 768; i++) assert.ok(Math.abs(single.gradient[i] - fromBatch[i]) < 1e-6);
  await session.release();
  await classifier.release();
});

test('the same model declared at opset 13, 17 and 21 gives the same input gradient', async () => {
  const graph = buildSmallCnn({ inputSize: [3, 8, 8], numClasses: 3, widths: [4], hidden: 4, seed: 5 });
  const input = Float32Array.from({ length: 2 * 3 * 64 }, (_, i) => Math.cos(i));
  const labels = Int32Array.of(2, 0);
  const gradients: Float32Array[] = [];
  for (const opset of [13, 17, 21]) {
    const g = graph.clone();
    g.opset = opset;
    const c = await createDifferentiableClassifier(g);
    gradients.push((await c.lossAndGradient(input, 2, labels, { kind: 'ce' })).gradient);
    await c.release();
  }
  assert.deepEqual(Array.from(gradients[1]), Array.from(gradients[0]));
  assert.deepEqual(Array.from(gradients[2]), Array.from(gradients[0]));
});

test('the backward graph is built for the first execution provider: Indices-free MaxPool on WebGPU, same input gradient', async () => {
  const graph = buildSmallCnn({ inputSize: [3, 16, 16], numClasses: 5, widths: [4, 8], hidden: 8, seed: 3 });
  assert.equal(targetExecutionProvider({ executionProviders: ['webgpu', 'cpu'] }), 'webgpu');
  assert.equal(targetExecutionProvider({ executionProviders: ['cpu'] }), 'cpu');
  const prepared = await prepareModel(graph);
  // MaxPools that output Indices (the CPU rule reads them; WebGPU has no such output).
  const withIndices = (g: { graph: { nodes: { opType?: string | null; output?: string[] | null }[] } }) => g.graph.nodes.filter((n) => n.opType === 'MaxPool' && (n.output ?? []).filter(Boolean).length > 1).length;
  const onCpu = await buildGradientGraph(prepared, { loss: 'ce', executionProvider: 'cpu' });
  const onWebgpu = await buildGradientGraph(prepared, { loss: 'ce', executionProvider: 'webgpu' });
  assert.ok(withIndices(onCpu) > 0);
  assert.equal(withIndices(onWebgpu), 0);
  // Both graphs run on CPU here: the input gradients agree.
  const batch = 2;
  const input = Float32Array.from({ length: batch * 3 * 16 * 16 }, (_, i) => Math.sin(i * 0.7) + 0.001 * i);
  const feeds = { input: tensor('float32', input, [batch, 3, 16, 16]), labels: tensor('int64', BigInt64Array.of(1n, 4n), [batch]) };
  const gradientOf = async (g: typeof onCpu) => {
    const s = await createSession(g.graph, { executionProviders: ['cpu'] });
    const out = await s.run(feeds);
    await s.release();
    return out[g.gradients.get('input')!].data as Float32Array;
  };
  const a = await gradientOf(onCpu);
  const b = await gradientOf(onWebgpu);
  let scale = 0;
  for (const v of a) scale = Math.max(scale, Math.abs(v));
  assert.ok(scale > 0);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-6 * scale, `element ${i}: ${a[i]} vs ${b[i]}`);
});

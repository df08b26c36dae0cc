// Dropout's training form draws a fresh mask on every run, so finite differences cannot hold it fixed;
// the gradient is checked against its definition with the mask the same run drew. The inference form
// is the identity (finite differences in elementwise.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makeValueInfo } from '../../onnx/build.js';
import { DataType } from '../../onnx/proto.js';
import { Graph } from '../../onnx/graph.js';
import { createSession, tensor } from '../../onnx/runtime.js';
import { buildGradientGraph, prepareModel, gradientOutputName } from '../gradient.js';
import { assertGradient } from '../gradcheck-assert.js';

test('Dropout in training mode: dx = dy · mask / (1 − ratio) with the mask of the same run', async () => {
  const graph = new Graph({
    nodes: [makeNode('Dropout', ['input', 'ratio', 'training'], ['logits'], { seed: 3 })],
    inputs: [makeValueInfo('input', ['N', 8])],
    outputs: [{ name: 'logits' }],
    initializers: new Map([
      ['ratio', { dims: [], dataType: DataType.FLOAT, data: Float32Array.of(0.3) }],
      ['training', { dims: [], dataType: DataType.BOOL, data: Uint8Array.of(1) }],
    ]),
  });
  const prepared = await prepareModel(graph);
  const g = await buildGradientGraph(prepared, { loss: 'ce' });
  const session = await createSession(g.graph);
  const x = Float32Array.from({ length: 16 }, (_, i) => 0.5 + (i % 5) / 4);
  const out = await session.run({ input: tensor('float32', x, [2, 8]), labels: tensor('int64', BigInt64Array.of(1n, 6n), [2]) });
  const y = out.logits.data as Float32Array;
  const dx = out[gradientOutputName('input')].data as Float32Array;
  const dropped = Array.from(y).filter((v) => v === 0).length;
  assert.ok(dropped > 0 && dropped < 16, `${dropped} of 16 dropped`);
  for (let n = 0; n < 2; n++) {
    const row = Array.from(y.slice(8 * n, 8 * n + 8));
    const max = Math.max(...row);
    const sum = row.reduce((a, v) => a + Math.exp(v - max), 0);
    row.forEach((v, k) => {
      const i = 8 * n + k;
      if (v !== 0) assert.ok(Math.abs(v - x[i] / 0.7) < 1e-5, 'kept values are scaled by 1/(1 − p)');
      const dy = Math.exp(v - max) / sum - (k === (n === 0 ? 1 : 6) ? 1 : 0);
      assert.ok(Math.abs(dx[i] - (v === 0 ? 0 : dy / 0.7)) < 1e-5, `${i}: ${dx[i]} vs ${v === 0 ? 0 : dy / 0.7}`);
    });
  }
});

test('Dropout with training_mode false is the identity (float32)', () =>
  assertGradient({
    nodes: [makeNode('Dropout', ['x', 'ratio', 'training'], ['y'])],
    inputs: [{ name: 'x', dims: [2, 5] }],
    constants: { ratio: { dims: [], values: [0.5], dataType: 1 }, training: { dims: [], values: [0], dataType: 9 } },
    outputs: ['y'],
    dtype: 'float32',
  }));

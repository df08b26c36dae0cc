import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from '../onnx/graph.js';
import { makeNode, makeValueInfo } from '../onnx/build.js';
import { DataType } from '../onnx/proto.js';
import { discoverShapes } from '../onnx/shapes.js';
import { appendBackward } from './backward.js';
import { buildGradientGraph, prepareModel } from './gradient.js';
import { buildSmallCnn } from '../model/builders/cnn.js';
import { createSession, tensor } from '../onnx/runtime.js';

function graphWith(nodes: ReturnType<typeof makeNode>[]): Graph {
  const g = new Graph({ opset: 18, nodes });
  g.inputs = [makeValueInfo('x', [2, 3])];
  g.initializers.set('one', { dims: [], dataType: DataType.FLOAT, data: Float32Array.of(1) });
  return g;
}

test('an op without a VJP rule on the differentiated path is an error naming the op, the node and the supported ops', async () => {
  const g = graphWith([makeNode('Cos', ['x'], ['c'], {}, 'my_cos'), makeNode('ReduceSum', ['c'], ['loss'], { keepdims: 0 })]);
  const shapes = await discoverShapes(g);
  assert.throws(() => appendBackward(g, shapes, { sources: ['x'], seeds: [{ value: 'loss', gradient: 'one' }] }), (err: Error) => {
    assert.match(err.message, /cannot differentiate ONNX op Cos \(node 'my_cos'\)/);
    assert.match(err.message, /Conv, .*MatMul/);
    return true;
  });
});

test('an unsupported op off the differentiated path is fine, and a source the loss ignores gets zeros', async () => {
  const g = graphWith([makeNode('Cos', ['x'], ['unused']), makeNode('ReduceSum', ['x'], ['loss'], { keepdims: 0 })]);
  g.inputs.push(makeValueInfo('z', [4]));
  const shapes = await discoverShapes(g);
  const grads = appendBackward(g, shapes, { sources: ['x', 'z'], seeds: [{ value: 'loss', gradient: 'one' }] });
  g.outputs = [{ name: grads.get('x')! }, { name: grads.get('z')! }];
  const s = await createSession(g);
  const out = await s.run({ x: tensor('float32', new Float32Array(6).fill(0.5), [2, 3]), z: tensor('float32', new Float32Array(4), [4]) });
  assert.deepEqual(Array.from(out[grads.get('x')!].data as Float32Array), [1, 1, 1, 1, 1, 1]);
  assert.deepEqual(Array.from(out[grads.get('z')!].data as Float32Array), [0, 0, 0, 0]);
});

test('an input-gradient graph computes no weight gradients (only what the request needs)', async () => {
  const prepared = await prepareModel(buildSmallCnn({ inputSize: [3, 16, 16], numClasses: 4, widths: [4, 8], hidden: 8 }));
  const inputOnly = await buildGradientGraph(prepared, { loss: 'ce' });
  const withWeights = await buildGradientGraph(prepared, { loss: 'ce', parameters: [...prepared.graph.initializers.keys()].filter((k) => k.startsWith('conv_w')) });
  const count = (g: Graph, op: string) => g.nodes.filter((n) => n.opType === op).length;
  // Forward: 2 Convs; the input gradient adds one (stride-1: a Conv on the flipped kernel) per Conv;
  // weight gradients of the 3×3 kernels add one GEMM per tap each.
  const convs = (g: Graph) => count(g, 'Conv') + count(g, 'ConvTranspose');
  assert.equal(convs(inputOnly.graph), 4);
  assert.equal(convs(withWeights.graph), 4);
  assert.equal(count(withWeights.graph, 'Gemm') - count(inputOnly.graph, 'Gemm'), 2 * 9);
  assert.equal(withWeights.gradients.size, 3);
});

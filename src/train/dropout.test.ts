import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from '../onnx/graph.js';
import { makeNode, makeValueInfo } from '../onnx/build.js';
import { DataType } from '../onnx/proto.js';
import { createSession, tensor } from '../onnx/runtime.js';
import { discoverShapes } from '../onnx/shapes.js';
import { buildSmallCnn } from '../model/builders/cnn.js';
import { buildGradientGraph, prepareModel, gradientOutputName } from '../autodiff/gradient.js';
import { Rng } from '../util/rng.js';
import { dropoutToTraining, dropoutMask } from './dropout.js';

test('inverted-dropout masks: zero with probability p, else 1/(1 − p); same stream, same mask', () => {
  const mask = { input: 'm', rate: 0.25, perSample: 1000 };
  const m = dropoutMask(new Rng(1), 20, mask);
  const zeros = m.filter((v) => v === 0).length / m.length;
  assert.ok(Math.abs(zeros - 0.25) < 0.02, `${zeros}`);
  assert.ok(m.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6));
  assert.deepEqual(Array.from(dropoutMask(new Rng(1), 20, mask)), Array.from(m));
});

test('a Dropout node becomes Mul by a fed mask, and its gradient is dy · mask', async () => {
  const graph = new Graph({
    nodes: [makeNode('Dropout', ['input', 'ratio'], ['dropped']), makeNode('Identity', ['dropped'], ['logits'])],
    inputs: [makeValueInfo('input', ['N', 4])],
    outputs: [{ name: 'logits' }],
    initializers: new Map([['ratio', { dims: [], dataType: DataType.FLOAT, data: Float32Array.of(0.5) }]]),
  });
  const prepared = await prepareModel(graph);
  const train = prepared.graph.clone();
  const shapes = new Map(prepared.shapes);
  const [mask] = dropoutToTraining(train, shapes, 'logits', 0);
  assert.equal(mask.rate, 0.5);
  assert.equal(train.nodes.filter((n) => n.opType === 'Dropout').length, 0);
  const g = await buildGradientGraph({ ...prepared, graph: train, shapes }, { loss: 'ce' });
  const session = await createSession(g.graph);
  const m = Float32Array.of(2, 0, 2, 0);
  const out = await session.run({ input: tensor('float32', Float32Array.of(1, 2, 3, 4), [1, 4]), [mask.input]: tensor('float32', m, [1, 4]), labels: tensor('int64', BigInt64Array.of(0n), [1]) });
  assert.deepEqual(Array.from(out.logits.data as Float32Array), [2, 0, 6, 0]);
  const dx = out[gradientOutputName('input')].data as Float32Array;
  assert.equal(dx[1], 0);
  assert.equal(dx[3], 0);
  assert.notEqual(dx[0], 0);
});

test('head dropout (drop_rate) goes on the classifier input: an all-ones mask keeps the logits, all-zeros leaves the bias', async () => {
  const cnn = buildSmallCnn({ inputSize: [3, 8, 8], numClasses: 3, widths: [4], hidden: 0, seed: 2 });
  const shapes = await discoverShapes(cnn);
  const train = cnn.clone();
  const [mask] = dropoutToTraining(train, shapes, cnn.outputs[0].name!, 0.3);
  assert.equal(mask.rate, 0.3);
  const x = tensor('float32', Float32Array.from({ length: 192 }, (_, i) => Math.cos(i)), [1, 3, 8, 8]);
  const plain = (await (await createSession(cnn)).run({ input: x })).logits.data as Float32Array;
  const session = await createSession(train);
  const ones = (await session.run({ input: x, [mask.input]: tensor('float32', new Float32Array(mask.perSample).fill(1), [1, mask.perSample]) })).logits.data as Float32Array;
  assert.deepEqual(Array.from(ones), Array.from(plain));
  const zeros = (await session.run({ input: x, [mask.input]: tensor('float32', new Float32Array(mask.perSample), [1, mask.perSample]) })).logits.data as Float32Array;
  const add = cnn.nodes.find((n) => n.opType === 'Add' && n.input!.some((i) => cnn.initializers.has(i)) && cnn.nodes.some((m) => m.opType === 'Identity' && m.input![0] === n.output![0]))!;
  const bias = cnn.initializers.get(add.input!.find((i) => cnn.initializers.has(i))!)!.data as Float32Array;
  assert.deepEqual(Array.from(zeros), Array.from(bias));
});

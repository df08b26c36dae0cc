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

const streams = (count: number, from = 0) => Array.from({ length: count }, (_, n) => new Rng(from + n));

test('inverted-dropout masks: zero with probability p, else 1/(1 − p); a row depends on its own stream only', () => {
  const mask = { input: 'm', rate: 0.25, perSample: 1000 };
  const m = dropoutMask(streams(20), mask);
  const zeros = m.filter((v) => v === 0).length / m.length;
  assert.ok(Math.abs(zeros - 0.25) < 0.02, `${zeros}`);
  assert.ok(m.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6));
  assert.deepEqual(Array.from(dropoutMask(streams(20), mask)), Array.from(m));
  // Row 5 alone, or in another batch position, gets the same mask.
  assert.deepEqual(Array.from(dropoutMask([new Rng(5)], mask)), Array.from(m.subarray(5000, 6000)));
});

test('drop-path masks: one element per sample, a Bernoulli(1 − p) keep scaled by 1/(1 − p), mean 1', () => {
  const mask = { input: 'm', rate: 0.1, perSample: 1 };
  const m = dropoutMask(streams(20000), mask);
  assert.equal(m.length, 20000);
  const dropped = m.filter((v) => v === 0).length / m.length;
  // Binomial(20000, 0.1): standard deviation 0.0021, so ±0.008 is almost four of them.
  assert.ok(Math.abs(dropped - 0.1) < 0.008, `${dropped}`);
  assert.ok(m.every((v) => v === 0 || Math.abs(v - 1 / 0.9) < 1e-6));
  const mean = m.reduce((a, v) => a + v, 0) / m.length;
  assert.ok(Math.abs(mean - 1) < 0.01, `E[mask] = ${mean}`);
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

test('drop-path through the trainer: one mask element per sample, and rate 0 trains exactly as a model without drop-path', async () => {
  const { buildPreset } = await import('../model/zoo/index.js');
  const { trainClassifier } = await import('./trainer.js');
  const vit = (dropPath: number) => buildPreset('small-vit', { resolution: 8, classes: 2, seed: 4, options: { dropPath, depth: 2 } });
  const withPath = vit(0.5);
  const shapes = await discoverShapes(withPath);
  const train = withPath.clone();
  const masks = dropoutToTraining(train, shapes, withPath.outputs[0].name!, 0);
  assert.ok(masks.length > 0 && masks.every((m) => m.perSample === 1), JSON.stringify(masks));
  // The same graph with every drop-path ratio set to 0 against the graph built without drop-path.
  const zeroed = withPath.clone();
  for (const node of zeroed.nodes.filter((n) => n.opType === 'Dropout')) zeroed.initializers.set(node.input![1], { dims: [], dataType: DataType.FLOAT, data: Float32Array.of(0) });
  const rng = new Rng(9);
  const images = Float32Array.from({ length: 32 * 192 }, () => rng.uniform());
  const data = { count: 32, label: (i: number) => i % 2, pixels: (indices: ArrayLike<number>) => { const out = new Float32Array(indices.length * 192); Array.from(indices).forEach((s, b) => out.set(images.subarray(s * 192, (s + 1) * 192), b * 192)); return out; } };
  const settings = { epochs: 1, batchSize: 8, seed: 1, optimizer: { kind: 'sgd', momentum: 0.9, nesterov: false, weightDecay: 0 } as const, schedule: { baseLr: 0.05, warmupLr: 0.05, minLr: 0, warmupEpochs: 0 }, normalization: { mean: [0, 0, 0], std: [1, 1, 1] } };
  const a = await trainClassifier(zeroed, data, data, settings);
  const b = await trainClassifier(vit(0), data, data, settings);
  const weights = (g: typeof a.graph) => [...g.initializers].filter(([, t]) => t.dims.length > 1).map(([name, t]) => [name, Array.from(t.data as Float32Array)]);
  assert.deepEqual(weights(a.graph), weights(b.graph));
});

test('Dropout and drop-path in training form match PyTorch (F.dropout, torchvision stochastic_depth row mode) given torch\'s masks', async () => {
  const { readFileSync } = await import('node:fs');
  const { packagePath } = await import('../util/paths.js');
  const { appendBackward } = await import('../autodiff/backward.js');
  // fixtures/autodiff/dropout-training.json, made by tools/dropout-fixture.py (float64; compared in float32).
  const f = JSON.parse(readFileSync(packagePath('fixtures/autodiff/dropout-training.json'), 'utf8'));
  const one = { name: 'value', dims: [1], dataType: DataType.FLOAT, rawData: new Uint8Array(Float32Array.of(1).buffer) };
  const cases = [
    { c: f.dropout, nodes: [makeNode('Dropout', ['x', 'ratio'], ['y'])], perRow: false },
    {
      c: f.drop_path,
      // GraphBuilder.dropPath's form: x · Dropout(ones of shape [N, 1]).
      nodes: [makeNode('Shape', ['x'], ['s']), makeNode('Slice', ['s', 'zero', 'one'], ['n']), makeNode('Concat', ['n', 'one'], ['shape'], { axis: 0 }), makeNode('ConstantOfShape', ['shape'], ['ones'], { value: one }), makeNode('Dropout', ['ones', 'ratio'], ['keep']), makeNode('Mul', ['x', 'keep'], ['y'])],
      perRow: true,
    },
  ];
  for (const { c, nodes, perRow } of cases) {
    const graph = new Graph({ nodes, inputs: [makeValueInfo('x', c.shape), makeValueInfo('dy', c.shape)], outputs: [{ name: 'y' }] });
    graph.initializers.set('ratio', { dims: [], dataType: DataType.FLOAT, data: Float32Array.of(c.rate) });
    for (const [name, value] of [['zero', 0n], ['one', 1n]] as const) graph.initializers.set(name, { dims: [1], dataType: DataType.INT64, data: BigInt64Array.of(value) });
    const shapes = await discoverShapes(graph);
    const [mask] = dropoutToTraining(graph, shapes, 'y', 0);
    assert.equal(mask.perSample, perRow ? 1 : c.shape[1]);
    // torch's mask, read off its output (the inputs have no zeros).
    const kept = (c.y as number[]).map((v) => (v !== 0 ? 1 / (1 - c.rate) : 0));
    const fed = perRow ? Float32Array.from({ length: c.shape[0] }, (_, n) => kept[n * c.shape[1]]) : Float32Array.from(kept);
    assert.ok(fed.some((v) => v === 0) && fed.some((v) => v !== 0), 'torch dropped some and kept some');
    const grads = appendBackward(graph, shapes, { sources: ['x'], seeds: [{ value: 'y', gradient: 'dy' }] });
    graph.outputs = [{ name: 'y' }, { name: grads.get('x')! }];
    const out = await (await createSession(graph)).run({ x: tensor('float32', Float32Array.from(c.x), c.shape), dy: tensor('float32', Float32Array.from(c.dy), c.shape), [mask.input]: tensor('float32', fed, perRow ? [c.shape[0], 1] : c.shape) });
    const close = (got: ArrayLike<number>, want: number[], what: string) => want.forEach((w, i) => assert.ok(Math.abs(got[i] - w) <= 1e-6 + 1e-6 * Math.abs(w), `${what}[${i}]: ${got[i]} vs ${w}`));
    close(out.y.data as Float32Array, c.y, 'y');
    close(out[grads.get('x')!].data as Float32Array, c.dx, 'dx');
  }
});

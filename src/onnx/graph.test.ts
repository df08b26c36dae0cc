import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from './graph.js';
import { makeNode, makeValueInfo, makeModel, intsAttribute } from './build.js';
import { makeTensor } from './tensor.js';
import { encodeModel, decodeModel, DataType } from './proto.js';
import { canonicalizeOpset } from './opset.js';
import { discoverShapes, probeGraphOf } from './shapes.js';
import { createSession, tensor } from './runtime.js';

function opset11Model() {
  const graph = {
    name: 'g',
    input: [makeValueInfo('x', ['N', 3, 4])],
    output: [makeValueInfo('y', ['N', 12])],
    initializer: [makeTensor('w', [3, 4], Float32Array.from({ length: 12 }, (_, i) => i / 12))],
    node: [
      makeNode('Mul', ['x', 'w'], ['m']),
      makeNode('Unsqueeze', ['m'], ['u'], { axes: [1] }),
      makeNode('Squeeze', ['u'], ['s'], { axes: [1] }),
      makeNode('ReduceSum', ['s'], ['r'], { axes: [2], keepdims: 1 }),
      makeNode('Add', ['s', 'r'], ['a']),
      makeNode('Softmax', ['a'], ['sm'], { axis: 1 }),
      makeNode('Flatten', ['sm'], ['y'], { axis: 1 }),
    ],
  };
  return makeModel(graph, 11);
}

test('Graph round-trips a model through protobuf bytes with initializers as typed arrays', () => {
  const bytes = encodeModel(opset11Model());
  const g = Graph.fromModel(decodeModel(bytes));
  assert.equal(g.opset, 11);
  const w = g.initializers.get('w')!;
  assert.deepEqual(w.dims, [3, 4]);
  assert.ok(w.data instanceof Float32Array);
  assert.ok(Math.abs((w.data as Float32Array)[6] - 0.5) < 1e-7);
  const again = Graph.fromModel(decodeModel(encodeModel(g.toModel())));
  assert.deepEqual(Array.from(again.initializers.get('w')!.data as Float32Array), Array.from(w.data as Float32Array));
  assert.deepEqual(again.topologicalOrder().map((n) => n.opType), ['Mul', 'Unsqueeze', 'Squeeze', 'ReduceSum', 'Add', 'Softmax', 'Flatten']);
});

test('topological order sorts nodes given out of order, and a cycle is an error', () => {
  const g = new Graph({ nodes: [makeNode('Relu', ['b'], ['c']), makeNode('Relu', ['a'], ['b'])] });
  assert.deepEqual(g.topologicalOrder().map((n) => n.output![0]), ['b', 'c']);
  const cyclic = new Graph({ nodes: [makeNode('Relu', ['b'], ['a']), makeNode('Relu', ['a'], ['b'])] });
  assert.throws(() => cyclic.topologicalOrder(), /has a cycle/);
});

test('opset 11 -> 18 canonicalisation moves axes to inputs, keeps Softmax-11 semantics, and computes the same outputs', async () => {
  const model = opset11Model();
  const before = await createSession(encodeModel(model));
  const g = Graph.fromModel(model);
  canonicalizeOpset(g);
  assert.equal(g.opset, 18);
  for (const n of g.nodes) if (['Squeeze', 'Unsqueeze', 'ReduceSum'].includes(n.opType!)) assert.equal(intsAttribute(n, 'axes', undefined), undefined);
  const after = await createSession(g);
  const x = tensor('float32', Float32Array.from({ length: 2 * 12 }, (_, i) => Math.sin(i)), [2, 3, 4]);
  const a = (await before.run({ x })).y.data as Float32Array;
  const b = (await after.run({ x })).y.data as Float32Array;
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-6, `output ${i}: ${a[i]} vs ${b[i]}`);
});

test('opset outside 11..21 is a clear error', () => {
  const g = Graph.fromModel(makeModel({ node: [makeNode('Relu', ['x'], ['y'])], input: [makeValueInfo('x', [1])], output: [makeValueInfo('y', [1])] }, 9));
  assert.throws(() => canonicalizeOpset(g), /opset 9; robustart needs opset 11 or newer/);
});

test('shape discovery gives every value its dtype and marks batch-sized dims dynamic', async () => {
  const g = Graph.fromModel(opset11Model());
  canonicalizeOpset(g);
  g.nodes.push(makeNode('Shape', ['s'], ['shape']), makeNode('Gather', ['shape', 'two'], ['last']));
  g.initializers.set('two', { dims: [], dataType: DataType.INT64, data: BigInt64Array.of(2n) });
  const shapes = await discoverShapes(g);
  assert.deepEqual(shapes.get('u')!.dims, [null, 1, 3, 4]);
  assert.deepEqual(shapes.get('r')!.dims, [null, 3, 1]);
  assert.deepEqual(shapes.get('y')!.dims, [null, 12]);
  assert.equal(shapes.get('y')!.dataType, DataType.FLOAT);
  assert.equal(shapes.get('shape')!.dataType, DataType.INT64);
  assert.equal(shapes.get('shape')!.value, undefined, 'the shape holds the batch size, so it is not constant');
  assert.deepEqual(shapes.get('last')!.value, [4]);
});

test("shape discovery's probe graph has one leaf, fed by each value's probes last value first", () => {
  const g = Graph.fromModel(opset11Model());
  canonicalizeOpset(g);
  const wanted = g.nodes.flatMap((n) => n.output ?? []);
  const { probe, outputs } = probeGraphOf(g, new Set(wanted));
  const consumed = new Set(probe.nodes.flatMap((n) => n.input ?? []));
  const leaves = probe.nodes.filter((n) => (n.output ?? []).every((o) => !consumed.has(o)));
  assert.equal(leaves.length, 1, 'one leaf: ORT walks back from each leaf, the last first, so more leaves ran the model before the probes');
  assert.equal(leaves[0], probe.nodes.at(-1));
  const producers = probe.producers();
  const probedValue = (link: string) => producers.get(link)!.input![0];
  const order = leaves[0].input!.map((link) => wanted.find((v) => outputs.get(v)!.shape === probedValue(link)));
  assert.deepEqual(order, [...wanted].reverse());
});

test('a decoded graph owns its attributes\' bytes: no view keeps the model bytes alive', () => {
  const model = makeModel({
    name: 'g',
    input: [makeValueInfo('x', ['N', 3])],
    output: [makeValueInfo('y', ['N', 3])],
    initializer: [makeTensor('w', [3], Float32Array.of(1, 2, 3)), makeTensor('pads', [4], BigInt64Array.of(0n, 0n, 0n, 0n))],
    node: [makeNode('Constant', [], ['c'], { value: makeTensor('value', [3], Float32Array.of(4, 5, 6)) }), makeNode('Mul', ['x', 'w'], ['m']), makeNode('Add', ['m', 'c'], ['a']), makeNode('Pad', ['a', 'pads'], ['y'], { mode: 'edge' })],
  }, 18);
  const bytes = encodeModel(model);
  const g = Graph.fromModel(decodeModel(bytes));
  const raw = g.nodes[0].attribute![0].t!.rawData!;
  assert.notEqual(raw.buffer, bytes.buffer);
  assert.deepEqual(Array.from(new Float32Array(raw.slice().buffer)), [4, 5, 6]);
  assert.notEqual(g.nodes[3].attribute![0].s!.buffer, bytes.buffer);
  for (const t of g.initializers.values()) assert.notEqual(t.data.buffer, bytes.buffer);
});

// Finite-difference checks on seeded random shapes and attributes: broadcasting, strides, padding,
// dilation, groups, ceil_mode. Each case's configuration is in its test name.
import { test } from 'node:test';
import { makeNode } from '../../onnx/build.js';
import { assertGradient, distinct } from '../gradcheck-assert.js';
import { Rng } from '../../util/rng.js';

const rng = new Rng(2024);
const pick = <T>(items: T[]): T => items[rng.int(items.length)];

for (let k = 0; k < 6; k++) {
  const group = pick([1, 1, 2, 3]);
  const cin = group * pick([1, 2]);
  const cout = group * pick([1, 2]);
  const kernel = [pick([1, 2, 3]), pick([1, 3])];
  const strides = [pick([1, 2]), pick([1, 2, 3])];
  const dilations = [pick([1, 2]), 1];
  const pads = [rng.int(2), rng.int(2), rng.int(2), rng.int(2)];
  const size = [6 + rng.int(4), 6 + rng.int(4)];
  const name = `x[2,${cin},${size}] w[${cout},${cin / group},${kernel}] group ${group} strides ${strides} dilations ${dilations} pads ${pads}`;
  test(`random Conv ${k}: ${name} (float32)`, () =>
    assertGradient({
      nodes: [makeNode('Conv', ['x', 'w', 'b'], ['y'], { group, strides, dilations, pads, kernel_shape: kernel })],
      inputs: [
        { name: 'x', dims: [2, cin, ...size] },
        { name: 'w', dims: [cout, cin / group, ...kernel] },
        { name: 'b', dims: [cout] },
      ],
      outputs: ['y'],
      dtype: 'float32',
      seed: k,
    }));
}

for (let k = 0; k < 6; k++) {
  const rank = 2 + rng.int(3);
  const out = Array.from({ length: rank }, () => 2 + rng.int(3));
  // Each operand keeps a random suffix of the output's axes, with random axes set to 1.
  const operand = () => out.slice(rng.int(rank)).map((d) => (rng.uniform() < 0.4 ? 1 : d));
  const a = operand();
  const b = operand();
  const op = pick(['Add', 'Sub', 'Mul', 'Div', 'Max']);
  test(`random broadcast ${op} ${k}: [${a}] with [${b}] (float64)`, () =>
    assertGradient({
      nodes: [makeNode(op, ['a', 'b'], ['y'])],
      inputs: [
        { name: 'a', dims: a.length ? a : [1], sample: distinct() },
        { name: 'b', dims: b.length ? b : [1], sample: (r, i) => (op === 'Div' ? 1 + r.uniform() : distinct()(r, i + 7) + 0.013) },
      ],
      outputs: ['y'],
      dtype: 'float64',
      seed: 100 + k,
    }));
}

for (let k = 0; k < 4; k++) {
  const m = 1 + rng.int(3);
  const kk = 1 + rng.int(4);
  const n = 1 + rng.int(3);
  const batchA = pick([[], [2], [1, 3], [2, 3]]);
  const batchB = pick([[], [1], [3], [2, 1]]);
  test(`random MatMul ${k}: [${[...batchA, m, kk]}] x [${[...batchB, kk, n]}] (float64)`, () =>
    assertGradient({
      nodes: [makeNode('MatMul', ['a', 'b'], ['y'])],
      inputs: [
        { name: 'a', dims: [...batchA, m, kk] },
        { name: 'b', dims: [...batchB, kk, n] },
      ],
      outputs: ['y'],
      dtype: 'float64',
      seed: 200 + k,
    }));
}

for (let k = 0; k < 4; k++) {
  const kernel = [2 + rng.int(2), 2 + rng.int(2)];
  const strides = [1 + rng.int(2), 1 + rng.int(2)];
  const pads = [rng.int(2), rng.int(2), rng.int(2), rng.int(2)];
  const ceil = rng.int(2);
  const size = [5 + rng.int(4), 5 + rng.int(4)];
  const attrs = { kernel_shape: kernel, strides, pads, ceil_mode: ceil };
  const label = `kernel ${kernel} strides ${strides} pads ${pads} ceil_mode ${ceil} on ${size}`;
  test(`random MaxPool ${k}: ${label} (float64)`, () =>
    assertGradient({ nodes: [makeNode('MaxPool', ['x'], ['y'], attrs)], inputs: [{ name: 'x', dims: [1, 2, ...size], sample: distinct() }], outputs: ['y'], dtype: 'float64', seed: 300 + k }));
  const include = rng.int(2);
  test(`random AveragePool ${k}: ${label} count_include_pad ${include} (float32)`, () =>
    assertGradient({ nodes: [makeNode('AveragePool', ['x'], ['y'], { ...attrs, count_include_pad: include })], inputs: [{ name: 'x', dims: [1, 2, ...size] }], outputs: ['y'], dtype: 'float32', seed: 400 + k }));
}

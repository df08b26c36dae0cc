import { test } from 'node:test';
import { makeNode } from '../../onnx/build.js';
import { assertGradient } from '../gradcheck-assert.js';

const slice = (x: number[], starts: number[], ends: number[], axes: number[], steps?: number[]) => ({
  nodes: [makeNode('Slice', ['x', 'starts', 'ends', 'axes', ...(steps ? ['steps'] : [])], ['y'])],
  inputs: [{ name: 'x', dims: x }],
  constants: {
    starts: { dims: [starts.length], values: starts },
    ends: { dims: [ends.length], values: ends },
    axes: { dims: [axes.length], values: axes },
    ...(steps ? { steps: { dims: [steps.length], values: steps } } : {}),
  },
  outputs: ['y'],
  dtype: 'float64' as const,
});
test('Slice gradient, unit steps on two axes (float64)', () => assertGradient(slice([3, 5, 6], [1, 2], [3, 5], [1, 2])));
test('Slice gradient, step 2 and step 3 (float64)', () => assertGradient(slice([2, 9, 8], [1, 0], [8, 100], [1, 2], [2, 3])));
test('Slice gradient, negative step and negative starts (float64)', () => assertGradient(slice([2, 9, 7], [-2, 6], [0, -100], [1, 2], [-1, -2])));
test('Slice gradient, clamped ends and a negative axis (float64)', () => assertGradient(slice([4, 6], [-3], [9999], [-1])));

test('Pad gradient, constant mode with positive and negative pads (float64)', () =>
  assertGradient({
    nodes: [makeNode('Pad', ['x', 'pads', 'value'], ['y'])],
    inputs: [{ name: 'x', dims: [2, 3, 5] }],
    constants: { pads: { dims: [6], values: [0, 1, -1, 0, 2, 1] }, value: { dims: [], values: [0.5], dataType: 11 } },
    outputs: ['y'],
    dtype: 'float64',
  }));
test('Pad gradient with axes (opset 18) (float64)', () =>
  assertGradient({
    nodes: [makeNode('Pad', ['x', 'pads', '', 'axes'], ['y'])],
    inputs: [{ name: 'x', dims: [2, 3, 4] }],
    constants: { pads: { dims: [4], values: [1, 2, 3, 0] }, axes: { dims: [2], values: [2, 1] } },
    outputs: ['y'],
    dtype: 'float64',
  }));

test('Slice gradient with starts and ends computed at run time (index-map fallback) (float64)', () =>
  assertGradient({
    nodes: [
      makeNode('Shape', ['x'], ['shape']),
      makeNode('Gather', ['shape', 'one'], ['width']),
      makeNode('Div', ['width', 'three'], ['third']),
      makeNode('Mul', ['third', 'two'], ['end']),
      makeNode('Slice', ['x', 'third', 'end', 'axes'], ['y']),
    ],
    inputs: [{ name: 'x', dims: [2, 9, 4] }],
    constants: { one: { dims: [1], values: [1] }, three: { dims: [1], values: [3] }, two: { dims: [1], values: [2] }, axes: { dims: [1], values: [1] } },
    outputs: ['y'],
    dtype: 'float64',
  }));

test('Slice gradient with data-dependent starts (index-map fallback) (float64)', () =>
  assertGradient({
    nodes: [
      makeNode('ArgMax', ['pick'], ['start'], { keepdims: 1 }),
      makeNode('Add', ['start', 'two'], ['end']),
      makeNode('Slice', ['x', 'start', 'end', 'axes'], ['y']),
    ],
    inputs: [
      { name: 'x', dims: [2, 9, 4] },
      { name: 'pick', dims: [5], differentiable: false, sample: (_r, i) => [0.1, 0.5, 0.9, 0.3, 0.2][i] },
    ],
    constants: { two: { dims: [1], values: [2] }, axes: { dims: [1], values: [1] } },
    outputs: ['y'],
    dtype: 'float64',
  }));

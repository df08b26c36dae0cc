import { test } from 'node:test';
import { makeNode } from '../../onnx/build.js';
import { assertGradient } from '../gradcheck-assert.js';

test('Concat gradient along axis 1 with three inputs (float64)', () =>
  assertGradient({
    nodes: [makeNode('Concat', ['a', 'b', 'c'], ['y'], { axis: 1 })],
    inputs: [
      { name: 'a', dims: [2, 1, 3] },
      { name: 'b', dims: [2, 4, 3] },
      { name: 'c', dims: [2, 2, 3] },
    ],
    outputs: ['y'],
    dtype: 'float64',
  }));
test('Split gradient with sizes, one piece unused (float64)', () =>
  assertGradient({
    nodes: [makeNode('Split', ['x', 'split'], ['p', 'q', 'r'], { axis: -1 })],
    inputs: [{ name: 'x', dims: [2, 3, 7] }],
    constants: { split: { dims: [3], values: [2, 4, 1] } },
    outputs: ['p', 'r'],
    dtype: 'float64',
  }));
test('Split gradient into equal parts (num_outputs, opset 18) (float64)', () =>
  assertGradient({
    nodes: [makeNode('Split', ['x'], ['p', 'q'], { axis: 0, num_outputs: 2 })],
    inputs: [{ name: 'x', dims: [4, 3] }],
    outputs: ['p', 'q'],
    dtype: 'float64',
  }));

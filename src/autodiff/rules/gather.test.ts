import { test } from 'node:test';
import { makeNode } from '../../onnx/build.js';
import { assertGradient, distinct } from '../gradcheck-assert.js';

test('Gather gradient with repeated and negative indices (float64)', () =>
  assertGradient({
    nodes: [makeNode('Gather', ['x', 'idx'], ['y'], { axis: 1 })],
    inputs: [{ name: 'x', dims: [2, 5, 3] }],
    constants: { idx: { dims: [2, 2], values: [0, 3, 3, -1] } },
    outputs: ['y'],
    dtype: 'float64',
  }));
test('Gather gradient with a scalar index (class token) (float64)', () =>
  assertGradient({
    nodes: [makeNode('Gather', ['x', 'idx'], ['y'], { axis: 1 })],
    inputs: [{ name: 'x', dims: [2, 4, 3] }],
    constants: { idx: { dims: [], values: [0] } },
    outputs: ['y'],
    dtype: 'float64',
  }));
test('Gather gradient along axis 0 with int32 indices (float64)', () =>
  assertGradient({
    nodes: [makeNode('Gather', ['x', 'idx'], ['y'], { axis: 0 })],
    inputs: [{ name: 'x', dims: [4, 3] }],
    constants: { idx: { dims: [3], values: [2, 0, 2], dataType: 6 } },
    outputs: ['y'],
    dtype: 'float64',
  }));
test('GatherElements gradient (float64)', () =>
  assertGradient({
    nodes: [makeNode('GatherElements', ['x', 'idx'], ['y'], { axis: 1 })],
    inputs: [{ name: 'x', dims: [2, 4] }],
    constants: { idx: { dims: [2, 3], values: [0, 0, 3, 2, 1, 2] } },
    outputs: ['y'],
    dtype: 'float64',
  }));
test('TopK gradient through the values (float64)', () =>
  assertGradient({
    nodes: [makeNode('TopK', ['x', 'k'], ['v', 'i'], { axis: -1 })],
    inputs: [{ name: 'x', dims: [3, 6], sample: distinct() }],
    constants: { k: { dims: [1], values: [3] } },
    outputs: ['v'],
    dtype: 'float64',
  }));

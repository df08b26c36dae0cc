import { test } from 'node:test';
import { makeNode } from '../../onnx/build.js';
import { assertGradient } from '../gradcheck-assert.js';

test('BatchNormalization (inference) gradient for x, scale, bias, mean and var (float64)', () =>
  assertGradient({
    nodes: [makeNode('BatchNormalization', ['x', 'scale', 'bias', 'mean', 'var'], ['y'], { epsilon: 1e-3 })],
    inputs: [
      { name: 'x', dims: [2, 3, 4, 5] },
      { name: 'scale', dims: [3] },
      { name: 'bias', dims: [3] },
      { name: 'mean', dims: [3] },
      { name: 'var', dims: [3], sample: (r) => 0.5 + r.uniform() },
    ],
    outputs: ['y'],
    dtype: 'float64',
  }));
test('BatchNormalization gradient on a 2-D input (float64)', () =>
  assertGradient({
    nodes: [makeNode('BatchNormalization', ['x', 'scale', 'bias', 'mean', 'var'], ['y'])],
    inputs: [{ name: 'x', dims: [4, 3] }, { name: 'scale', dims: [3] }],
    constants: {
      bias: { dims: [3], values: [0.1, 0.2, 0.3], dataType: 11 },
      mean: { dims: [3], values: [0, 0.5, -1], dataType: 11 },
      var: { dims: [3], values: [1, 2, 0.5], dataType: 11 },
    },
    outputs: ['y'],
    dtype: 'float64',
  }));
test('LayerNormalization gradient over the last axis (float64)', () =>
  assertGradient({
    nodes: [makeNode('LayerNormalization', ['x', 'scale', 'bias'], ['y'], { axis: -1, epsilon: 1e-5 })],
    inputs: [
      { name: 'x', dims: [2, 3, 6] },
      { name: 'scale', dims: [6] },
      { name: 'bias', dims: [6] },
    ],
    outputs: ['y'],
    dtype: 'float64',
  }));
test('LayerNormalization gradient over the last two axes (float64)', () =>
  assertGradient({
    nodes: [makeNode('LayerNormalization', ['x', 'scale', 'bias'], ['y'], { axis: 1 })],
    inputs: [
      { name: 'x', dims: [3, 4, 5] },
      { name: 'scale', dims: [4, 5] },
      { name: 'bias', dims: [4, 5] },
    ],
    outputs: ['y'],
    dtype: 'float64',
  }));
// onnxruntime's CPU provider runs InstanceNormalization in float32 only.
test('InstanceNormalization gradient (float32)', () =>
  assertGradient({
    nodes: [makeNode('InstanceNormalization', ['x', 'scale', 'bias'], ['y'], { epsilon: 1e-5 })],
    inputs: [
      { name: 'x', dims: [2, 3, 4, 5] },
      { name: 'scale', dims: [3] },
      { name: 'bias', dims: [3] },
    ],
    outputs: ['y'],
    dtype: 'float32',
  }));
for (const momentum of [0.9, 0]) test(`BatchNormalization in training mode (batch statistics, momentum ${momentum}) gradient for x, scale and bias (float32)`, () =>
  assertGradient({
    nodes: [makeNode('BatchNormalization', ['x', 'scale', 'bias', 'mean', 'var'], ['y', 'running_mean', 'running_var'], { epsilon: 1e-3, momentum, training_mode: 1 })],
    inputs: [
      { name: 'x', dims: [3, 2, 3, 2] },
      { name: 'scale', dims: [2] },
      { name: 'bias', dims: [2] },
    ],
    constants: {
      mean: { dims: [2], values: [0.1, -0.2], dataType: 1 },
      var: { dims: [2], values: [1, 2], dataType: 1 },
    },
    outputs: ['y'],
    dtype: 'float32',
  }));

import { test } from 'node:test';
import { makeNode, type AttributeValue } from '../../onnx/build.js';
import { assertGradient, distinct } from '../gradcheck-assert.js';

const pool = (op: string, x: number[], attrs: Record<string, AttributeValue>, dtype: 'float64' | 'float32') => ({
  nodes: [makeNode(op, ['x'], ['y'], attrs)],
  inputs: [{ name: 'x', dims: x, sample: distinct() }],
  outputs: ['y'],
  dtype,
});

test('MaxPool gradient, 3x3 stride 2 pad 1, overlapping windows (float64)', () => assertGradient(pool('MaxPool', [2, 3, 7, 7], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, 'float64')));
test('MaxPool gradient, 2x2 stride 2 (float64)', () => assertGradient(pool('MaxPool', [2, 2, 6, 6], { kernel_shape: [2, 2], strides: [2, 2] }, 'float64')));
test('MaxPool gradient, ceil_mode and dilation (float64)', () => assertGradient(pool('MaxPool', [1, 2, 8, 8], { kernel_shape: [2, 2], strides: [2, 2], dilations: [2, 2], ceil_mode: 1 }, 'float64')));
// onnxruntime's CPU provider runs AveragePool and the global pools in float32 only.
test('AveragePool gradient, count_include_pad=0 with pads (float32)', () => assertGradient(pool('AveragePool', [2, 3, 7, 7], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, 'float32')));
test('AveragePool gradient, count_include_pad=1 with pads (float32)', () =>
  assertGradient(pool('AveragePool', [2, 3, 7, 7], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 }, 'float32')));
test('AveragePool gradient, ceil_mode (float32)', () => assertGradient(pool('AveragePool', [1, 2, 7, 7], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 }, 'float32')));
test('AveragePool gradient, 2x2 stride 2 (float32)', () => assertGradient(pool('AveragePool', [2, 2, 6, 6], { kernel_shape: [2, 2], strides: [2, 2] }, 'float32')));
test('GlobalAveragePool gradient (float32)', () => assertGradient(pool('GlobalAveragePool', [2, 3, 5, 4], {}, 'float32')));
test('GlobalMaxPool gradient (float32)', () => assertGradient(pool('GlobalMaxPool', [2, 3, 5, 4], {}, 'float32')));

import { test } from 'node:test';
import { makeNode } from '../../onnx/build.js';
import { assertGradient, distinct } from '../gradcheck-assert.js';
import type { GradCheckCase } from '../gradcheck.js';

const reduce = (op: string, axes: number[] | undefined, keepdims: number, dtype: 'float64' | 'float32' = 'float64'): GradCheckCase => ({
  nodes: [makeNode(op, axes ? ['x', 'axes'] : ['x'], ['y'], { keepdims })],
  inputs: [{ name: 'x', dims: [2, 3, 4], sample: distinct() }],
  constants: axes ? { axes: { dims: [axes.length], values: axes } } : undefined,
  outputs: ['y'],
  dtype,
});
for (const op of ['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin']) {
  test(`${op} gradient, axes [1, -1] keepdims=1 (float64)`, () => assertGradient(reduce(op, [1, -1], 1)));
  test(`${op} gradient, axis 1 keepdims=0 (float64)`, () => assertGradient(reduce(op, [1], 0)));
  test(`${op} gradient, all axes (float64)`, () => assertGradient(reduce(op, undefined, 0)));
}

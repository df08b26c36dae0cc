import { test } from 'node:test';
import { makeNode } from '../../onnx/build.js';
import { assertGradient } from '../gradcheck-assert.js';

for (const op of ['Softmax', 'LogSoftmax']) {
  test(`${op} gradient over the last axis (float64)`, () =>
    assertGradient({ nodes: [makeNode(op, ['x'], ['y'], { axis: -1 })], inputs: [{ name: 'x', dims: [3, 10] }], outputs: ['y'], dtype: 'float64' }));
  test(`${op} gradient over a middle axis (float64)`, () =>
    assertGradient({ nodes: [makeNode(op, ['x'], ['y'], { axis: 1 })], inputs: [{ name: 'x', dims: [2, 5, 3] }], outputs: ['y'], dtype: 'float64' }));
}

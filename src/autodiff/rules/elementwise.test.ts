import { test } from 'node:test';
import { makeNode } from '../../onnx/build.js';
import { DataType } from '../../onnx/proto.js';
import { assertGradient, awayFromZero } from '../gradcheck-assert.js';

const binary = (op: string, a: number[], b: number[], sampleB?: (r: { normal(): number; uniform(): number }) => number) => ({
  nodes: [makeNode(op, ['a', 'b'], ['y'])],
  inputs: [
    { name: 'a', dims: a },
    { name: 'b', dims: b, ...(sampleB ? { sample: sampleB } : {}) },
  ],
  outputs: ['y'],
  dtype: 'float64' as const,
});

for (const op of ['Add', 'Sub', 'Mul']) {
  test(`${op} gradient with broadcasting (float64)`, () => assertGradient(binary(op, [2, 3, 4, 5], [3, 1, 5])));
  test(`${op} gradient, same shapes (float64)`, () => assertGradient(binary(op, [3, 4], [3, 4])));
}
test('Div gradient with broadcasting (float64)', () => assertGradient(binary('Div', [2, 3, 4], [1, 4], awayFromZero(0.5))));
test('Pow gradient with positive base and broadcast exponent (float64)', () =>
  assertGradient({
    nodes: [makeNode('Pow', ['a', 'b'], ['y'])],
    inputs: [
      { name: 'a', dims: [2, 3, 4], sample: (r) => 0.5 + r.uniform() },
      { name: 'b', dims: [4], sample: (r) => r.uniformIn(-2, 3) },
    ],
    outputs: ['y'],
    dtype: 'float64',
  }));
test('Pow gradient with constant integer exponent (float64)', () =>
  assertGradient({
    nodes: [makeNode('Pow', ['a', 'two'], ['y'])],
    inputs: [{ name: 'a', dims: [3, 5] }],
    constants: { two: { dims: [], values: [2], dataType: DataType.DOUBLE } },
    outputs: ['y'],
    dtype: 'float64',
  }));

const unary = (op: string, sample?: (r: { normal(): number; uniform(): number }) => number) => ({
  nodes: [makeNode(op, ['x'], ['y'])],
  inputs: [{ name: 'x', dims: [2, 3, 5], ...(sample ? { sample } : {}) }],
  outputs: ['y'],
  dtype: 'float64' as const,
});
test('Neg gradient (float64)', () => assertGradient(unary('Neg')));
test('Sqrt gradient (float64)', () => assertGradient(unary('Sqrt', (r) => 0.2 + r.uniform())));
test('Reciprocal gradient (float64)', () => assertGradient(unary('Reciprocal', awayFromZero(0.5))));
test('Exp gradient (float64)', () => assertGradient(unary('Exp')));
test('Log gradient (float64)', () => assertGradient(unary('Log', (r) => 0.2 + r.uniform())));
test('Abs gradient (float64)', () => assertGradient(unary('Abs', awayFromZero())));
test('Identity gradient (float64)', () => assertGradient(unary('Identity')));
test('Dropout (inference) gradient (float64)', () => assertGradient(unary('Dropout')));

test('Sum gradient, variadic with broadcasting (float64)', () =>
  assertGradient({
    nodes: [makeNode('Sum', ['a', 'b', 'c'], ['s'])],
    inputs: [
      { name: 'a', dims: [2, 3] },
      { name: 'b', dims: [3] },
      { name: 'c', dims: [2, 1] },
    ],
    outputs: ['s'],
    dtype: 'float64',
  }));
// onnxruntime's CPU Mean has no float64 kernel.
test('Mean gradient, variadic with broadcasting (float32)', () =>
  assertGradient({
    nodes: [makeNode('Mean', ['a', 'b'], ['m'])],
    inputs: [
      { name: 'a', dims: [2, 3] },
      { name: 'b', dims: [3] },
    ],
    outputs: ['m'],
    dtype: 'float32',
  }));

for (const op of ['Min', 'Max']) {
  test(`${op} gradient with broadcasting (float64)`, () =>
    assertGradient({
      nodes: [makeNode(op, ['a', 'b'], ['y'])],
      inputs: [
        { name: 'a', dims: [3, 4], sample: (r, i) => i * 0.37 - 2 },
        { name: 'b', dims: [4], sample: (r, i) => i * 0.61 - 1 + 0.011 },
      ],
      outputs: ['y'],
      dtype: 'float64',
    }));
}

test('Where gradient with broadcasting condition and branches (float64)', () =>
  assertGradient({
    nodes: [makeNode('Where', ['cond', 'a', 'b'], ['y'])],
    inputs: [
      { name: 'a', dims: [2, 3, 4] },
      { name: 'b', dims: [4] },
    ],
    constants: { cond: { dims: [3, 1], values: [1, 0, 1], dataType: DataType.BOOL } },
    outputs: ['y'],
    dtype: 'float64',
  }));

test('Cast float32 -> float64 -> float32 passes the gradient (float32)', () =>
  assertGradient({
    nodes: [makeNode('Cast', ['x'], ['f'], { to: DataType.DOUBLE }), makeNode('Cast', ['f'], ['y'], { to: DataType.FLOAT })],
    inputs: [{ name: 'x', dims: [4, 3] }],
    outputs: ['y'],
    dtype: 'float32',
  }));

import { test } from 'node:test';
import { makeNode } from '../../onnx/build.js';
import { assertGradient } from '../gradcheck-assert.js';

const mm = (a: number[], b: number[]) => ({
  nodes: [makeNode('MatMul', ['a', 'b'], ['y'])],
  inputs: [
    { name: 'a', dims: a },
    { name: 'b', dims: b },
  ],
  outputs: ['y'],
  dtype: 'float64' as const,
});
test('MatMul gradient, 2-D (float64)', () => assertGradient(mm([3, 4], [4, 5])));
test('MatMul gradient, batched (float64)', () => assertGradient(mm([2, 3, 4], [2, 4, 5])));
test('MatMul gradient, broadcast batch dims (float64)', () => assertGradient(mm([2, 1, 3, 4], [3, 4, 5])));
test('MatMul gradient, shared 2-D weight (float64)', () => assertGradient(mm([2, 3, 4], [4, 5])));
test('MatMul gradient, vector x matrix and matrix x vector (float64)', async () => {
  await assertGradient(mm([4], [2, 4, 5]));
  await assertGradient(mm([2, 3, 4], [4]));
});

for (const [transA, transB] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
  test(`Gemm gradient transA=${transA} transB=${transB}, alpha, beta, broadcast C (float64)`, () =>
    assertGradient({
      nodes: [makeNode('Gemm', ['a', 'b', 'c'], ['y'], { transA, transB, alpha: 0.7, beta: 1.3 })],
      inputs: [
        { name: 'a', dims: transA ? [4, 3] : [3, 4] },
        { name: 'b', dims: transB ? [5, 4] : [4, 5] },
        { name: 'c', dims: [5] },
      ],
      outputs: ['y'],
      dtype: 'float64',
    }));
}

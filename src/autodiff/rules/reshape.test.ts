import { test } from 'node:test';
import { makeNode } from '../../onnx/build.js';
import { assertGradient } from '../gradcheck-assert.js';

const one = (op: string, x: number[], attrs: Record<string, number | number[]>, constants: Record<string, number[]> = {}) => ({
  nodes: [makeNode(op, ['x', ...Object.keys(constants)], ['y'], attrs)],
  inputs: [{ name: 'x', dims: x }],
  constants: Object.fromEntries(Object.entries(constants).map(([k, v]) => [k, { dims: [v.length], values: v }])),
  outputs: ['y'],
  dtype: 'float64' as const,
});
test('Reshape gradient (float64)', () => assertGradient(one('Reshape', [2, 3, 4], {}, { shape: [4, -1] })));
test('Flatten gradient (float64)', () => assertGradient(one('Flatten', [2, 3, 4], { axis: 2 })));
test('Squeeze gradient (float64)', () => assertGradient(one('Squeeze', [2, 1, 4, 1], {}, { axes: [1, 3] })));
test('Unsqueeze gradient (float64)', () => assertGradient(one('Unsqueeze', [2, 4], {}, { axes: [0, 2] })));
test('Transpose gradient, explicit and default perm (float64)', async () => {
  await assertGradient(one('Transpose', [2, 3, 4, 5], { perm: [0, 2, 3, 1] }));
  await assertGradient(one('Transpose', [2, 3, 4], {}));
});
test('Expand gradient with new leading and broadcast axes (float64)', () => assertGradient(one('Expand', [3, 1], {}, { shape: [2, 3, 4] })));
test('Tile gradient (float64)', () => assertGradient(one('Tile', [2, 3], {}, { repeats: [3, 2] })));

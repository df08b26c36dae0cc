// onnxruntime's CPU provider runs Conv and ConvTranspose in float32 only, so these checks are float32.
import { test } from 'node:test';
import { makeNode, type AttributeValue } from '../../onnx/build.js';
import { assertGradient } from '../gradcheck-assert.js';

const conv = (x: number[], w: number[], attrs: Record<string, AttributeValue>, bias = true) => ({
  nodes: [makeNode('Conv', bias ? ['x', 'w', 'b'] : ['x', 'w'], ['y'], attrs)],
  inputs: [{ name: 'x', dims: x }, { name: 'w', dims: w }, ...(bias ? [{ name: 'b', dims: [w[0]] }] : [])],
  outputs: ['y'],
  dtype: 'float32' as const,
});

test('Conv gradient, 3x3 pad 1 (float32)', () => assertGradient(conv([2, 3, 6, 6], [4, 3, 3, 3], { pads: [1, 1, 1, 1] })));
test('Conv gradient, stride 2 with a dropped remainder and asymmetric pads (float32)', () =>
  assertGradient(conv([2, 2, 8, 7], [3, 2, 3, 3], { strides: [2, 2], pads: [1, 0, 0, 1] })));
test('Conv gradient, dilation 2 (float32)', () => assertGradient(conv([1, 2, 9, 9], [3, 2, 3, 3], { dilations: [2, 2], pads: [2, 2, 2, 2] })));
test('Conv gradient, groups 2 with stride (float32)', () => assertGradient(conv([2, 4, 7, 7], [6, 2, 3, 3], { group: 2, strides: [2, 2], pads: [1, 1, 1, 1] })));
test('Conv gradient, depthwise 5x5 (float32)', () => assertGradient(conv([2, 3, 8, 8], [3, 1, 5, 5], { group: 3, pads: [2, 2, 2, 2] }, false)));
test('Conv gradient, auto_pad SAME_UPPER stride 2 (float32)', () => assertGradient(conv([1, 2, 7, 7], [2, 2, 3, 3], { auto_pad: 'SAME_UPPER', strides: [2, 2] })));
test('Conv gradient, 1x1 and rectangular kernel (float32)', async () => {
  await assertGradient(conv([2, 4, 5, 5], [3, 4, 1, 1], {}));
  await assertGradient(conv([1, 2, 6, 8], [2, 2, 2, 3], { strides: [1, 2] }));
});
test('Conv gradient, pointwise weight gradient as GEMMs: 1x1 stride 2 with a dropped remainder, padded, 1-D (float32)', async () => {
  await assertGradient(conv([2, 4, 7, 7], [3, 4, 1, 1], { strides: [2, 2] }));
  await assertGradient(conv([2, 2, 4, 5], [3, 2, 1, 1], { pads: [1, 0, 0, 1], strides: [2, 1] }));
  await assertGradient(conv([2, 3, 9], [4, 3, 1], { strides: [3] }, false));
});
test('Conv gradient, patch embedding (kernel = stride) (float32)', () => assertGradient(conv([2, 3, 8, 8], [5, 3, 4, 4], { strides: [4, 4] })));
test('Conv gradient, 1-D (float32)', () => assertGradient(conv([2, 3, 9], [4, 3, 3], { pads: [1, 1], strides: [2] })));

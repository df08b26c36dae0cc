// onnxruntime's CPU provider runs Conv and ConvTranspose in float32 only, so these checks are float32.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makeValueInfo, type AttributeValue } from '../../onnx/build.js';
import { DataType } from '../../onnx/proto.js';
import { Graph } from '../../onnx/graph.js';
import { createSession, tensor } from '../../onnx/runtime.js';
import { VjpContext } from '../context.js';
import { assertGradient } from '../gradcheck-assert.js';
import { INPUT_GRADIENT_FORMS, WEIGHT_GRADIENT_FORMS, inputGradientForm, weightGradientForm, type ConvGeometry } from './conv.js';

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
test('Conv gradient, input gradient by stride phases: 7×7/2 stem, stride (2, 1), 5-tap stride 3 in 1-D (float32)', async () => {
  await assertGradient(conv([1, 2, 11, 12], [3, 2, 7, 7], { strides: [2, 2], pads: [3, 3, 3, 3] }, false));
  await assertGradient(conv([2, 2, 7, 6], [3, 2, 3, 3], { strides: [2, 1], pads: [1, 1, 1, 1] }));
  await assertGradient(conv([2, 3, 11], [4, 3, 5], { strides: [3], pads: [2, 1] }));
});

test('Conv weight-gradient form by shape: GEMMs for group 1 up to 3×3, the correlation Conv for larger or grouped kernels', () => {
  const at = (kernel: number[]) => ({ spatial: kernel.length, kernel, strides: kernel.map(() => 1), dilations: kernel.map(() => 1), pads: [...kernel, ...kernel].map(() => 0), inputSize: kernel.map(() => 16), outputSize: kernel.map((k) => 17 - k) });
  assert.equal(weightGradientForm(1, at([1, 1])), 'pointwise');
  assert.equal(weightGradientForm(1, at([3, 3])), 'taps');
  assert.equal(weightGradientForm(1, at([3])), 'taps');
  assert.equal(weightGradientForm(1, at([7, 7])), 'correlation');
  assert.equal(weightGradientForm(2, at([3, 3])), 'correlation');
  assert.equal(weightGradientForm(4, at([1, 1])), 'correlation');
});

const geometryOf = (kernel: number[], strides: number[], pads: number[], inputSize: number[], dilations = kernel.map(() => 1)): ConvGeometry => ({
  spatial: kernel.length, kernel, strides, dilations, pads, inputSize,
  outputSize: inputSize.map((n, i) => Math.floor((n + pads[i] + pads[i + kernel.length] - (kernel[i] - 1) * dilations[i] - 1) / strides[i]) + 1),
});

test('Conv input-gradient form by shape: flipped Conv at stride 1, stride phases for small strided maps, else ConvTranspose', () => {
  assert.equal(inputGradientForm(geometryOf([3, 3], [1, 1], [1, 1, 1, 1], [56, 56])), 'flipped');
  assert.equal(inputGradientForm(geometryOf([3, 3], [2, 2], [1, 1, 1, 1], [14, 14])), 'phases');
  assert.equal(inputGradientForm(geometryOf([3, 3], [2, 2], [1, 1, 1, 1], [56, 56])), 'transposed');
  // A stride phase no tap reaches (1×1/2), dilation with stride, more than four phases (16×16 patches).
  assert.equal(inputGradientForm(geometryOf([1, 1], [2, 2], [0, 0, 0, 0], [14, 14])), 'transposed');
  assert.equal(inputGradientForm(geometryOf([3, 3], [2, 2], [2, 2, 2, 2], [14, 14], [2, 2])), 'transposed');
  assert.equal(inputGradientForm(geometryOf([16, 16], [16, 16], [0, 0, 0, 0], [64, 64])), 'transposed');
});

test('Conv input-gradient forms agree: stride phases and ConvTranspose, with a cropped remainder, asymmetric pads, groups, 1-D', async () => {
  const cases: { w: number[]; group: number; geometry: ConvGeometry }[] = [
    { w: [5, 4, 3, 3], group: 1, geometry: geometryOf([3, 3], [2, 2], [1, 0, 0, 1], [9, 8]) },
    { w: [6, 2, 3, 3], group: 2, geometry: geometryOf([3, 3], [2, 2], [1, 1, 1, 1], [7, 7]) },
    { w: [4, 3, 5], group: 1, geometry: geometryOf([5], [3], [2, 1], [11]) },
  ];
  for (const c of cases) {
    const xDims = [2, c.w[1] * c.group, ...c.geometry.inputSize];
    const dyDims = [2, c.w[0], ...c.geometry.outputSize];
    const results = [];
    for (const form of ['phases', 'transposed'] as const) {
      const graph = new Graph({ inputs: [makeValueInfo('dy', dyDims), makeValueInfo('w', c.w)] });
      const shapes = new Map([['dy', { dims: dyDims, dataType: DataType.FLOAT }], ['w', { dims: c.w, dataType: DataType.FLOAT }]]);
      graph.outputs = [{ name: INPUT_GRADIENT_FORMS[form](new VjpContext(graph, shapes), 'dy', 'w', c.w, c.group, c.geometry, xDims, DataType.FLOAT) }];
      const session = await createSession(graph);
      const values = (dims: number[], prime: number) => tensor('float32', Float32Array.from({ length: dims.reduce((a, v) => a * v, 1) }, (_, i) => ((i * prime) % 101) / 101 - 0.5), dims);
      const out = await session.run({ dy: values(dyDims, 37), w: values(c.w, 53) });
      results.push(out[graph.outputs[0].name!]);
      await session.release();
    }
    assert.deepEqual(results[0].dims, xDims);
    assert.deepEqual(results[1].dims, xDims);
    const [a, b] = results.map((r) => r.data as Float32Array);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-4, `dX[${i}]: ${a[i]} vs ${b[i]}`);
  }
});

test('Conv weight-gradient forms agree with each other: stride 2 with a dropped remainder, dilation, asymmetric pads, 1-D', async () => {
  const cases: { x: number[]; w: number[]; geometry: ConvGeometry }[] = [
    { x: [3, 4, 9, 8], w: [5, 4, 3, 3], geometry: { spatial: 2, kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 0, 0, 1], inputSize: [9, 8], outputSize: [4, 4] } },
    { x: [2, 3, 10, 10], w: [4, 3, 3, 2], geometry: { spatial: 2, kernel: [3, 2], strides: [1, 2], dilations: [2, 3], pads: [2, 1, 2, 1], inputSize: [10, 10], outputSize: [10, 5] } },
    { x: [2, 3, 11], w: [4, 3, 5], geometry: { spatial: 1, kernel: [5], strides: [3], dilations: [1], pads: [2, 1], inputSize: [11], outputSize: [4] } },
  ];
  for (const { x, w, geometry } of cases) {
    const dyDims = [x[0], w[0], ...geometry.outputSize];
    const results = [];
    for (const form of ['correlation', 'taps'] as const) {
      const graph = new Graph({ inputs: [makeValueInfo('x', x), makeValueInfo('dy', dyDims)] });
      const shapes = new Map([['x', { dims: x, dataType: DataType.FLOAT }], ['dy', { dims: dyDims, dataType: DataType.FLOAT }]]);
      graph.outputs = [{ name: WEIGHT_GRADIENT_FORMS[form](new VjpContext(graph, shapes), 'x', 'dy', w, 1, geometry, DataType.FLOAT) }];
      const session = await createSession(graph);
      const values = (dims: number[], prime: number) => tensor('float32', Float32Array.from({ length: dims.reduce((a, v) => a * v, 1) }, (_, i) => ((i * prime) % 101) / 101 - 0.5), dims);
      const out = await session.run({ x: values(x, 37), dy: values(dyDims, 53) });
      results.push(out[graph.outputs[0].name!].data as Float32Array);
      await session.release();
    }
    assert.equal(results[0].length, w.reduce((a, v) => a * v, 1));
    for (let i = 0; i < results[0].length; i++) assert.ok(Math.abs(results[0][i] - results[1][i]) < 1e-4, `dW[${i}]: ${results[0][i]} vs ${results[1][i]}`);
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makeValueInfo, type AttributeValue } from '../../onnx/build.js';
import { Graph } from '../../onnx/graph.js';
import { DataType } from '../../onnx/proto.js';
import { discoverShapes } from '../../onnx/shapes.js';
import { createSession, tensor } from '../../onnx/runtime.js';
import { appendBackward } from '../backward.js';
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

// The Indices-free MaxPool rule (the one built for WebGPU), checked on CPU. onnxruntime's CPU ConvTranspose is
// float32 only, so these run in float32: values are a permutation of a 0.5-spaced grid (no tie is crossed by
// the finite-difference steps, and small enough that float32 rounding stays well under the tolerance).
const spaced = (count: number) => (rng: { uniform(): number }, i: number) => ((i * 37) % count) * 0.5 - count / 4 + rng.uniform() * 0.01;
const webgpuPool = (x: number[], attrs: Record<string, AttributeValue>) => ({ ...pool('MaxPool', x, attrs, 'float32'), inputs: [{ name: 'x', dims: x, sample: spaced(x.reduce((a, b) => a * b, 1)) }], executionProvider: 'webgpu' });
test('MaxPool gradient without Indices, 3x3 stride 2 pad 1 (float32)', () => assertGradient(webgpuPool([1, 2, 7, 7], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })));
test('MaxPool gradient without Indices, 2x2 stride 2 (float32)', () => assertGradient(webgpuPool([1, 3, 6, 6], { kernel_shape: [2, 2], strides: [2, 2] })));
test('MaxPool gradient without Indices, ceil_mode and dilation (float32)', () => assertGradient(webgpuPool([1, 2, 8, 8], { kernel_shape: [2, 2], strides: [2, 2], dilations: [2, 2], ceil_mode: 1 })));
test('MaxPool gradient without Indices, 3x2 kernel, uneven strides and pads (float32)', () => assertGradient(webgpuPool([1, 2, 7, 8], { kernel_shape: [3, 2], strides: [1, 2], pads: [1, 0, 0, 1] })));

/** dX of MaxPool for a given dY, with the backward graph built for `executionProvider`, run on CPU. */
async function maxPoolInputGradient(x: Float32Array, dims: number[], attrs: Record<string, AttributeValue>, dy: (i: number) => number, executionProvider: string): Promise<{ grad: Float32Array; ops: string[] }> {
  const g = new Graph({ opset: 18, nodes: [makeNode('MaxPool', ['x'], ['y'], attrs)] });
  g.inputs = [makeValueInfo('x', dims)];
  g.outputs = [{ name: 'y' }];
  const ySize = (await discoverShapes(g)).get('y')!.dims as number[];
  g.initializers.set('dy', { dims: ySize, dataType: DataType.FLOAT, data: Float32Array.from({ length: ySize.reduce((a, b) => a * b, 1) }, (_, i) => dy(i)) });
  const shapes = await discoverShapes(g);
  const grads = appendBackward(g, shapes, { sources: ['x'], seeds: [{ value: 'y', gradient: 'dy' }], executionProvider });
  g.outputs = [{ name: grads.get('x')! }];
  const session = await createSession(g, { executionProviders: ['cpu'] });
  const out = await session.run({ x: tensor('float32', x, dims) });
  await session.release();
  return { grad: out[grads.get('x')!].data as Float32Array, ops: g.nodes.map((n) => n.opType ?? '') };
}

test('MaxPool: both rules give tied maxima the same gradient (all of it to the first in window order), bit for bit', async () => {
  // Few distinct values: most windows hold ties, and overlapping windows share pixels.
  for (const [dims, attrs] of [
    [[2, 3, 9, 9], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }],
    [[1, 2, 8, 7], { kernel_shape: [3, 3], strides: [1, 1], ceil_mode: 1 }],
    [[1, 2, 8, 8], { kernel_shape: [2, 2], strides: [2, 2], dilations: [2, 2], ceil_mode: 1 }],
  ] as [number[], Record<string, AttributeValue>][]) {
    const x = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => (i * 7) % 3);
    const dy = (i: number) => 1 + (i % 5) * 0.25;
    const withIndices = await maxPoolInputGradient(x, dims, attrs, dy, 'cpu');
    const withoutIndices = await maxPoolInputGradient(x, dims, attrs, dy, 'webgpu');
    assert.ok(withIndices.ops.includes('ScatterElements') && !withoutIndices.ops.includes('ScatterElements'), 'the WebGPU rule must not read Indices');
    assert.deepEqual(Array.from(withoutIndices.grad), Array.from(withIndices.grad), JSON.stringify(attrs));
    // Each window's dY went to exactly one pixel.
    const total = withIndices.grad.reduce((a, b) => a + b, 0);
    assert.ok(total > 0);
  }
});

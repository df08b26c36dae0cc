import { test } from 'node:test';
import { makeNode } from '../../onnx/build.js';
import { DataType } from '../../onnx/proto.js';
import { assertGradient, awayFromZero } from '../gradcheck-assert.js';
import type { Rng } from '../../util/rng.js';

const unary = (op: string, attrs: Record<string, number | string> = {}, sample?: (r: Rng, i: number) => number, dtype: 'float64' | 'float32' = 'float64', opset = 18) => ({
  nodes: [makeNode(op, ['x'], ['y'], attrs)],
  inputs: [{ name: 'x', dims: [2, 3, 7], ...(sample ? { sample } : {}) }],
  outputs: ['y'],
  dtype,
  opset,
});
/** Values spread over [-5, 5] but at least 0.05 from each kink in `kinks`. */
const avoiding = (...kinks: number[]) => (r: Rng) => {
  for (;;) {
    const v = r.uniformIn(-5, 5);
    if (kinks.every((k) => Math.abs(v - k) > 0.05)) return v;
  }
};

test('Relu gradient (float64)', () => assertGradient(unary('Relu', {}, awayFromZero())));
test('LeakyRelu gradient (float64)', () => assertGradient(unary('LeakyRelu', { alpha: 0.1 }, awayFromZero())));
test('Elu gradient (float64)', () => assertGradient(unary('Elu', { alpha: 0.7 }, awayFromZero())));
test('Sigmoid gradient (float64)', () => assertGradient(unary('Sigmoid')));
test('Tanh gradient (float64)', () => assertGradient(unary('Tanh')));
test('Softplus gradient (float64)', () => assertGradient(unary('Softplus')));
test('HardSigmoid gradient (float64)', () => assertGradient(unary('HardSigmoid', { alpha: 1 / 6, beta: 0.5 }, avoiding(-3, 3))));
test('HardSwish gradient (float64)', () => assertGradient(unary('HardSwish', {}, avoiding(-3, 3))));
// onnxruntime's CPU provider runs Erf and Gelu in float32 only.
test('Erf gradient (float32)', () => assertGradient(unary('Erf', {}, undefined, 'float32')));
test('Gelu gradient, exact form (float32, opset 20)', () => assertGradient(unary('Gelu', {}, (r) => r.uniformIn(-4, 4), 'float32', 20)));
test('Gelu gradient, tanh form (float32, opset 20)', () => assertGradient(unary('Gelu', { approximate: 'tanh' }, (r) => r.uniformIn(-4, 4), 'float32', 20)));

test('Clip gradient with min and max inputs, as ReLU6 (float64)', () =>
  assertGradient({
    nodes: [makeNode('Clip', ['x', 'lo', 'hi'], ['y'])],
    inputs: [{ name: 'x', dims: [3, 8], sample: (r: Rng) => avoiding(0, 6)(r) + 3 }],
    constants: { lo: { dims: [], values: [0], dataType: DataType.DOUBLE }, hi: { dims: [], values: [6], dataType: DataType.DOUBLE } },
    outputs: ['y'],
    dtype: 'float64',
  }));
test('Clip gradient with only a min (float64)', () =>
  assertGradient({
    nodes: [makeNode('Clip', ['x', 'lo'], ['y'])],
    inputs: [{ name: 'x', dims: [3, 8], sample: avoiding(-1) }],
    constants: { lo: { dims: [], values: [-1], dataType: DataType.DOUBLE } },
    outputs: ['y'],
    dtype: 'float64',
  }));
test('PRelu gradient with a per-channel slope (float64)', () =>
  assertGradient({
    nodes: [makeNode('PRelu', ['x', 'slope'], ['y'])],
    inputs: [
      { name: 'x', dims: [2, 3, 4], sample: awayFromZero(0.2) },
      { name: 'slope', dims: [3, 1], sample: (r) => r.uniformIn(0.05, 0.5) },
    ],
    outputs: ['y'],
    dtype: 'float64',
  }));

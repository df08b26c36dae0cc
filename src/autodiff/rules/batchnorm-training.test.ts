// Training-mode BatchNormalization against PyTorch autograd (fixtures/autodiff/batchnorm-training.json,
// made by tools/batchnorm-training-fixture.py): y and the gradients for x, scale and bias, float64.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { makeNode, makeValueInfo } from '../../onnx/build.js';
import { DataType } from '../../onnx/proto.js';
import { Graph } from '../../onnx/graph.js';
import { createSession, tensor } from '../../onnx/runtime.js';
import { discoverShapes } from '../../onnx/shapes.js';
import { packagePath } from '../../util/paths.js';
import { appendBackward } from '../backward.js';
import '../rules/index.js';

for (const momentum of [0.9, 0]) test(`training-mode BatchNormalization (momentum ${momentum}: moments ${momentum === 0 ? 'read from the node' : 'recomputed'}) matches PyTorch autograd (y, dx, dscale, dbias; float64)`, async () => {
  const f = JSON.parse(readFileSync(packagePath('fixtures/autodiff/batchnorm-training.json'), 'utf8'));
  const D = DataType.DOUBLE;
  const graph = new Graph({
    nodes: [makeNode('BatchNormalization', ['x', 'scale', 'bias', 'mean', 'var'], ['y', 'running_mean', 'running_var'], { epsilon: f.epsilon, momentum, training_mode: 1 })],
    inputs: [makeValueInfo('x', f.shape, D), makeValueInfo('scale', [2], D), makeValueInfo('bias', [2], D), makeValueInfo('dy', f.shape, D)],
    outputs: [{ name: 'y' }],
    initializers: new Map([
      ['mean', { dims: [2], dataType: D, data: Float64Array.of(0, 0) }],
      ['var', { dims: [2], dataType: D, data: Float64Array.of(1, 1) }],
    ]),
  });
  const shapes = await discoverShapes(graph);
  const grads = appendBackward(graph, shapes, { sources: ['x', 'scale', 'bias'], seeds: [{ value: 'y', gradient: 'dy' }] });
  graph.outputs = [{ name: 'y' }, ...['x', 'scale', 'bias'].map((s) => ({ name: grads.get(s)! }))];
  const out = await (await createSession(graph)).run({
    x: tensor('float64', Float64Array.from(f.x), f.shape),
    scale: tensor('float64', Float64Array.from(f.scale), [2]),
    bias: tensor('float64', Float64Array.from(f.bias), [2]),
    dy: tensor('float64', Float64Array.from(f.dy), f.shape),
  });
  const close = (got: ArrayLike<number>, want: number[], what: string) => want.forEach((w, i) => assert.ok(Math.abs(got[i] - w) <= 1e-9 + 1e-7 * Math.abs(w), `${what}[${i}]: ${got[i]} vs ${w}`));
  close(out.y.data as Float64Array, f.y, 'y');
  close(out[grads.get('x')!].data as Float64Array, f.dx, 'dx');
  close(out[grads.get('scale')!].data as Float64Array, f.dscale, 'dscale');
  close(out[grads.get('bias')!].data as Float64Array, f.dbias, 'dbias');
});

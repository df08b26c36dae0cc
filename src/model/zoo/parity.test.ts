// Forward parity with the reference implementations: for each family a reduced model made by
// tools/zoo-reference.py (torchvision/timm/official module code, random weights and BN statistics),
// rebuilt by the zoo from the same options, loaded with the same weights by name, must give the
// reference logits to 1e-5 relative error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildArchitecture, architectureNames, loadWeights, halfToFloat, parameterCount, type NamedTensor } from './index.js';
import { createSession, tensor } from '../../onnx/runtime.js';
import type { Graph } from '../../onnx/graph.js';
import { reparameterizeRepVGG } from '../builders/repvgg.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'zoo', 'parity');

export interface ParityFixture {
  readonly family: string;
  readonly resolution: number;
  readonly classes: number;
  readonly options: Record<string, unknown>;
  readonly params: number;
  readonly weights: Map<string, NamedTensor>;
  readonly input: { dims: number[]; data: Float32Array };
  readonly logits: { dims: number[]; data: Float32Array };
}

export function readParityFixture(family: string): ParityFixture {
  const meta = JSON.parse(readFileSync(join(FIXTURES, `${family}.json`), 'utf8'));
  const blob = readFileSync(join(FIXTURES, `${family}.bin`));
  const bytes = new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength);
  const floats = (offset: number, dims: number[]) => new Float32Array(bytes.slice(offset, offset + 4 * dims.reduce((a, b) => a * b, 1)).buffer);
  const weights = new Map<string, NamedTensor>();
  for (const t of meta.tensors as { name: string; dims: number[]; offset: number }[]) {
    const n = t.dims.reduce((a, b) => a * b, 1);
    weights.set(t.name, { dims: t.dims, data: halfToFloat(new Uint16Array(bytes.slice(t.offset, t.offset + 2 * n).buffer)) });
  }
  return { ...meta, weights, input: { dims: meta.input.dims, data: floats(meta.input.offset, meta.input.dims) }, logits: { dims: meta.logits.dims, data: floats(meta.logits.offset, meta.logits.dims) } };
}

export function fixtureGraph(f: ParityFixture, options: Record<string, unknown> = {}): Graph {
  return buildArchitecture(f.family, { ...f.options, ...options }, { resolution: f.resolution, classes: f.classes, initialize: false });
}

export async function logitsOf(graph: Graph, input: { dims: number[]; data: Float32Array }): Promise<Float32Array> {
  const session = await createSession(graph);
  const out = await session.run({ input: tensor('float32', input.data, input.dims) });
  await session.release();
  return out.logits.data as Float32Array;
}

/** max |a − b| / max |b|. */
export function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

const families = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();

test('every registered architecture has a forward-parity fixture', () => {
  assert.deepEqual([...architectureNames()].sort(), families);
});

for (const family of families) {
  test(`${family}: the zoo graph with the reference weights gives the reference logits (1e-5)`, async () => {
    const f = readParityFixture(family);
    const graph = fixtureGraph(f);
    assert.equal(parameterCount(graph), f.params, 'parameter count of the reduced model');
    const logits = await logitsOf(loadWeights(graph, f.weights, `${family} fixture`), f.input);
    assert.deepEqual(f.logits.dims, [f.input.dims[0], f.classes]);
    const err = relativeError(logits, f.logits.data);
    assert.ok(err <= 1e-5, `relative error ${err.toExponential(2)}`);
  });
}

test('RepVGG: the deploy-time graph (one 3×3 conv per block) computes the training-time function', async () => {
  const f = readParityFixture('repvgg');
  const trained = loadWeights(fixtureGraph(f), f.weights);
  const deployWeights = reparameterizeRepVGG({ blocks: f.options.blocks as number[], multipliers: f.options.multipliers as number[], inputSize: [3, f.resolution, f.resolution] }, f.weights);
  const deploy = loadWeights(fixtureGraph(f, { mode: 'deploy' }), deployWeights);
  assert.ok(!deploy.nodes.some((n) => n.opType === 'BatchNormalization'));
  assert.ok(relativeError(await logitsOf(deploy, f.input), await logitsOf(trained, f.input)) <= 1e-5);
  assert.ok(relativeError(await logitsOf(deploy, f.input), f.logits.data) <= 1e-5);
});

test('a weight that does not fit is named in a one-line error', () => {
  const f = readParityFixture('resnet');
  const weights = new Map(f.weights);
  weights.set('layer2.0.conv1.weight', { dims: [1, 2, 3, 4], data: new Float32Array(24) });
  assert.throws(() => loadWeights(fixtureGraph(f), weights, 'model.onnx'), /^RobustartError: model.onnx: tensor layer2\.0\.conv1\.weight has dims \[1, 2, 3, 4\] but the model needs \[/);
  weights.delete('fc.bias');
  assert.throws(() => loadWeights(fixtureGraph(f), weights, 'model.onnx'), /layer2\.0\.conv1\.weight/);
});

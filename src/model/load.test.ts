import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { makeTensor } from '../onnx/tensor.js';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { loadModelFile } from './load.js';
import { OnnxClassifier } from './classifier.js';
import { createSession, parseDevice, conciseOrtMessage } from './session.js';
import { countMacs } from './complexity.js';
import { RobustartError } from '../errors.js';
import { tempDir, writeImageFolder, writeTinyClassifier } from '../testing/fixtures.js';
import { makeModel, makeNode, makeValueInfo } from '../onnx/build.js';
import { encodeModel, writeModel } from '../onnx/proto.js';
import { prependNormalization } from './normalize.js';

test('normalisation is prepended in the graph: identity model returns (x - mean) / std exactly', async () => {
  const dir = tempDir();
  const path = join(dir, 'id.onnx');
  const graph = { name: 'id', node: [makeNode('Identity', ['input'], ['out'])], input: [makeValueInfo('input', ['N', 3, 2, 2])], output: [makeValueInfo('out', ['N', 3, 2, 2])] };
  const pixelModel = prependNormalization(makeModel(graph, 17, {}), 'input', [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);
  const session = await createSession(encodeModel(pixelModel), path);
  const x = Float32Array.from({ length: 12 }, (_, i) => i / 11);
  const out = (await session.run({ input: new ort.Tensor('float32', x, [1, 3, 2, 2]) })).out.data as Float32Array;
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  for (let i = 0; i < 12; i++) {
    const c = Math.floor(i / 4);
    assert.equal(out[i], Math.fround(Math.fround(x[i] - Math.fround(mean[c])) / Math.fround(std[c])));
  }
});

test('classifier runs a tiny model and the logits match a hand computation', async () => {
  const dir = tempDir();
  const path = writeTinyClassifier(join(dir, 'tiny.onnx'), { numClasses: 4, inputSize: 8 });
  const model = loadModelFile(path);
  assert.equal(model.parameters, 3 * 4 + 4);
  assert.equal(model.metadata.num_classes, 4);
  const classifier = await OnnxClassifier.create(model);
  const images = new Float32Array(2 * 3 * 64).fill(0.75);
  const logits = await classifier.logits(images, 2);
  assert.equal(logits.length, 8);
  assert.deepEqual([...logits.subarray(0, 4)], [...logits.subarray(4, 8)]);
  await classifier.dispose();
  assert.equal(await countMacs(model.original), 12); // one 3x4 Gemm
});

test('not an ONNX file: one-line error naming the file', () => {
  const dir = tempDir();
  const path = join(dir, 'notes.onnx');
  writeFileSync(path, 'this is text, not protobuf');
  assert.throws(() => loadModelFile(path), (err: unknown) => err instanceof RobustartError && /notes\.onnx is not an ONNX model/.test(err.message));
});

test('missing model file', () => {
  assert.throws(() => loadModelFile('/no/such/model.onnx'), /model file not found: \/no\/such\/model\.onnx/);
});

test('wrong input rank is refused with the expected layout', () => {
  const dir = tempDir();
  const path = join(dir, 'flat.onnx');
  const graph = { name: 'g', node: [makeNode('Identity', ['x'], ['y'])], input: [makeValueInfo('x', ['N', 10])], output: [makeValueInfo('y', ['N', 10])] };
  writeModel(path, makeModel(graph));
  assert.throws(() => loadModelFile(path), /input 'x' has rank 2; robustart expects an image classifier with input \[N, C, H, W\]/);
});

test('metadata num_classes that contradicts the graph output is refused', () => {
  const dir = tempDir();
  const path = writeTinyClassifier(join(dir, 'tiny.onnx'), { numClasses: 5, metadata: { num_classes: 7 } });
  assert.throws(() => loadModelFile(path), /num_classes 7 does not match the graph output width 5/);
});

test('devices: unknown names and missing providers are clear errors', async () => {
  assert.throws(() => parseDevice('tpu'), { message: "model session: option device 'tpu' is not allowed; allowed: one of cpu, webgpu, cuda" });
  await assert.rejects(createSession(new Uint8Array(), 'm.onnx', { device: 'cuda' }), /execution provider 'cuda' is not available/);
});

test('ORT error messages are cut to the sentence a user can act on', () => {
  assert.equal(
    conciseOrtMessage('/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 void f() adapter_result.status == Success was false. Failed to get a WebGPU adapter: No supported adapters\nmore'),
    'Failed to get a WebGPU adapter: No supported adapters',
  );
  assert.equal(conciseOrtMessage('[ONNXRuntimeError] : 10 : INVALID_GRAPH : bad node'), ': 10 : INVALID_GRAPH : bad node');
  assert.equal(conciseOrtMessage('plain message'), 'plain message');
});

/** GlobalAveragePool -> Flatten -> Gemm (3 classes) with a chosen input shape, optionally channels-last or with a second output. */
function writeVariant(path: string, input: (number | string)[], options: { nhwc?: boolean; aux?: boolean; metadata?: Record<string, unknown> } = {}): string {
  const graph = {
    name: 'variant',
    node: [
      ...(options.nhwc ? [makeNode('Transpose', ['input'], ['nchw'], { perm: [0, 3, 1, 2] })] : []),
      makeNode('GlobalAveragePool', [options.nhwc ? 'nchw' : 'input'], ['pooled']),
      makeNode('Flatten', ['pooled'], ['flat']),
      makeNode('Gemm', ['flat', 'W', 'b'], ['logits']),
      ...(options.aux ? [makeNode('Neg', ['logits'], ['aux'])] : []),
    ],
    input: [makeValueInfo('input', input)],
    output: [makeValueInfo('logits', ['N', 3]), ...(options.aux ? [makeValueInfo('aux', ['N', 3])] : [])],
    initializer: [makeTensor('W', [3, 3], Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1])), makeTensor('b', [3], new Float32Array(3))],
  };
  const metadata = { input_size: [3, 8, 8], num_classes: 3, ...options.metadata };
  writeModel(path, makeModel(graph, 17, Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, JSON.stringify(v)]))));
  return path;
}

test('a directory, a channels-last input and a fixed batch other than 1 are named; batch 1 and extra outputs are noted', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'folder.onnx'));
  assert.throws(() => loadModelFile(join(dir, 'folder.onnx')), /model path .*folder\.onnx is a directory/);
  assert.throws(() => loadModelFile(writeVariant(join(dir, 'nhwc.onnx'), ['N', 8, 8, 3], { nhwc: true })), /input 'input' \[\?, 8, 8, 3\] is channels-last \(NHWC\)/);
  assert.throws(() => loadModelFile(writeVariant(join(dir, 'b8.onnx'), [8, 3, 8, 8])), /has a fixed batch of 8; robustart needs a symbolic batch dimension or a batch of 1/);
  const one = loadModelFile(writeVariant(join(dir, 'b1.onnx'), [1, 3, 8, 8]));
  assert.equal(one.fixedBatch, 1);
  assert.match(one.notes.join('\n'), /fixed batch of 1: images go through it one at a time/);
  const two = loadModelFile(writeVariant(join(dir, 'two.onnx'), ['N', 3, 8, 8], { aux: true }));
  assert.equal(two.outputName, 'logits');
  assert.match(two.notes[0], /2 outputs \(logits, aux\); using output 'logits', the first; the metadata field output_name selects another/);
  const chosen = loadModelFile(writeVariant(join(dir, 'aux.onnx'), ['N', 3, 8, 8], { aux: true, metadata: { output_name: 'aux' } }));
  assert.equal(chosen.outputName, 'aux');
  assert.throws(() => loadModelFile(writeVariant(join(dir, 'bad.onnx'), ['N', 3, 8, 8], { aux: true, metadata: { output_name: 'nope' } })), /output_name 'nope' is not one of the graph's outputs \(logits, aux\)/);
});

test('a fixed-batch-1 model evaluates with any requested batch size', async () => {
  const dir = tempDir();
  const model = loadModelFile(writeVariant(join(dir, 'b1.onnx'), [1, 3, 8, 8]));
  await writeImageFolder(join(dir, 'data'), ['a', 'b', 'c'], 2, 8);
  const { runEvaluation } = await import('../eval/run.js');
  const result = await runEvaluation({ model: model.path, data: join(dir, 'data'), batchSize: 4, store: join(dir, 'r.db'), workers: 0 });
  assert.equal(result.perCondition.get('clean')!.count, 6);
});

test('a fixed-batch-1 graph gives the same logits and gradients, one image at a time, as its dynamic-batch twin', async () => {
  const dir = tempDir();
  const { createDifferentiableClassifier } = await import('../autodiff/classifier.js');
  const one = await createDifferentiableClassifier(loadModelFile(writeVariant(join(dir, 'b1.onnx'), [1, 3, 8, 8])).pixelModelBytes);
  const any = await createDifferentiableClassifier(loadModelFile(writeVariant(join(dir, 'bn.onnx'), ['N', 3, 8, 8])).pixelModelBytes);
  const images = Float32Array.from({ length: 3 * 192 }, (_, i) => (i % 13) / 13);
  const labels = Int32Array.from([0, 2, 1]);
  assert.deepEqual(await one.logits(images, 3), await any.logits(images, 3));
  const a = await one.lossAndGradient(images, 3, labels, { kind: 'ce' });
  const b = await any.lossAndGradient(images, 3, labels, { kind: 'ce' });
  for (const key of ['loss', 'gradient', 'logits'] as const) {
    assert.equal(a[key].length, b[key].length);
    a[key].forEach((v, i) => assert.ok(Math.abs(v - b[key][i]) < 1e-6, `${key}[${i}]`));
  }
  await one.release();
  await any.release();
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { loadModelFile } from './load.js';
import { OnnxClassifier } from './classifier.js';
import { createSession, parseDevice, conciseOrtMessage } from './session.js';
import { countMacs } from './complexity.js';
import { RobustartError } from '../errors.js';
import { tempDir, writeTinyClassifier } from '../testing/fixtures.js';
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
  assert.throws(() => parseDevice('tpu'), /--device tpu is not known; use one of cpu, webgpu, cuda/);
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

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelFile } from './load.js';
import { NORMALIZED_VALUE } from './normalize.js';
import { decodeModel, encodeModel, type ModelProto } from '../onnx/proto.js';
import { tensorValues } from '../onnx/tensor.js';
import { tempDir } from '../testing/fixtures.js';

// Protobuf wire bytes assembled by hand (tag = field number * 8 + wire type), so the codec is checked
// against field numbers written down here from the ONNX IR, not against itself.
const varint = (n: number): number[] => {
  const out: number[] = [];
  for (; n >= 128; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
  return [...out, n];
};
const text = (s: string): number[] => [...new TextEncoder().encode(s)];
const len = (field: number, ...body: (number[] | string)[]): number[] => {
  const bytes = body.flatMap((b) => (typeof b === 'string' ? text(b) : b));
  return [...varint(field * 8 + 2), ...varint(bytes.length), ...bytes];
};
const int = (field: number, n: number): number[] => [...varint(field * 8), ...varint(n)];
const INT64_MAX_VARINT = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];

const entry = (key: string, value: string) => [...len(1, key), ...len(2, value)];
const shape = (...d: (number | string)[]) => d.flatMap((x) => len(1, typeof x === 'number' ? int(1, x) : len(2, x)));
const valueInfo = (name: string, ...dims: (number | string)[]) => [...len(1, name), ...len(2, len(1, int(1, 1), len(2, shape(...dims))))];

/** An IR 10 classifier: node and graph metadata_props, a node calling a function overload, two overloads, and fields numbered past the IR. */
function ir10ModelBytes(): Uint8Array {
  const node0 = [...len(1, 'input'), ...len(2, 'hidden'), ...len(3, 'n0'), ...len(4, 'Identity'), ...len(9, entry('source', 'layer1')), ...int(50, 7)];
  const node1 = [...len(1, 'hidden'), ...len(2, 'flat'), ...len(3, 'n1'), ...len(4, 'Flatten'), ...len(5, len(1, 'axis'), int(3, 1), int(20, 2))];
  const node2 = [...len(1, 'flat'), ...len(2, 'logits'), ...len(3, 'n2'), ...len(4, 'Scale'), ...len(7, 'custom'), ...len(8, 'v2')];
  // Slice 'ends' as torch writes them: INT64_MAX, packed int64_data (field 7), data_type INT64 (7).
  const ends = [...int(1, 1), ...int(2, 7), ...len(7, INT64_MAX_VARINT), ...len(8, 'ends')];
  const graph = [
    ...len(1, node0),
    ...len(1, node1),
    ...len(1, node2),
    ...len(2, 'g'),
    ...len(5, ends),
    ...len(11, valueInfo('input', 'N', 3, 2, 2)),
    ...len(12, valueInfo('logits', 'N', 12)),
    ...len(16, entry('graph_note', 'ir10')),
    ...len(40, 'a graph field from a later IR'),
  ];
  const fn = (overload: string) => [...len(1, 'Scale'), ...len(4, 'x'), ...len(5, 'y'), ...len(7, len(1, 'x'), len(2, 'y'), len(4, 'Identity')), ...len(9, len(1, ''), int(2, 21)), ...len(10, 'custom'), ...len(13, overload)];
  return Uint8Array.from([
    ...int(1, 10),
    ...len(2, 'pytorch'),
    ...len(7, graph),
    ...len(8, len(1, ''), int(2, 21)),
    ...len(8, len(1, 'custom'), int(2, 1)),
    ...len(25, fn('v2')),
    ...len(25, fn('v1')),
    ...len(99, 'a model field from a later IR'),
  ]);
}

test('IR 10 fields decode: node and graph metadata_props, node overload, function overloads, INT64_MAX exactly', () => {
  const model = decodeModel(ir10ModelBytes());
  const graph = model.graph!;
  assert.equal(model.irVersion, 10);
  assert.deepEqual(graph.node![0].metadataProps, [{ key: 'source', value: 'layer1' }]);
  assert.equal(graph.node![2].overload, 'v2');
  assert.deepEqual(graph.metadataProps, [{ key: 'graph_note', value: 'ir10' }]);
  assert.deepEqual(model.functions!.map((f) => [f.name, f.overload]), [['Scale', 'v2'], ['Scale', 'v1']]);
  const ends = graph.initializer![0];
  assert.deepEqual(ends.int64Data, [9223372036854775807n]);
  assert.deepEqual([...(tensorValues(ends) as BigInt64Array)], [9223372036854775807n]);
});

test('an IR 10 model round-trips byte for byte through load, prepended normalisation and save, except the added nodes', () => {
  const bytes = ir10ModelBytes();
  assert.deepEqual(encodeModel(decodeModel(bytes)), bytes);

  const path = join(tempDir(), 'ir10.onnx');
  writeFileSync(path, bytes);
  const loaded = loadModelFile(path);
  const saved: ModelProto = decodeModel(loaded.pixelModelBytes);
  const graph = saved.graph!;
  assert.deepEqual(graph.node!.slice(0, 2).map((n) => n.name), ['robustart_normalize_sub', 'robustart_normalize_div']);
  assert.equal(graph.node![2].input![0], NORMALIZED_VALUE);

  // Take the added nodes and constants away again: what is left is the file as read.
  graph.node = graph.node!.slice(2);
  graph.node[0].input = ['input'];
  graph.initializer = graph.initializer!.filter((t) => !t.name!.startsWith('robustart_'));
  assert.deepEqual(encodeModel(saved), bytes);
});

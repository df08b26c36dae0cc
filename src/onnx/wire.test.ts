import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage, field, WireError, type MessageSchema } from './wire.js';
import { ATTRIBUTE, TENSOR } from './schema.js';
import type { AttributeProto, TensorProto } from './proto.js';

const INT64_MAX = 9223372036854775807n;

test('int64 values keep every bit: safe integers as numbers, INT64_MAX and INT64_MIN as bigints, -1 as ten bytes', () => {
  const attribute: AttributeProto = { name: 'ends', ints: [INT64_MAX, -(2n ** 63n), -1, 0, 2 ** 53 - 1], i: -1 };
  const bytes = encodeMessage(attribute, ATTRIBUTE);
  const back = decodeMessage<AttributeProto>(bytes, ATTRIBUTE);
  assert.deepEqual(back.ints, [INT64_MAX, -(2n ** 63n), -1, 0, 2 ** 53 - 1]);
  assert.equal(back.i, -1);
  // name (2 + 4 bytes), i = -1: tag + 10-byte varint; ints unpacked (proto2 default for AttributeProto.ints).
  assert.deepEqual([...bytes.subarray(6, 17)], [0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  assert.equal(bytes[17], 0x40); // field 8, varint: one tag per element
});

test('repeated scalars are read packed or not and written back in the form they came in', () => {
  // TensorProto.float_data (field 4) is declared packed; here it arrives unpacked, and dims (field 1) packed.
  const unpackedFloats = [0x25, 0, 0, 0x80, 0x3f, 0x25, 0, 0, 0, 0x40]; // 1.0, 2.0
  const packedDims = [0x0a, 0x02, 0x02, 0x01]; // [2, 1]
  const bytes = Uint8Array.from([...packedDims, 0x10, 0x01, ...unpackedFloats]);
  const tensor = decodeMessage<TensorProto>(bytes, TENSOR);
  assert.deepEqual(tensor.dims, [2, 1]);
  assert.deepEqual(tensor.floatData, [1, 2]);
  assert.deepEqual(encodeMessage(tensor, TENSOR), bytes);
  // A fresh message uses the schema's forms: dims unpacked, float_data packed.
  assert.deepEqual([...encodeMessage({ dims: [2, 1], dataType: 1, floatData: [1, 2] }, TENSOR)], [0x08, 0x02, 0x08, 0x01, 0x10, 0x01, 0x22, 0x08, 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]);
});

test('unknown fields of every wire type (a group included) are kept verbatim and in place; fields set later are appended', () => {
  const schema: MessageSchema = { name: 'Probe', fields: { name: field(1, 'string'), size: field(2, 'int64') } };
  const unknown = [
    [0x98, 0x06, 0x2a], // field 99 varint 42
    [0x19, 1, 2, 3, 4, 5, 6, 7, 8], // field 3 fixed64
    [0x25, 9, 9, 9, 9], // field 4 fixed32
    [0x2a, 0x02, 0x68, 0x69], // field 5 bytes "hi"
    [0x33, 0x08, 0x01, 0x34], // field 6 group holding field 1 = 1
  ];
  const bytes = Uint8Array.from([...unknown[0], 0x0a, 0x01, 0x61, ...unknown.slice(1).flat()]);
  const probe = decodeMessage<{ name?: string; size?: number }>(bytes, schema);
  assert.deepEqual({ ...probe }, { name: 'a' });
  assert.deepEqual(encodeMessage(probe, schema), bytes);
  probe.name = 'b';
  probe.size = 300;
  assert.deepEqual(encodeMessage(probe, schema), Uint8Array.from([...unknown[0], 0x0a, 0x01, 0x62, ...unknown.slice(1).flat(), 0x10, 0xac, 0x02]));
});

test('a known field in an unexpected wire type is kept as unknown, not misread', () => {
  const bytes = Uint8Array.from([0x0d, 1, 2, 3, 4, 0x10, 0x07]); // name (field 1) as fixed32, data_type 7
  const tensor = decodeMessage<TensorProto>(bytes, TENSOR);
  assert.equal(tensor.name, undefined);
  assert.equal(tensor.dataType, 7);
  assert.deepEqual(encodeMessage(tensor, TENSOR), bytes);
});

test('malformed bytes are a WireError: truncated length, overlong varint, invalid wire type, unbalanced group', () => {
  for (const bytes of [[0x42, 0x05, 0x61], [0x10, ...Array(11).fill(0xff)], [0x0f], [0x33, 0x3c]]) {
    assert.throws(() => decodeMessage(Uint8Array.from(bytes), TENSOR), WireError, `bytes ${bytes.join(',')}`);
  }
  assert.throws(() => encodeMessage({ i: 1.5 }, ATTRIBUTE), /AttributeProto\.i must be an integer/);
});

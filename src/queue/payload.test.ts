import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SampleRecord } from '../store/store.js';
import { packRecords, unpackRecords } from './payload.js';

const NOISE = 'gaussian_noise/3';
const records: SampleRecord[] = [
  { noise: NOISE, sampleId: 'b/2.png', label: 1, status: 'ok', top5: [1, 0, 2], confidence: 0.1 + 0.2, trueProbability: 1 / 3 },
  { noise: NOISE, sampleId: 'a/1.png', label: 0, status: 'skipped', error: 'cannot decode: truncated file' },
  { noise: NOISE, sampleId: 'c/3.png', label: 2, status: 'ok', top5: [2, 1, 0], confidence: Number.MIN_VALUE, trueProbability: 0.9999999999999999, extra: { queries: 7, success: true } },
];
const ids = ['a/1.png', 'b/2.png', 'c/3.png'];

test('packed records unpack to the same records, absent fields absent, doubles bit for bit', () => {
  const packed = JSON.parse(JSON.stringify(packRecords(ids, records)));
  const back = unpackRecords(NOISE, ids, packed);
  assert.deepEqual(back, [records[1], records[0], records[2]]);
  assert.ok(Array.isArray(back) && !('confidence' in back[0]), 'a skipped record has no confidence');
});

test('status travels only when a record is not ok; a shard of plain records packs to well under half their JSON', () => {
  const plain = Array.from({ length: 200 }, (_, i): SampleRecord => ({ noise: NOISE, sampleId: `n01440764/ILSVRC2012_val_${String(i).padStart(8, '0')}.JPEG`, label: i % 1000, status: 'ok', top5: [i % 1000, 1, 2, 3, 4], confidence: 0.8123456789, trueProbability: 0.4123456789 }));
  const packed = packRecords(plain.map((r) => r.sampleId), plain);
  assert.equal(packed.columns.status, undefined);
  assert.deepEqual(Object.keys(packed.columns), ['label', 'top5', 'confidence', 'trueProbability']);
  assert.deepEqual(unpackRecords(NOISE, plain.map((r) => r.sampleId), packed), plain);
  assert.ok(JSON.stringify(packed).length < JSON.stringify(plain).length / 2.5, `${JSON.stringify(packed).length} vs ${JSON.stringify(plain).length} bytes`);
});

test('a sample without a record cannot be packed; a payload that does not match the shard is refused with a reason', () => {
  assert.throws(() => packRecords([...ids, 'd/4.png'], records), /no record was computed for sample d\/4.png/);
  const packed = packRecords(ids, records);
  assert.equal(unpackRecords(NOISE, ids.slice(1), packed), 'the worker returned 3 records for 2 samples');
  assert.equal(unpackRecords(NOISE, ids, undefined), 'the worker returned no records');
  assert.equal(unpackRecords(NOISE, ids, { count: 3, columns: { label: [0, 1] } }), 'the worker returned malformed record columns');
  assert.equal(unpackRecords(NOISE, ids, { count: 3, columns: { confidence: [0, 1, 2] } }), 'the worker returned records without labels');
});

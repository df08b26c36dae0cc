import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { BatchImages } from './batch-images.js';
import { UndecodableImageError, DecoderUnavailableError } from '../data/decode.js';
import { RobustartError } from '../errors.js';
import type { Decoder, Resizer } from '../data/seams.js';
import type { Sample } from '../data/dataset.js';
import { tempDir } from '../testing/fixtures.js';

const preprocess = { input_size: [3, 2, 2] as [number, number, number], crop_pct: 1, interpolation: 'nearest' as const };

function countingDecoder(name: string, counter: { n: number }): Decoder {
  return {
    name,
    async decode(bytes) {
      counter.n++;
      if (bytes[0] === 0x89) throw new RobustartError(`decoder ${name} reads jpeg only, not png; pick another decoder`);
      if (bytes[0] === 0xee) throw new DecoderUnavailableError(`${name} not found: install it`);
      return { width: 4, height: 4, data: new Uint8Array(48).fill(bytes[0]) };
    },
  };
}

const shift = (name: string, delta: number): Resizer => ({ name, resize: (img, w, h) => ({ width: w, height: h, data: new Uint8Array(w * h * 3).fill(img.data[0] + delta) }) });

function samples(dir: string, firstBytes: number[]): Sample[] {
  return firstBytes.map((b, i) => {
    const path = join(dir, `${i}.bin`);
    writeFileSync(path, Uint8Array.from([b]));
    return { id: `${i}.bin`, path, label: 0 };
  });
}

test('each file is decoded once per decoder, then resized for every resizer of the batch', async () => {
  const dir = tempDir();
  const batch = samples(dir, [10, 20]);
  const counts = { n: 0 };
  const d1 = countingDecoder('d1', counts);
  const d2 = countingDecoder('d2', counts);
  const conditions = [
    { name: 'd1+r0', decoder: d1, resizer: shift('r0', 0) },
    { name: 'd1+r5', decoder: d1, resizer: shift('r5', 5) },
    { name: 'd2+r0', decoder: d2, resizer: shift('r0', 0) },
  ];
  const images = new BatchImages(batch, conditions, { preprocess, defaultDecoder: d1, defaultResizer: shift('r0', 0), poolable: () => false });
  const got = [];
  for (const c of conditions) got.push((await images.imagesFor(c)).map((i) => (i instanceof UndecodableImageError ? -1 : i.data[0])));
  assert.deepEqual(got, [[10, 20], [15, 25], [10, 20]]);
  assert.equal(counts.n, 4, 'two files x two decoders');
});

test('an image a decoder cannot read is a per-sample error; a missing decoder program is fatal', async () => {
  const dir = tempDir();
  const counts = { n: 0 };
  const d = countingDecoder('jpegonly', counts);
  const condition = { name: 'c', decoder: d, resizer: shift('r', 0) };
  const batch = [...samples(dir, [0x89, 7]), { id: 'missing.jpg', path: join(dir, 'missing.jpg'), label: 0 }];
  const images = await new BatchImages(batch, [condition], { preprocess, defaultDecoder: d, defaultResizer: shift('r', 0), poolable: () => false }).imagesFor(condition);
  assert.ok(images[0] instanceof UndecodableImageError && /reads jpeg only/.test(images[0].message) && images[0].message.includes('0.bin'));
  assert.equal((images[1] as { data: Uint8Array }).data[0], 7);
  assert.ok(images[2] instanceof UndecodableImageError && /missing\.jpg/.test(images[2].message));
  const broken = samples(tempDir(), [0xee]);
  await assert.rejects(new BatchImages(broken, [condition], { preprocess, defaultDecoder: d, defaultResizer: shift('r', 0), poolable: () => false }).imagesFor(condition), DecoderUnavailableError);
});

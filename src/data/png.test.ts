import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { deflateSync } from 'node:zlib';
import { decodePng } from './png.js';
import { RobustartError } from '../errors.js';

test('decodePng returns the stored pixels of RGB, RGBA (alpha dropped) and greyscale PNGs, every filter type', async () => {
  const width = 37, height = 23;
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 7919 + (i >> 5) * 31) & 0xff;
  for (const channels of [1, 3, 4] as const) {
    const raw = new Uint8Array(width * height * channels);
    for (let p = 0; p < width * height; p++) for (let c = 0; c < channels; c++) raw[p * channels + c] = rgba[p * 4 + c];
    // Adaptive filtering picks a filter per row, so sub, up, average and Paeth rows all occur.
    const png = await sharp(raw, { raw: { width, height, channels } }).png({ adaptiveFiltering: true, compressionLevel: 9 }).toBuffer();
    const image = decodePng(png);
    assert.equal(image.width, width);
    assert.equal(image.height, height);
    for (let p = 0; p < width * height; p++) {
      for (let c = 0; c < 3; c++) assert.equal(image.data[p * 3 + c], raw[p * channels + (channels === 1 ? 0 : c)], `channels ${channels} pixel ${p}`);
    }
  }
});

test('decodePng: hand-made rows with each filter type decode to the known pixels; unsupported files are named', () => {
  // 2x2 greyscale: rows filtered with Paeth and Up; pixels [10, 20; 30, 50].
  const row0 = [4, 10, 10]; // Paeth on the first row: left predictor -> 10, 20
  const row1 = [2, 20, 30]; // Up: 10 + 20 = 30, 20 + 30 = 50
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0);
  ihdr.writeUInt32BE(2, 4);
  ihdr[8] = 8;
  ihdr[9] = 0;
  const chunk = (type: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length, 0);
    head.write(type, 4, 'latin1');
    return Buffer.concat([head, body, Buffer.alloc(4)]);
  };
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.from([...row0, ...row1]))), chunk('IEND', Buffer.alloc(0))]);
  assert.deepEqual(Array.from(decodePng(png).data), [10, 10, 10, 20, 20, 20, 30, 30, 30, 50, 50, 50]);
  assert.throws(() => decodePng(new Uint8Array([1, 2, 3]), 'x.png'), (e: unknown) => e instanceof RobustartError && /x.png is not a PNG file/.test((e as Error).message));
  ihdr[8] = 16;
  const deep = Buffer.concat([png.subarray(0, 8), chunk('IHDR', ihdr)]);
  assert.throws(() => decodePng(deep, 'deep.png'), /only 8-bit non-interlaced/);
});

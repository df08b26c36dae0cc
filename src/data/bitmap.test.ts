// BMP and Netpbm decoding against FFmpeg's decode of the same files (FFmpeg writes them from one PNG here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage } from './decode.js';
import { decodeBmp } from './bitmap.js';
import { tempDir } from '../testing/fixtures.js';

const FORMATS: readonly [pixFmt: string, file: string, tolerance: number][] = [
  ['bgr24', '24-bit.bmp', 0],
  ['bgra', '32-bit.bmp', 0],
  ['pal8', 'palette.bmp', 0],
  ['rgb555le', '16-bit.bmp', 1],
  ['rgb24', 'colour.ppm', 0],
  ['gray', 'grey.pgm', 0],
  ['gray16be', 'grey16.pgm', 1], // 16 -> 8 bits: rounding here, truncation in FFmpeg
  ['rgb48be', 'colour16.ppm', 1],
];

test('BMP (palette, 16/24/32-bit) and PPM/PGM (8/16-bit) decode as FFmpeg decodes them', async () => {
  const dir = tempDir();
  const pixels = Buffer.from(Array.from({ length: 13 * 7 * 3 }, (_, i) => (i * 37 + 11) % 256));
  await sharp(pixels, { raw: { width: 13, height: 7, channels: 3 } }).png().toFile(join(dir, 'source.png'));
  for (const [pixFmt, file, tolerance] of FORMATS) {
    execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-i', join(dir, 'source.png'), '-pix_fmt', pixFmt, join(dir, file)]);
    const image = await decodeImage(readFileSync(join(dir, file)), file);
    const reference = execFileSync('ffmpeg', ['-loglevel', 'error', '-i', join(dir, file), '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
    assert.equal(image.width, 13, file);
    assert.equal(image.height, 7, file);
    let worst = 0;
    for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(reference[i] - image.data[i]));
    assert.ok(worst <= tolerance, `${file}: off by ${worst}`);
  }
});

test('truncated or RLE BMPs are undecodable images (skipped), not crashes', async () => {
  const dir = tempDir();
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=red:s=8x8', '-frames:v', '1', '-pix_fmt', 'bgr24', join(dir, 'red.bmp')]);
  const bytes = readFileSync(join(dir, 'red.bmp'));
  await assert.rejects(decodeImage(bytes.subarray(0, 80), 'cut.bmp'), /cannot decode image cut\.bmp: truncated BMP pixel data/);
  const rle = Buffer.from(bytes);
  rle.writeUInt32LE(1, 30);
  writeFileSync(join(dir, 'rle.bmp'), rle);
  await assert.rejects(decodeImage(rle, 'rle.bmp'), /BMP compression 1 .* is not supported/);
  assert.throws(() => decodeBmp(bytes, 10), /exceeds pixel limit/);
});

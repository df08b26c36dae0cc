import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toRgbImage, type FloatImage } from '../../data/image.js';
import { Rng } from '../../util/rng.js';
import { syntheticImage } from './fixture.js';
import { JPEG_COMPRESSION, decodeJpeg, encodeJpeg, jpegCompression } from './jpeg.js';
import { CHROMINANCE_QUANT_TABLE, LUMINANCE_QUANT_TABLE, jpegRoundTrip, scaledQuantTable } from './jpeg-pixels.js';

/** Uniform 8-bit noise: large high-frequency coefficients, the hardest case for the fixed-point arithmetic. */
function noiseImage(width: number, height: number): FloatImage {
  const rng = new Rng(9);
  return { width, height, data: Float32Array.from({ length: width * height * 3 }, () => Math.floor(rng.uniform() * 256) / 255) };
}

test('the in-process JPEG round trip gives the pixels of encoding and decoding through sharp, bit for bit', async () => {
  // Sizes with partial blocks, odd chroma planes and planes too narrow for fancy upsampling; every severity's quality.
  const sizes = [[224, 224], [97, 61], [1, 1], [2, 3], [5, 5], [17, 9], [33, 47]];
  for (const [width, height] of sizes) {
    for (const image of [syntheticImage(width, height, 1), noiseImage(width, height)]) {
      for (const quality of [...JPEG_COMPRESSION, 95]) {
        const expected = await decodeJpeg(await encodeJpeg(image, quality));
        assert.deepEqual(jpegRoundTrip(image, quality), expected, `${width}x${height} at quality ${quality}`);
      }
    }
  }
});

test('jpeg_compression is the round trip at the severity quality; samples off 8-bit levels are rounded first', () => {
  const image = syntheticImage(40, 24, 3);
  assert.deepEqual(jpegCompression(image, 4), jpegRoundTrip(image, JPEG_COMPRESSION[3]));
  assert.notDeepEqual(jpegCompression(image, 4).data, image.data);
  // Out of range and between levels: saved as toRgbImage saves them (clipped, rounded).
  const raw: FloatImage = { width: 9, height: 7, data: Float32Array.from({ length: 9 * 7 * 3 }, (_, i) => (i % 11) * 0.13 - 0.2) };
  const saved = toRgbImage(raw);
  const onLevels: FloatImage = { width: 9, height: 7, data: Float32Array.from(saved.data, (v) => v / 255) };
  assert.deepEqual(jpegRoundTrip(raw, 30), jpegRoundTrip(onLevels, 30));
});

test('quantisation tables: Annex K scaled as jpeg_quality_scaling does, clamped to 1..255', () => {
  assert.deepEqual(Array.from(scaledQuantTable(LUMINANCE_QUANT_TABLE, 50)), LUMINANCE_QUANT_TABLE);
  assert.equal(scaledQuantTable(LUMINANCE_QUANT_TABLE, 10)[0], 80); // 16 * 500 / 100
  assert.equal(scaledQuantTable(CHROMINANCE_QUANT_TABLE, 1)[63], 255);
  assert.equal(scaledQuantTable(LUMINANCE_QUANT_TABLE, 100)[0], 1);
});

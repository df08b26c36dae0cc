import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import type { RgbImage } from '../../data/image.js';
import { disagreementHeatmap, imageDiff, runCombinations } from './diff.js';
import { decoderByName } from './decoders/index.js';
import { resizerByName } from './resizers/index.js';

const img = (values: number[]): RgbImage => ({ width: values.length / 3, height: 1, data: Uint8Array.from(values) });
const FIXTURE = new URL('../../../fixtures/system-noise/decode/rgb-420.jpg', import.meta.url);

test('imageDiff: max, mean, changed pixels and PSNR', () => {
  const d = imageDiff(img([10, 10, 10, 20, 20, 20]), img([10, 10, 10, 20, 24, 20]));
  assert.equal(d.maxAbs, 4);
  assert.ok(Math.abs(d.meanAbs - 4 / 6) < 1e-12);
  assert.equal(d.changedFraction, 0.5);
  assert.ok(Math.abs(d.psnr - 10 * Math.log10((255 * 255) / (16 / 6))) < 1e-9);
  assert.equal(imageDiff(img([1, 2, 3]), img([1, 2, 3])).psnr, Infinity);
});

test('heat map: black where every combination agrees, full heat at the largest difference', () => {
  const { heatmap, perPixelMax } = disagreementHeatmap(img([0, 0, 0, 100, 100, 100]), [img([0, 0, 0, 100, 100, 100]), img([0, 0, 0, 100, 160, 100])]);
  assert.deepEqual([...perPixelMax], [0, 60]);
  assert.deepEqual([...heatmap.data], [0, 0, 0, 255, 255, 255]);
});

test('runCombinations decodes once per decoder and records decoders that cannot read the file', async () => {
  const bytes = new Uint8Array(readFileSync(FIXTURE));
  const png = new Uint8Array(await sharp(bytes).png().toBuffer());
  const results = await runCombinations(png, [decoderByName('sharp'), decoderByName('jpegjs')], [resizerByName('pil-bicubic'), resizerByName('cv2-area')], () => ({ width: 20, height: 13 }));
  assert.equal(results.length, 4);
  assert.ok(results.filter((r) => r.decoder === 'sharp').every((r) => r.image?.width === 20 && r.image.height === 13));
  assert.ok(results.filter((r) => r.decoder === 'jpegjs').every((r) => !r.image && /reads jpeg only/.test(r.error!)));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp, { type Sharp } from 'sharp';
import { decodeImage, UndecodableImageError } from './decode.js';

const W = 6;
const H = 4;

/** An image whose pixels are all `rgb`, encoded by sharp into the given form. */
async function solid(rgb: [number, number, number], encode: (s: Sharp) => Sharp, channels: 3 | 4 = 3, alpha = 255): Promise<Uint8Array> {
  const data = new Uint8Array(W * H * channels);
  for (let p = 0; p < W * H; p++) data.set(channels === 4 ? [...rgb, alpha] : rgb, p * channels);
  return new Uint8Array(await encode(sharp(data, { raw: { width: W, height: H, channels } })).toBuffer());
}

const near = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => Array.from(a).every((v, i) => Math.abs(v - b[i]) <= tol);

test('RGB PNG decodes exactly', async () => {
  const img = await decodeImage(await solid([10, 200, 30], (s) => s.png()));
  assert.equal(img.width, W);
  assert.equal(img.height, H);
  assert.equal(img.data.length, W * H * 3);
  assert.deepEqual([...img.data.subarray(0, 3)], [10, 200, 30]);
});

test('grayscale JPEG becomes three equal channels', async () => {
  const bytes = await solid([90, 90, 90], (s) => s.extractChannel(0).toColourspace('b-w').jpeg({ quality: 100 }));
  const meta = await sharp(bytes).metadata();
  assert.equal(meta.channels, 1);
  const img = await decodeImage(bytes);
  assert.equal(img.data.length, W * H * 3);
  assert.ok(near(img.data.subarray(0, 3), [90, 90, 90], 1));
  assert.equal(img.data[0], img.data[1]);
  assert.equal(img.data[1], img.data[2]);
});

test('CMYK JPEG is converted to sRGB', async () => {
  const bytes = await solid([200, 40, 40], (s) => s.toColourspace('cmyk').jpeg({ quality: 100 }));
  assert.equal((await sharp(bytes).metadata()).space, 'cmyk');
  const img = await decodeImage(bytes);
  assert.equal(img.data.length, W * H * 3);
  const [r, g, b] = img.data;
  assert.ok(r > 150 && g < 110 && b < 110, `reddish, got ${r},${g},${b}`);
});

test('16-bit PNG comes out 8-bit', async () => {
  const bytes = await solid([1000 / 257, 128, 250].map(Math.round) as [number, number, number], (s) => s.toColourspace('rgb16').png());
  assert.equal((await sharp(bytes).metadata()).depth, 'ushort');
  const img = await decodeImage(bytes);
  assert.ok(near(img.data.subarray(0, 3), [4, 128, 250], 1));
});

test('alpha is dropped, not composited (as PIL convert("RGB"))', async () => {
  const img = await decodeImage(await solid([50, 60, 70], (s) => s.png(), 4, 0));
  assert.deepEqual([...img.data.subarray(0, 3)], [50, 60, 70]);
  assert.equal(img.data.length, W * H * 3);
});

test('EXIF orientation is applied (orientation 6 rotates 90° clockwise)', async () => {
  const data = new Uint8Array(W * H * 3);
  data.set([255, 0, 0], 0); // top-left pixel red
  const bytes = await sharp(data, { raw: { width: W, height: H, channels: 3 } }).png().withMetadata({ orientation: 6 }).toBuffer();
  const img = await decodeImage(bytes);
  assert.equal(img.width, H);
  assert.equal(img.height, W);
  // After a 90° clockwise rotation the old top-left is the new top-right.
  assert.deepEqual([...img.data.subarray((H - 1) * 3, H * 3)], [255, 0, 0]);
});

test('a truncated JPEG is an UndecodableImageError naming the source', async () => {
  const bytes = await solid([1, 2, 3], (s) => s.jpeg());
  await assert.rejects(decodeImage(bytes.subarray(0, Math.floor(bytes.length / 2)), 'cut.jpg'), (err: unknown) => err instanceof UndecodableImageError && /cut\.jpg/.test(err.message));
});

test('bytes that are no image at all are an UndecodableImageError', async () => {
  await assert.rejects(decodeImage(new TextEncoder().encode('hello'), 'text.jpg'), UndecodableImageError);
});

test('the pixel limit guards against decompression bombs', async () => {
  const bytes = await solid([1, 2, 3], (s) => s.png());
  await assert.rejects(decodeImage(bytes, 'big.png', 10), /pixel limit.*ROBUSTART_MAX_PIXELS/);
});

// Decodes the fixture images (tools/system-noise-fixtures.py) with every decoder and pins the measured differences:
// libjpeg-turbo paths equal PIL's decode exactly, option variants differ from it in the expected direction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { RgbImage } from '../../../data/image.js';
import { RobustartError } from '../../../errors.js';
import { DECODERS, decoderByName } from './index.js';
import { ffmpegDecoder } from './ffmpeg.js';
import { djpegDecoder } from './djpeg.js';
import { jpegComponents, parsePnm, sniffFormat } from './common.js';

const DIR = new URL('../../../../fixtures/system-noise/decode/', import.meta.url);
const reference = JSON.parse(readFileSync(new URL('reference.json', DIR), 'utf8')) as Record<string, { mode: string; width: number; height: number; data: string }>;
const file = (name: string) => new Uint8Array(readFileSync(new URL(name, DIR)));
const refImage = (name: string): RgbImage => ({ width: reference[name].width, height: reference[name].height, data: new Uint8Array(Buffer.from(reference[name].data, 'base64')) });

function diff(a: RgbImage, b: RgbImage): { max: number; mean: number } {
  assert.equal(a.width, b.width);
  assert.equal(a.height, b.height);
  assert.equal(a.data.length, b.data.length);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i] - b.data[i]);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.data.length };
}

const decoded = new Map<string, RgbImage>();
async function decode(decoder: string, name: string): Promise<RgbImage> {
  const key = `${decoder}:${name}`;
  if (!decoded.has(key)) decoded.set(key, await decoderByName(decoder).decode(file(name)));
  return decoded.get(key)!;
}

test('every decoder turns every input it reads (RGB, gray, CMYK, RGBA, progressive) into 8-bit RGB', async () => {
  assert.ok(DECODERS.length >= 5);
  for (const entry of DECODERS) {
    for (const name of Object.keys(reference)) {
      const format = sniffFormat(file(name))!;
      if (!entry.formats.includes(format)) continue;
      if (entry.name === 'mozjpeg-wasm' && name === 'cmyk.jpg') continue; // stated exception, tested below
      const img = await decode(entry.name, name);
      assert.equal(img.width, 67, `${entry.name} ${name}`);
      assert.equal(img.height, 45);
      assert.equal(img.data.length, 67 * 45 * 3);
    }
  }
});

test('libjpeg-turbo decoders (sharp, skia, mozjpeg-wasm, djpeg islow) equal PIL\'s decode exactly', async () => {
  for (const name of ['rgb-420.jpg', 'rgb-444.jpg', 'rgb-420-progressive.jpg', 'gray.jpg']) {
    for (const decoder of ['sharp', 'skia', 'mozjpeg-wasm', 'djpeg-islow']) {
      assert.equal(diff(await decode(decoder, name), refImage(name)).max, 0, `${decoder} ${name}`);
    }
  }
});

test('IDCT variants differ from islow by a few levels; float is closer than ifast', async () => {
  for (const name of ['rgb-420.jpg', 'rgb-444.jpg', 'gray.jpg']) {
    const ifast = diff(await decode('djpeg-ifast', name), refImage(name));
    const float = diff(await decode('djpeg-float', name), refImage(name));
    assert.ok(ifast.max >= 1 && ifast.max <= 8, `ifast ${name} ${ifast.max}`);
    assert.ok(float.max >= 1 && float.max <= 4, `float ${name} ${float.max}`);
    assert.ok(float.mean < ifast.mean, `${name}: float ${float.mean} vs ifast ${ifast.mean}`);
  }
});

test('simple chroma upsampling changes 4:2:0 images a lot and 4:4:4 images not at all', async () => {
  const sub = diff(await decode('djpeg-islow-nosmooth', 'rgb-420.jpg'), refImage('rgb-420.jpg'));
  assert.ok(sub.max > 30 && sub.mean > 2, `4:2:0 nosmooth max ${sub.max} mean ${sub.mean}`);
  assert.equal(diff(await decode('djpeg-islow-nosmooth', 'rgb-444.jpg'), refImage('rgb-444.jpg')).max, 0);
});

test('jpeg-js and FFmpeg are their own decoders: close on 4:4:4, far on 4:2:0 chroma edges', async () => {
  for (const decoder of ['jpegjs', 'ffmpeg', 'ffmpeg-idct-int', 'ffmpeg-idct-faani']) {
    const full = diff(await decode(decoder, 'rgb-444.jpg'), refImage('rgb-444.jpg'));
    assert.ok(full.max <= 4 && full.mean < 1, `${decoder} 4:4:4 max ${full.max} mean ${full.mean}`);
    const sub = diff(await decode(decoder, 'rgb-420.jpg'), refImage('rgb-420.jpg'));
    assert.ok(sub.mean > 2, `${decoder} 4:2:0 mean ${sub.mean}`);
  }
  // the IDCT option reaches FFmpeg's decoder: outputs differ between variants
  assert.ok(diff(await decode('ffmpeg', 'gray.jpg'), await decode('ffmpeg-idct-faani', 'gray.jpg')).max >= 1);
});

test('PNG paths: lossless for opaque images; alpha is dropped (Skia premultiplies first)', async () => {
  for (const decoder of ['sharp', 'skia', 'ffmpeg']) {
    for (const name of ['rgb.png', 'gray.png']) assert.equal(diff(await decode(decoder, name), refImage(name)).max, 0, `${decoder} ${name}`);
  }
  assert.equal(diff(await decode('sharp', 'rgba.png'), refImage('rgba.png')).max, 0);
  assert.equal(diff(await decode('ffmpeg', 'rgba.png'), refImage('rgba.png')).max, 0);
  assert.ok(diff(await decode('skia', 'rgba.png'), refImage('rgba.png')).max > 100, 'fully transparent pixels come back black');
});

test('CMYK: Skia and djpeg invert like PIL; libvips goes through an ICC profile; mozjpeg-wasm refuses clearly', async () => {
  assert.equal(jpegComponents(file('cmyk.jpg')), 4);
  assert.equal(jpegComponents(file('rgb-420.jpg')), 3);
  assert.equal(diff(await decode('skia', 'cmyk.jpg'), refImage('cmyk.jpg')).max, 0);
  assert.equal(diff(await decode('djpeg-islow', 'cmyk.jpg'), refImage('cmyk.jpg')).max, 0);
  assert.ok(diff(await decode('sharp', 'cmyk.jpg'), refImage('cmyk.jpg')).mean > 5);
  await assert.rejects(decoderByName('mozjpeg-wasm').decode(file('cmyk.jpg')), /mozjpeg-wasm cannot convert CMYK/);
  // the refusal happens before the WASM call, so the runtime still works afterwards
  assert.equal(diff(await decoderByName('mozjpeg-wasm').decode(file('gray.jpg')), refImage('gray.jpg')).max, 0);
});

test('bad inputs and missing binaries are one-line user errors', async () => {
  await assert.rejects(decoderByName('jpegjs').decode(file('rgb.png')), /jpegjs reads jpeg only, not png/);
  await assert.rejects(decoderByName('sharp').decode(new Uint8Array([1, 2, 3, 4, 5])), /cannot decode image/);
  await assert.rejects(decoderByName('jpegjs').decode(file('rgb-420.jpg').subarray(0, 200)), RobustartError);
  const saved = process.env.ROBUSTART_FFMPEG;
  process.env.ROBUSTART_FFMPEG = '/nonexistent/ffmpeg';
  try {
    await assert.rejects(ffmpegDecoder().decode(file('rgb-420.jpg')), (err: Error) => {
      assert.ok(err instanceof RobustartError);
      assert.match(err.message, /^\/nonexistent\/ffmpeg not found: the ffmpeg decoder needs the ffmpeg binary \(Debian: apt-get install ffmpeg\)/);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
  } finally {
    if (saved === undefined) delete process.env.ROBUSTART_FFMPEG;
    else process.env.ROBUSTART_FFMPEG = saved;
  }
  process.env.ROBUSTART_DJPEG = '/nonexistent/djpeg';
  try {
    await assert.rejects(djpegDecoder('islow').decode(file('rgb-420.jpg')), /libjpeg-turbo-progs/);
  } finally {
    delete process.env.ROBUSTART_DJPEG;
  }
  assert.throws(() => decoderByName('libpng'), /unknown decoder 'libpng'; known: sharp, skia/);
});

test('parsePnm reads P5 and P6 with comments', () => {
  const p6 = parsePnm(new Uint8Array([...Buffer.from('P6\n# c\n2 1\n255\n'), 1, 2, 3, 4, 5, 6]));
  assert.deepEqual([...p6.data], [1, 2, 3, 4, 5, 6]);
  const p5 = parsePnm(new Uint8Array([...Buffer.from('P5 2 1 255\n'), 7, 9]));
  assert.deepEqual([...p5.data], [7, 7, 7, 9, 9, 9]);
});

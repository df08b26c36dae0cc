// A synchronous PNG decoder for 8-bit, non-interlaced images (greyscale, grey + alpha, RGB, RGBA), alpha dropped
// and colour chunks (gAMA, cHRM, iCCP) ignored: the pixels as stored, which is what OpenCV's imread returns. Used
// where a corruption needs bundled pictures inside a synchronous pure function (the frost photographs).
import { zlib } from '../util/native.js';
import { RobustartError } from '../errors.js';
import type { RgbImage } from './image.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Channels per colour type (PNG specification, table 11.1) for the types decoded here. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

export function decodePng(bytes: Uint8Array, name = 'image'): RgbImage {
  if (bytes.length < 8 || SIGNATURE.some((v, i) => bytes[i] !== v)) throw new RobustartError(`${name} is not a PNG file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0, height = 0, channels = 0;
  const idat: Uint8Array[] = [];
  for (let at = 8; at + 8 <= bytes.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      const [depth, colourType, , , interlace] = body.subarray(8, 13);
      channels = CHANNELS[colourType] ?? 0;
      if (depth !== 8 || channels === 0 || interlace !== 0) throw new RobustartError(`${name}: only 8-bit non-interlaced greyscale or RGB(A) PNGs are supported; re-save it as such`);
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      break;
    }
    at += 12 + length;
  }
  if (width === 0 || idat.length === 0) throw new RobustartError(`${name}: PNG without image data`);
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw new RobustartError(`${name}: truncated PNG image data`);
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const o = y * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? pixels[o + i - channels] : 0;
      const b = y > 0 ? pixels[o - stride + i] : 0;
      const c = i >= channels && y > 0 ? pixels[o - stride + i - channels] : 0;
      const predictor = filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : filter === 4 ? paeth(a, b, c) : -1;
      if (predictor < 0) throw new RobustartError(`${name}: corrupt PNG (filter type ${filter})`);
      pixels[o + i] = (line[i] + predictor) & 0xff;
    }
  }
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const s = p * channels;
    if (channels < 3) data.fill(pixels[s], p * 3, p * 3 + 3);
    else data.set(pixels.subarray(s, s + 3), p * 3);
  }
  return { width, height, data };
}

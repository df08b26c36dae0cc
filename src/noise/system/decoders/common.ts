// Shared pieces of the decoder family: format sniffing, pixel-layout conversions, PNM parsing and child processes.
import { childProcess } from '../../../util/native.js';
import type { RgbImage } from '../../../data/image.js';
import { RobustartError } from '../../../errors.js';
import { DecoderUnavailableError } from '../../../data/decode.js';

export type ImageFormat = 'jpeg' | 'png';

/** JPEG starts FF D8 FF, PNG with its 8-byte signature; anything else is not an input robustart decodes. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return 'png';
  return undefined;
}

/** Throws a one-line error unless the bytes are a format this decoder reads. */
export function requireFormat(decoder: string, bytes: Uint8Array, formats: readonly ImageFormat[]): ImageFormat {
  const format = sniffFormat(bytes);
  if (!format) throw new RobustartError(`decoder ${decoder}: input is neither JPEG nor PNG (first bytes ${hex(bytes.subarray(0, 4))})`);
  if (!formats.includes(format)) {
    throw new RobustartError(`decoder ${decoder} reads ${formats.join('/')} only, not ${format}; pick another decoder for ${format} inputs`);
  }
  return format;
}

const hex = (b: Uint8Array) => Array.from(b, (v) => v.toString(16).padStart(2, '0')).join(' ');

/** Number of colour components in the JPEG frame header (1 gray, 3 YCbCr/RGB, 4 CMYK/YCCK), or undefined. */
export function jpegComponents(bytes: Uint8Array): number | undefined {
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1];
    if (marker === 0xff) { i++; continue; }
    const length = (bytes[i + 2] << 8) | bytes[i + 3];
    // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC): P, Y, X, Nf follow the length
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return bytes[i + 9];
    if (marker === 0xda) return undefined;
    i += 2 + length;
  }
  return undefined;
}

/** Interleaved pixels with 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA) channels -> RGB; alpha is dropped, as
 * PIL's Image.convert('RGB') (timm's loader) does. */
export function toRgb(data: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: number): RgbImage {
  const n = width * height;
  if (data.length < n * channels) throw new Error(`pixel buffer has ${data.length} bytes, expected ${n * channels}`);
  const out = new Uint8Array(n * 3);
  if (channels === 3) {
    out.set(data.subarray(0, n * 3));
  } else if (channels === 1 || channels === 2) {
    for (let p = 0; p < n; p++) out.fill(data[p * channels], 3 * p, 3 * p + 3);
  } else if (channels === 4) {
    for (let p = 0; p < n; p++) {
      out[3 * p] = data[4 * p];
      out[3 * p + 1] = data[4 * p + 1];
      out[3 * p + 2] = data[4 * p + 2];
    }
  } else {
    throw new Error(`cannot convert ${channels}-channel pixels to RGB`);
  }
  return { width, height, data: out };
}

/** Parses binary PNM (P5 gray or P6 RGB, maxval 255) as djpeg and ffmpeg write it. */
export function parsePnm(buf: Uint8Array): RgbImage {
  let pos = 0;
  const token = (): string => {
    while (pos < buf.length) {
      const c = buf[pos];
      if (c === 0x23) { while (pos < buf.length && buf[pos] !== 0x0a) pos++; continue; } // comment
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) { pos++; continue; }
      break;
    }
    const start = pos;
    while (pos < buf.length && ![0x20, 0x0a, 0x0d, 0x09].includes(buf[pos])) pos++;
    return Buffer.from(buf.subarray(start, pos)).toString('latin1');
  };
  const magic = token();
  const width = Number(token());
  const height = Number(token());
  const maxval = Number(token());
  pos++; // the single whitespace byte before the raster
  if ((magic !== 'P5' && magic !== 'P6') || maxval !== 255 || !(width > 0) || !(height > 0)) {
    throw new Error(`not an 8-bit binary PNM (magic ${magic}, maxval ${maxval})`);
  }
  return toRgb(buf.subarray(pos), width, height, magic === 'P6' ? 3 : 1);
}

/**
 * Runs a decoder binary with the image on stdin and returns stdout. A missing binary is a one-line user error that
 * names the Debian package (and the environment variable that overrides the path).
 */
export function runBinary(command: string, args: string[], input: Uint8Array, install: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = childProcess.spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(e.code === 'ENOENT' ? new DecoderUnavailableError(`${command} not found: the ${install}`) : e);
    });
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new RobustartError(`${command} failed (exit ${code}): ${Buffer.concat(err).toString().trim().split('\n').pop()}`));
    });
    child.stdin.on('error', () => {}); // an early exit closes stdin; the exit code reports the failure
    child.stdin.end(input);
  });
}

// Decoders for the uncompressed formats in torchvision's IMG_EXTENSIONS that libvips (sharp) does not read:
// Windows BMP and Netpbm PPM/PGM. Output is 8-bit RGB, as PIL's convert('RGB') gives (alpha dropped).
import type { RgbImage } from './image.js';

/** Whether the bytes start like a BMP ('BM') or a Netpbm grey/colour map (P2, P3, P5, P6). */
export function isBitmapFormat(bytes: Uint8Array): 'bmp' | 'netpbm' | undefined {
  if (bytes[0] === 0x42 && bytes[1] === 0x4d) return 'bmp';
  if (bytes[0] === 0x50 && [0x32, 0x33, 0x35, 0x36].includes(bytes[1])) return 'netpbm';
  return undefined;
}

function checkSize(width: number, height: number, pixelLimit: number): void {
  if (!(width > 0 && height > 0) || !Number.isInteger(width) || !Number.isInteger(height)) throw new Error(`invalid size ${width}x${height}`);
  if (width * height > pixelLimit) throw new Error(`input image exceeds pixel limit (${width}x${height})`);
}

/**
 * BMP (Microsoft's BITMAPINFOHEADER and its V4/V5 extensions, or the old core header): 1/4/8-bit palettes,
 * 16/24/32-bit pixels, BI_RGB or BI_BITFIELDS; rows bottom-up unless the height is negative. RLE is refused.
 */
export function decodeBmp(bytes: Uint8Array, pixelLimit: number): RgbImage {
  if (bytes.length < 26) throw new Error('truncated BMP header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  const core = headerSize === 12;
  const width = core ? view.getUint16(18, true) : view.getInt32(18, true);
  const rawHeight = core ? view.getInt16(20, true) : view.getInt32(22, true);
  const bpp = view.getUint16(core ? 24 : 28, true);
  const compression = core ? 0 : view.getUint32(30, true);
  const height = Math.abs(rawHeight);
  checkSize(width, height, pixelLimit);
  if (compression !== 0 && compression !== 3 && compression !== 6) throw new Error(`BMP compression ${compression} (RLE or embedded JPEG/PNG) is not supported`);
  let masks = bpp === 16 ? [0x7c00, 0x03e0, 0x001f] : [0xff0000, 0x00ff00, 0x0000ff];
  if (compression !== 0) masks = [0, 1, 2].map((i) => view.getUint32(54 + 4 * i, true));
  const paletteEntry = core ? 3 : 4;
  const colours = bpp <= 8 ? (core ? 1 << bpp : view.getUint32(46, true) || 1 << bpp) : 0;
  const palette = Array.from({ length: colours }, (_, i) => {
    const o = 14 + headerSize + i * paletteEntry;
    return [bytes[o + 2], bytes[o + 1], bytes[o]];
  });
  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (dataOffset + stride * height > bytes.length) throw new Error('truncated BMP pixel data');
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw new Error(`BMP with ${bpp} bits per pixel is not supported`);
  const channel = (value: number, mask: number) => {
    if (mask === 0) return 0;
    const shift = 31 - Math.clz32(mask & -mask);
    const max = mask >>> shift;
    return Math.round((((value & mask) >>> shift) * 255) / max);
  };
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (rawHeight > 0 ? height - 1 - y : y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      let rgb: number[];
      if (bpp <= 8) {
        const bit = x * bpp;
        const index = (bytes[row + (bit >> 3)] >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        rgb = palette[index] ?? [0, 0, 0];
      } else if (bpp === 24) {
        const p = row + x * 3;
        rgb = [bytes[p + 2], bytes[p + 1], bytes[p]];
      } else {
        const value = bpp === 16 ? view.getUint16(row + x * 2, true) : view.getUint32(row + x * 4, true);
        rgb = masks.map((m) => channel(value, m));
      }
      data[o] = rgb[0];
      data[o + 1] = rgb[1];
      data[o + 2] = rgb[2];
    }
  }
  return { width, height, data };
}

/** Netpbm P2/P5 (grey) and P3/P6 (RGB), 8 or 16 bits (maxval up to 65535), scaled to 8 bits. */
export function decodeNetpbm(bytes: Uint8Array, pixelLimit: number): RgbImage {
  const magic = String.fromCharCode(bytes[0], bytes[1]);
  let pos = 2;
  const token = (): number => {
    for (;;) {
      while (pos < bytes.length && /\s/.test(String.fromCharCode(bytes[pos]))) pos++;
      if (bytes[pos] !== 0x23) break; // '#' comment to end of line
      while (pos < bytes.length && bytes[pos] !== 0x0a) pos++;
    }
    const start = pos;
    while (pos < bytes.length && bytes[pos] >= 0x30 && bytes[pos] <= 0x39) pos++;
    if (start === pos) throw new Error('truncated or malformed Netpbm header');
    return Number(String.fromCharCode(...bytes.subarray(start, pos)));
  };
  const width = token();
  const height = token();
  const maxval = token();
  checkSize(width, height, pixelLimit);
  if (maxval < 1 || maxval > 65535) throw new Error(`Netpbm maxval ${maxval} is out of range`);
  const channels = magic === 'P3' || magic === 'P6' ? 3 : 1;
  const count = width * height * channels;
  const values = new Uint16Array(count);
  if (magic === 'P5' || magic === 'P6') {
    pos++; // the single whitespace after maxval
    const wide = maxval > 255;
    if (pos + count * (wide ? 2 : 1) > bytes.length) throw new Error('truncated Netpbm pixel data');
    for (let i = 0; i < count; i++) values[i] = wide ? (bytes[pos + 2 * i] << 8) | bytes[pos + 2 * i + 1] : bytes[pos + i];
  } else {
    for (let i = 0; i < count; i++) values[i] = token();
  }
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) data[3 * p + c] = Math.round((Math.min(values[p * channels + (channels === 3 ? c : 0)], maxval) * 255) / maxval);
  }
  return { width, height, data };
}

// jpeg_compression: a JPEG round trip at the severity's quality (libjpeg-turbo's arithmetic, 4:2:0 chroma
// subsampling as PIL's default), computed in process by jpeg-pixels.ts: the same pixels as encoding and decoding
// through sharp, without a codec call's cost. encodeJpeg/decodeJpeg are the real files through sharp, which the
// tests compare against. Standard Huffman tables, as PIL writes by default (optimize=False): optimised tables
// change only the file's size, not the decoded pixels.
import { sharp } from '../../util/native.js';
import { toFloatImage, toRgbImage, type FloatImage } from '../../data/image.js';
import { jpegRoundTrip } from './jpeg-pixels.js';
import { atSeverity, type Severity } from './types.js';

/** JPEG quality per severity. */
export const JPEG_COMPRESSION = [25, 18, 15, 10, 7] as const;

export async function encodeJpeg(image: FloatImage, quality: number): Promise<Uint8Array> {
  const rgb = toRgbImage(image);
  const buffer = await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
    .jpeg({ quality, chromaSubsampling: '4:2:0', mozjpeg: false, optimiseCoding: false })
    .toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

export async function decodeJpeg(bytes: Uint8Array): Promise<FloatImage> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return toFloatImage({ width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
}

export function jpegCompression(image: FloatImage, severity: Severity): FloatImage {
  return jpegRoundTrip(image, atSeverity(JPEG_COMPRESSION, severity));
}

// libvips via sharp: its bundled JPEG library (mozjpeg, libjpeg-turbo's decoder: islow IDCT, fancy upsampling) and
// libspng for PNG. CMYK is converted to sRGB through libvips' ICC path; alpha is dropped.
import sharp from 'sharp';
import type { Decoder } from '../../types.js';
import { requireFormat } from './common.js';

export function sharpDecoder(): Decoder {
  return {
    name: 'sharp',
    async decode(bytes) {
      requireFormat('sharp', bytes, ['jpeg', 'png']);
      const { data, info } = await sharp(bytes).toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
      return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
    },
  };
}

// Skia through @napi-rs/canvas: Skia's codecs (libjpeg-turbo for JPEG, its PNG codec), drawn onto an RGBA canvas.
// Canvas pixels are premultiplied internally, so translucent PNG pixels lose precision before alpha is dropped.
import type * as Canvas from '@napi-rs/canvas';
import { requirePackage } from '../../../util/native.js';
import type { Decoder } from '../../../data/seams.js';
import type { RgbImage } from '../../../data/image.js';
import { requireFormat, toRgb } from './common.js';
import { RobustartError } from '../../../errors.js';

/** Decodes synchronously (Skia decodes when the source is set), so synchronous code can read bundled JPEGs. */
export function decodeWithSkia(bytes: Uint8Array): RgbImage {
  const { createCanvas, Image } = requirePackage<typeof Canvas>('@napi-rs/canvas');
  requireFormat('skia', bytes, ['jpeg', 'png']);
  const image = new Image();
  image.src = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (!(image.width > 0 && image.height > 0)) throw new RobustartError('decoder skia: Skia could not decode the image');
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const pixels = ctx.getImageData(0, 0, image.width, image.height);
  return toRgb(pixels.data, image.width, image.height, 4);
}

export function skiaDecoder(): Decoder {
  const { createCanvas, Image } = requirePackage<typeof Canvas>('@napi-rs/canvas');
  return {
    name: 'skia',
    async decode(bytes) {
      return decodeWithSkia(bytes);
    },
  };
}

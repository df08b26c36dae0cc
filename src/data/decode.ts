// Decoding image bytes to 8-bit sRGB RGB with sharp (libvips): the default decoder.
import { sharp } from '../util/native.js';
import type { RgbImage } from './image.js';
import type { Decoder } from './seams.js';
import { RobustartError } from '../errors.js';
import { decodeBmp, decodeNetpbm, isBitmapFormat } from './bitmap.js';

/**
 * Refuse images above this many pixels: a guard against decompression bombs. Default 16383², as
 * libvips; ROBUSTART_MAX_PIXELS changes it for genuinely huge images.
 */
export const DEFAULT_PIXEL_LIMIT = Number(process.env.ROBUSTART_MAX_PIXELS) > 0 ? Number(process.env.ROBUSTART_MAX_PIXELS) : 268_402_689;

/** An image that cannot be decoded: evaluation skips and counts it rather than stopping. */
export class UndecodableImageError extends RobustartError {
  constructor(readonly source: string, reason: string) {
    super(`cannot decode image ${source}: ${reason}`);
    this.name = 'UndecodableImageError';
  }
}

/**
 * Decodes like PIL's `Image.open(f).convert('RGB')` after EXIF transposition, as torchvision pipelines
 * do: EXIF orientation applied, grayscale/CMYK/16-bit converted to 8-bit sRGB, alpha dropped.
 */
export async function decodeImage(bytes: Uint8Array, source = 'image', pixelLimit = DEFAULT_PIXEL_LIMIT): Promise<RgbImage> {
  try {
    // BMP and PPM/PGM are in torchvision's list but not libvips' loaders here.
    const bitmap = isBitmapFormat(bytes);
    if (bitmap === 'bmp') return decodeBmp(bytes, pixelLimit);
    if (bitmap === 'netpbm') return decodeNetpbm(bytes, pixelLimit);
    const { data, info } = await sharp(bytes, { limitInputPixels: pixelLimit, failOn: 'error', autoOrient: true })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (err) {
    const reason = String((err as Error).message ?? err).split('\n')[0];
    if (/pixel limit/i.test(reason)) {
      throw new UndecodableImageError(source, `larger than the ${pixelLimit}-pixel limit (decompression-bomb guard); raise ROBUSTART_MAX_PIXELS if the image is genuine`);
    }
    throw new UndecodableImageError(source, reason);
  }
}

/** A decoder that cannot run at all here (its program is missing): fatal, unlike one bad image. */
export class DecoderUnavailableError extends RobustartError {
  constructor(message: string) {
    super(message);
    this.name = 'DecoderUnavailableError';
  }
}

export const sharpDecoder: Decoder = {
  name: 'sharp',
  decode: (bytes) => decodeImage(bytes),
};

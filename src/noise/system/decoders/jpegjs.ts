// jpeg-js: a pure-JavaScript baseline/progressive JPEG decoder (pdf.js lineage) with its own IDCT and chroma
// upsampling. JPEG only.
import type * as JpegJs from 'jpeg-js';
import { requirePackage } from '../../../util/native.js';
import type { Decoder } from '../../../data/seams.js';
import { requireFormat, toRgb } from './common.js';
import { RobustartError } from '../../../errors.js';

export function jpegJsDecoder(): Decoder {
  const jpeg = requirePackage<typeof JpegJs>('jpeg-js');
  return {
    name: 'jpegjs',
    async decode(bytes) {
      requireFormat('jpegjs', bytes, ['jpeg']);
      let decoded: { width: number; height: number; data: Uint8Array };
      try {
        decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      } catch (err) {
        throw new RobustartError(`decoder jpegjs: ${(err as Error).message}`);
      }
      return toRgb(decoded.data, decoded.width, decoded.height, 4);
    },
  };
}

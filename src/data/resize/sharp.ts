// libvips resize through sharp (the library itself, so exact by construction): raw RGB in, fit 'fill' to the exact
// size, one variant per sharp kernel. libvips reduces with its own kernels (and a box pre-shrink for large factors).
import { sharp } from '../../util/native.js';
import type { Resizer } from '../seams.js';
import { checkResizeArgs } from './common.js';

/** sharp's kernel names (sharp.kernel). */
export const SHARP_KERNELS = ['nearest', 'linear', 'cubic', 'mitchell', 'lanczos2', 'lanczos3', 'mks2013', 'mks2021'] as const;
export type SharpKernel = (typeof SHARP_KERNELS)[number];

export function sharpResizer(kernel: SharpKernel): Resizer {
  const name = `sharp-${kernel}`;
  return {
    name,
    async resize(image, width, height) {
      checkResizeArgs(name, image, width, height);
      const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
        .resize(width, height, { fit: 'fill', kernel })
        .raw()
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 3 || info.width !== width || info.height !== height) {
        throw new Error(`sharp returned ${info.width}x${info.height}x${info.channels}, expected ${width}x${height}x3`);
      }
      return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
    },
  };
}

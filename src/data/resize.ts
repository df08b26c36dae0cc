// The default resizer: libvips through sharp, with the model's interpolation mapped to sharp's kernels.
import sharp from 'sharp';
import type { RgbImage } from './image.js';
import type { Resizer } from '../noise/types.js';
import type { Interpolation } from '../model/metadata.js';

/** sharp's kernel closest to each timm interpolation (libvips reduces with antialiasing, as PIL does). */
type SharpKernel = 'nearest' | 'linear' | 'cubic' | 'lanczos3';
const SHARP_KERNEL: Record<Interpolation, SharpKernel> = {
  nearest: 'nearest',
  bilinear: 'linear',
  bicubic: 'cubic',
  lanczos: 'lanczos3',
  box: 'linear',
  hamming: 'linear',
};

export function sharpResizer(interpolation: Interpolation): Resizer {
  const kernel = SHARP_KERNEL[interpolation];
  return {
    name: `sharp-${kernel}`,
    async resize(image: RgbImage, width: number, height: number): Promise<RgbImage> {
      const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
        .resize(width, height, { kernel, fit: 'fill', fastShrinkOnLoad: false })
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
    },
  };
}

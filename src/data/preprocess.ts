// Evaluation preprocessing exactly as timm's transforms_factory (eval, crop_mode 'center') builds it:
// Resize(floor(size / crop_pct)) on the shorter side -> CenterCrop(size) -> ToTensor. Normalisation is
// inside the model graph (model/normalize.ts), so images leave here in [0,1].
import type { RgbImage } from './image.js';
import type { Resizer } from '../noise/types.js';
import type { Interpolation } from '../model/metadata.js';
import { RobustartError } from '../errors.js';
import { roundHalfEven } from './resize/common.js';

export { roundHalfEven };

export interface PreprocessConfig {
  /** [channels, height, width] as timm's input_size. */
  readonly input_size: readonly [number, number, number];
  readonly crop_pct: number;
  readonly interpolation: Interpolation;
}

/** timm: scale_size = floor(img_size / crop_pct), per side; one number when the input is square. */
export function scaleSize(config: PreprocessConfig): { height: number; width: number; square: boolean } {
  const [, h, w] = config.input_size;
  return { height: Math.floor(h / config.crop_pct), width: Math.floor(w / config.crop_pct), square: h === w };
}

/**
 * torchvision Resize(size) with an int size: the shorter side becomes `size`, the longer
 * int(size * long / short) (truncation, as torchvision's _compute_resized_output_size).
 */
export function resizedSize(width: number, height: number, shorter: number): { width: number; height: number } {
  if (width <= height) return { width: shorter, height: Math.trunc((shorter * height) / width) };
  return { width: Math.trunc((shorter * width) / height), height: shorter };
}

/** torchvision CenterCrop offsets: int(round((h - th) / 2)), with Python's rounding. */
export function centerCropOffsets(width: number, height: number, cropWidth: number, cropHeight: number): { left: number; top: number } {
  return { left: roundHalfEven((width - cropWidth) / 2), top: roundHalfEven((height - cropHeight) / 2) };
}

export function crop(image: RgbImage, left: number, top: number, width: number, height: number): RgbImage {
  if (left < 0 || top < 0 || left + width > image.width || top + height > image.height) {
    // torchvision pads with zeros when the crop is larger than the image.
    return padCrop(image, left, top, width, height);
  }
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const src = ((top + y) * image.width + left) * 3;
    data.set(image.data.subarray(src, src + width * 3), y * width * 3);
  }
  return { width, height, data };
}

function padCrop(image: RgbImage, left: number, top: number, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy = top + y;
    if (sy < 0 || sy >= image.height) continue;
    for (let x = 0; x < width; x++) {
      const sx = left + x;
      if (sx < 0 || sx >= image.width) continue;
      const s = (sy * image.width + sx) * 3;
      const d = (y * width + x) * 3;
      data[d] = image.data[s];
      data[d + 1] = image.data[s + 1];
      data[d + 2] = image.data[s + 2];
    }
  }
  return { width, height, data };
}

/** Resize + center crop to the model's input size, still 8-bit (as torchvision does on PIL images). */
export async function resizeAndCrop(image: RgbImage, config: PreprocessConfig, resizer: Resizer): Promise<RgbImage> {
  if (config.input_size[0] !== 3) {
    throw new RobustartError(`input_size has ${config.input_size[0]} channels; robustart's image pipeline feeds RGB (3 channels)`);
  }
  const [, h, w] = config.input_size;
  const scale = scaleSize(config);
  const target = scale.square ? resizedSize(image.width, image.height, scale.height) : { width: scale.width, height: scale.height };
  const resized = target.width === image.width && target.height === image.height ? image : await resizer.resize(image, target.width, target.height);
  const { left, top } = centerCropOffsets(resized.width, resized.height, w, h);
  return crop(resized, left, top, w, h);
}

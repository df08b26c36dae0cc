// Evaluation preprocessing exactly as timm's transforms_factory (eval, crop_mode 'center') builds it:
// Resize(floor(size / crop_pct)) on the shorter side -> CenterCrop(size) -> ToTensor. Normalisation is
// inside the model graph (model/normalize.ts), so images leave here in [0,1].
import { crop, type RgbImage } from './image.js';
import type { Resizer } from './seams.js';
import type { Interpolation } from '../model/metadata.js';
import { RobustartError } from '../errors.js';
import { roundHalfEven } from './resize/common.js';

export { roundHalfEven };
export { crop };

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

/** Resize + center crop to the model's input size, still 8-bit (as torchvision does on PIL images). */
export async function resizeAndCrop(image: RgbImage, config: PreprocessConfig, resizer: Resizer): Promise<RgbImage> {
  if (config.input_size[0] !== 3) {
    throw new RobustartError(`input_size has ${config.input_size[0]} channels; robustart's image pipeline feeds RGB (3 channels)`);
  }
  const [, h, w] = config.input_size;
  const scale = scaleSize(config);
  const target = scale.square ? resizedSize(image.width, image.height, scale.height) : { width: scale.width, height: scale.height };
  const { left, top } = centerCropOffsets(target.width, target.height, w, h);
  if (target.width === image.width && target.height === image.height) return crop(image, left, top, w, h);
  const inside = left >= 0 && top >= 0 && left + w <= target.width && top + h <= target.height;
  // A resizer that can compute just the crop window skips the pixels the crop would throw away.
  if (inside && resizer.resizeWindow) return resizer.resizeWindow(image, target.width, target.height, { left, top, width: w, height: h });
  return crop(await resizer.resize(image, target.width, target.height), left, top, w, h);
}

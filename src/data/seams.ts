// The seams noise families plug into (they live with the data layer, the first that uses them). Data flows: bytes -> decode -> resize/crop -> image noise -> batch -> batch noise -> model.
import type { FloatImage, RgbImage } from '../data/image.js';
import type { Rng } from '../util/rng.js';

/** Image bytes -> 8-bit RGB (system noise swaps decoders). */
export interface Decoder {
  readonly name: string;
  decode(bytes: Uint8Array): Promise<RgbImage>;
}

/** Resize an 8-bit RGB image to an exact size (system noise swaps resizers). */
export interface Resizer {
  readonly name: string;
  resize(image: RgbImage, width: number, height: number): Promise<RgbImage> | RgbImage;
  /**
   * Optional: the same resize, but only the given window of the result is computed and returned
   * (exactly what resize + crop gives, without the work on pixels the crop discards).
   */
  resizeWindow?(image: RgbImage, width: number, height: number, window: { left: number; top: number; width: number; height: number }): Promise<RgbImage> | RgbImage;
}

/** A per-image noise on [0,1] float images (natural noise: one corruption at one severity). */
export interface ImageNoise {
  /** e.g. "gaussian_noise/3" */
  readonly name: string;
  apply(image: FloatImage, rng: Rng): FloatImage | Promise<FloatImage>;
}

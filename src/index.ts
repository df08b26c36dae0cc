// robustart's library API. Each area exports its public pieces here.
export { RobustartError } from './errors.js';
export { Rng, rngFor, hashString } from './util/rng.js';
export type { RgbImage, FloatImage } from './data/image.js';
export type { Decoder, Resizer, ImageNoise } from './noise/types.js';

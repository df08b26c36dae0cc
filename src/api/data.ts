// robustart/data: Datasets, decoding, the model's preprocessing, image types and the seams noise plugs into.
export type { RgbImage, FloatImage } from '../data/image.js';
export type { Decoder, Resizer, ImageNoise } from '../data/seams.js';
export { loadDataset, loadImageFolder, loadCsvManifest, limitSamples, type Dataset, type Sample } from '../data/dataset.js';
export { decodeImage, sharpDecoder, UndecodableImageError } from '../data/decode.js';
export { resizeAndCrop, scaleSize, resizedSize, centerCropOffsets, type PreprocessConfig } from '../data/preprocess.js';
export { modelResizer } from '../data/resize.js';
export { toFloatImage, toRgbImage, writeChw } from '../data/image.js';
export { loadImages, type PreprocessedFor } from '../data/batch.js';

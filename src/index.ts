// robustart's library API. Each area exports its public pieces here.
export { RobustartError } from './errors.js';
export { Rng, rngFor, hashString } from './util/rng.js';
export type { RgbImage, FloatImage } from './data/image.js';
export type { Decoder, Resizer, ImageNoise } from './noise/types.js';

// Models
export { loadModelFile, type LoadedModel } from './model/load.js';
export { resolveModel, BUNDLED_MODELS, defaultBatchSize } from './model/resolve.js';
export { OnnxClassifier } from './model/classifier.js';
export { parseModelMetadata, modelMetadataSchema, type ModelMetadata, type Interpolation } from './model/metadata.js';
export { countMacs } from './model/complexity.js';
export { availableDevices, type Device } from './model/session.js';
export type { DifferentiableClassifier, LossSpec, LossKind, LossAndGradient } from './model/differentiable.js';
// Data
export { loadDataset, loadImageFolder, loadCsvManifest, limitSamples, type Dataset, type Sample } from './data/dataset.js';
export { decodeImage, sharpDecoder, UndecodableImageError } from './data/decode.js';
export { resizeAndCrop, scaleSize, resizedSize, centerCropOffsets, type PreprocessConfig } from './data/preprocess.js';
export { sharpResizer } from './data/resize.js';
export { toFloatImage, toRgbImage, writeChw } from './data/image.js';
// Evaluation, metrics, results
export { runEvaluation, findSuite, type RunEvaluationOptions, type RunEvaluationResult } from './eval/run.js';
export { evaluate, type EvaluateOptions, type EvaluationResult } from './eval/evaluate.js';
export type { Condition, BatchNoise } from './eval/condition.js';
export type { Suite, SuiteContext } from './eval/suite.js';
export { suites } from './eval/suites/index.js';
export { classificationMetrics, predictionsFromLogits, expectedCalibrationError, type ClassificationMetrics, type Prediction } from './metrics/classification.js';
export { ResultStore, defaultStorePath, type RunEntry, type SampleRecord } from './store/store.js';
export { exportRun } from './store/export.js';
export { renderRunReport } from './report/html.js';

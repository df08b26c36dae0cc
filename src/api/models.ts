// robustart/models: Loading ONNX classifiers, their metadata, inference sessions, the model registry.
export { loadModelFile, type LoadedModel } from '../model/load.js';
export { resolveModel, BUNDLED_MODELS, defaultBatchSize } from '../model/resolve.js';
export { OnnxClassifier } from '../model/classifier.js';
export { parseModelMetadata, modelMetadataSchema, type ModelMetadata, type Interpolation } from '../model/metadata.js';
export { countMacs } from '../model/complexity.js';
export { availableDevices, DEVICES, type Device } from '../model/session.js';
export type { DifferentiableClassifier, LossSpec, LossKind, LossAndGradient } from '../model/differentiable.js';
export { ModelRegistry, type ModelEntry, type ModelLookup } from '../model/registry.js';
export type { SessionOptions } from '../onnx/runtime.js';

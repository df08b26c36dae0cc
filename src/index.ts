// robustart's library API: everything, from each area's subpath (robustart/data, robustart/eval, ...).
// Importing a subpath loads only that area; heavy native packages load on first use either way.
export * from './api/core.js';
export * from './api/data.js';
export * from './api/models.js';
export * from './api/autodiff.js';
export * from './api/onnx.js';
export * from './api/eval.js';
export * from './api/metrics.js';
export * from './api/results.js';
export * from './api/system.js';
export * from './api/corruptions.js';
export * from './api/attacks.js';
export * from './api/train.js';
export * from './api/study.js';
export * from './api/queue.js';
export * from './api/nas-analysis.js';
export * from './api/nas.js';

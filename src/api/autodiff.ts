// robustart/autodiff: Gradients in standard ONNX ops: differentiable classifiers, gradient sessions, VJP rules.
export { createDifferentiableClassifier, AutodiffClassifier, type ClassifierOptions } from '../autodiff/classifier.js';
export { prepareModel, buildGradientGraph, type GradientRequest, type GradientGraph, type PreparedModel } from '../autodiff/gradient.js';
export { appendBackward } from '../autodiff/backward.js';
export { registerVjp, supportedOps, type VjpRule } from '../autodiff/registry.js';
export { createGradientSession, GradientSession } from '../autodiff/session.js';

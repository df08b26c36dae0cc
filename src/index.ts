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
export { modelResizer } from './data/resize.js';
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
// System noise: decoder and resizer variants, the grid suite
export { DECODERS, decoderByName, decoderNames, type DecoderEntry } from './noise/system/decoders/index.js';
export { RESIZERS, resizerByName, resizerNames, type ResizerEntry } from './noise/system/resizers/index.js';
export { imageDiff, disagreementHeatmap, runCombinations, type ImageDiff } from './noise/system/diff.js';
export { systemSuite, systemConditions, flipFraction, nsd } from './eval/suites/system.js';
export { createDifferentiableClassifier, AutodiffClassifier, type ClassifierOptions } from './autodiff/classifier.js';
export { prepareModel, buildGradientGraph, type GradientRequest, type GradientGraph, type PreparedModel } from './autodiff/gradient.js';
export { appendBackward } from './autodiff/backward.js';
export { registerVjp, supportedOps, type VjpRule } from './autodiff/registry.js';
export { Graph } from './onnx/graph.js';
export { readNpy, writeNpy } from './onnx/npy.js';
export { buildSmallCnn, buildResNet, buildViT, buildMixer } from './model/builders/index.js';
export { trainClassifier, type TrainConfig, type EpochRecord } from './train/trainer.js';
export { loadExperiment, parseExperiment, experimentSchema, type ExperimentConfig } from './train/config.js';
export { runExperiment } from './train/experiment.js';
// Natural noise: ImageNet-C corruptions, ImageNet-P sequences, their metrics, ImageNet-A/O/R class subsets
export { CORRUPTIONS, CORRUPTION_NAMES, MAIN_CORRUPTIONS, EXTRA_CORRUPTIONS, getCorruption, corruptionNoise, type CorruptionInfo } from './noise/natural/registry.js';
export { SEVERITIES, type Severity, type CorruptionOptions } from './noise/natural/types.js';
export { perturbationFrame, perturbationSequence, perturbationNoise, frameCount, ALL_PERTURBATIONS, PERTURBATION_STEPS, FRAMES, type Perturbation } from './noise/natural/imagenet-p.js';
export { generateImageNetC, generateImageNetP, loadFrostTextures } from './noise/natural/generate.js';
export { CorruptionPool, pooledCorruptionNoise } from './noise/natural/pool.js';
export { contactSheet } from './noise/natural/preview.js';
export { naturalSuite, naturalConditions, corruptionSummary, perturbationSummary } from './eval/suites/natural.js';
export { summarizeCorruptionErrors, corruptionError, relativeCorruptionError, ALEXNET_BASELINE, type CorruptionSummary } from './metrics/corruption.js';
export { flipProbability, topFiveDistance, meanTopFiveDistance, normalizedMean } from './metrics/perturbation.js';
export { averagePrecision, areaUnderRoc } from './metrics/ood.js';
export { subsetIndices, subsetWnids, imagenetClassWnids, restrictedAccuracy, imagenetODetection, type ImageNetSubset } from './metrics/imagenet-subsets.js';
// Adversarial noise: attacks behind one interface, threat models, the spec's attack set, masking checks, AR/WCAR
export type { Attack, AttackResult, RunOptions, AttackKind } from './noise/adversarial/attack.js';
export { createAttack, attackEntry, ATTACKS, SPEC_BUDGETS, SPEC_SUITE, type AttackOptions, type AttackEntry } from './noise/adversarial/registry.js';
export { parseEpsilon, parseNorm, projectToThreat, perturbationNorms, type Norm } from './noise/adversarial/threat.js';
export { FGSM } from './noise/adversarial/fgsm.js';
export { BIM } from './noise/adversarial/bim.js';
export { PGD } from './noise/adversarial/pgd.js';
export { PGDL1 } from './noise/adversarial/pgd-l1.js';
export { MIM } from './noise/adversarial/mim.js';
export { APGD } from './noise/adversarial/apgd.js';
export { APGDT } from './noise/adversarial/apgd-t.js';
export { CarliniWagnerL2 } from './noise/adversarial/cw.js';
export { DDN } from './noise/adversarial/ddn.js';
export { DeepFool } from './noise/adversarial/deepfool.js';
export { FAB } from './noise/adversarial/fab.js';
export { Square } from './noise/adversarial/square.js';
export { SPSA } from './noise/adversarial/spsa.js';
export { HopSkipJump } from './noise/adversarial/hop-skip-jump.js';
export { AutoAttack } from './noise/adversarial/autoattack.js';
export { attackDataset, attackOverEpsilons, stillCorrect, type AttackRun } from './noise/adversarial/suite.js';
export { modelChecks, resultChecks, type MaskingFlag } from './noise/adversarial/masking.js';
export { adversarialConditions, conditionName, budgetOfCondition } from './noise/adversarial/conditions.js';
export { adversarialSuite } from './eval/suites/adversarial.js';
export { saveExample } from './noise/adversarial/examples.js';
export { summarizeAttack, worstCaseRobustness, worstCaseByBudget, type AttackSummary } from './metrics/adversarial.js';
export { runAttack } from './cli/commands/attack.js';
export { createGradientSession, GradientSession } from './autodiff/session.js';
export { imagenetASuite, imagenetRSuite, imagenetOSuite } from './eval/suites/imagenet-variants.js';

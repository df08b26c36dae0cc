// robustart/corruptions: Natural noise: ImageNet-C corruptions and their registry, ImageNet-P sequences, their metrics.
export { CORRUPTIONS, CORRUPTION_NAMES, MAIN_CORRUPTIONS, EXTRA_CORRUPTIONS, getCorruption, corruptionNoise, registerCorruption, corruptionNames, type CorruptionInfo } from '../noise/natural/registry.js';
export { SEVERITIES, type Severity, type CorruptionOptions } from '../noise/natural/types.js';
export { perturbationFrame, perturbationSequence, perturbationNoise, frameCount, ALL_PERTURBATIONS, PERTURBATION_STEPS, FRAMES, type Perturbation } from '../noise/natural/imagenet-p.js';
export { generateImageNetC, generateImageNetP, loadFrostTextures } from '../noise/natural/generate.js';
export { CorruptionPool, pooledCorruptionNoise } from '../noise/natural/pool.js';
export { contactSheet } from '../noise/natural/preview.js';
export { naturalSuite, naturalConditions, corruptionSummary, perturbationSummary } from '../eval/suites/natural.js';
export { summarizeCorruptionErrors, corruptionError, relativeCorruptionError, ALEXNET_BASELINE, type CorruptionSummary } from '../metrics/corruption.js';
export { flipProbability, topFiveDistance, meanTopFiveDistance, normalizedMean } from '../metrics/perturbation.js';

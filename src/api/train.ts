// robustart/train: Model builders and training.
export { buildSmallCnn, buildResNet, buildViT, buildMixer, buildDenseNet, buildEfficientNet, buildMobileNetV2, buildMobileNetV3, buildRegNet, buildRepVGG, reparameterizeRepVGG, buildShuffleNetV2, buildConvNeXt, buildAlexNet, ModelBuilder } from '../model/builders/index.js';
// Model zoo: RobustART's architecture families as registered builders with reference presets
export { registerArchitecture, getArchitecture, architectureNames, presetEntries, findPreset, buildPreset, buildArchitecture, parameterCount, macCount, summarizePreset, zooCatalogue, loadWeights, graphWeights, type Architecture, type Preset, type PresetEntry, type BuildRequest, type BuildSettings, type PresetSummary } from '../model/zoo/index.js';
export { trainClassifier, type TrainConfig, type EpochRecord } from '../train/trainer.js';
export { loadExperiment, parseExperiment, experimentSchema, type ExperimentConfig } from '../train/config.js';
export { runExperiment } from '../train/experiment.js';

// The model zoo: registry, built-in architectures, complexity counts and weight import.
import './architectures.js';
export { registerArchitecture, getArchitecture, architectureNames, presetEntries, findPreset, buildPreset, buildArchitecture, makeDivisible, scaleDepth, scaleWidth, type Architecture, type Preset, type PresetEntry, type BuildRequest, type BuildSettings } from './registry.js';
export { parameterCount, macCount } from './complexity.js';
export { loadWeights, graphWeights, halfToFloat, type NamedTensor } from './weights.js';
export { summarizePreset, zooCatalogue, type PresetSummary } from './summary.js';

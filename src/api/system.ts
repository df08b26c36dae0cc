// robustart/system: System noise: decoder and resizer variants, the grid suite.
export { DECODERS, decoderByName, decoderNames, type DecoderEntry } from '../noise/system/decoders/index.js';
export { RESIZERS, resizerByName, resizerNames, type ResizerEntry } from '../noise/system/resizers/index.js';
export { imageDiff, disagreementHeatmap, runCombinations, type ImageDiff } from '../noise/system/diff.js';
export { systemSuite, systemConditions, flipFraction, nsd } from '../eval/suites/system.js';

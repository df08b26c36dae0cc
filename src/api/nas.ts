// robustart/nas: weight-sharing supernets over a search space, subnet sampling, extraction, BatchNorm
// recalibration, supernet training (sandwich rule) and the subnet study.
export { loadSpace, parseSpace, spaceSchema, spaceHash, dimensions as spaceDimensions, largestChoices, smallestChoices, randomChoices, checkChoices, subnetId, type SearchSpace, type Choices } from '../nas/space.js';
export { buildSupernet, buildSubnet, selectionFeeds, networkLayout, type Supernet, type SubnetInput, type NetworkLayout } from '../nas/supernet.js';
export { extractSubnet, sliceTensor, NAS_METADATA_KEY, SUPERNET_METADATA_KEY, type NasRecord } from '../nas/extract.js';
export { loadSupernet, supernetMetadata, type SupernetFile } from '../nas/supernet-file.js';
export { recalibrateBatchNorm, RECALIBRATION_IMAGES, type RecalibrationOptions } from '../nas/recalibrate.js';
export { sampleSubnets, summarizeSubnet, spaceSize, SAMPLING_STRATEGIES, MAC_STRATA, type SamplingStrategy, type SubnetSummary } from '../nas/sample.js';
export { trainSupernet, sandwich, SANDWICH_RANDOM_SUBNETS, type SupernetTrainSettings, type SupernetEpochRecord, type SupernetTrainResult, type SubnetPass } from '../nas/train.js';
export { runSupernetExperiment, type SupernetExperimentOptions, type SupernetTrainingRecord } from '../nas/experiment.js';
export { runNasSample, type NasSampleOptions, type NasSampleResult, type NasSuiteEntry, type NasModelMetadata, type SubnetEvent } from '../nas/study.js';

// robustart/metrics: Classification, OOD and ImageNet-subset metrics.
export { classificationMetrics, predictionsFromLogits, expectedCalibrationError, type ClassificationMetrics, type Prediction } from '../metrics/classification.js';
export { averagePrecision, areaUnderRoc } from '../metrics/ood.js';
export { subsetIndices, subsetWnids, imagenetClassWnids, restrictedAccuracy, imagenetODetection, type ImageNetSubset } from '../metrics/imagenet-subsets.js';

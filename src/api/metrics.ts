// robustart/metrics: Classification, OOD and ImageNet-subset metrics; rank correlations (Spearman, Kendall tau-b).
export { classificationMetrics, predictionsFromLogits, expectedCalibrationError, type ClassificationMetrics, type Prediction } from '../metrics/classification.js';
export { averagePrecision, areaUnderRoc } from '../metrics/ood.js';
export { subsetIndices, subsetWnids, imagenetClassWnids, restrictedAccuracy, imagenetODetection, type ImageNetSubset } from '../metrics/imagenet-subsets.js';
export { spearman, kendallTauB, averageRanks, type RankCorrelation } from '../metrics/rank-correlation.js';

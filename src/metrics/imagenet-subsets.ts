// ImageNet-A / -R / -O evaluation over 200-class subsets of ImageNet-1k (Hendrycks et al. 2021a, 2021b):
// the model's 1000 logits are restricted to the subset before argmax / softmax, as the reference scripts do
// (output[:, indices_in_1k]). Class lists: data/imagenet/ (see its README for sources).
import { existsSync, readFileSync } from 'node:fs';
import { imagenetWnids } from '../data/imagenet.js';
import { RobustartError } from '../errors.js';
import { packagePath } from '../util/paths.js';
import { averagePrecision, areaUnderRoc } from './ood.js';

export type ImageNetSubset = 'imagenet-a' | 'imagenet-o' | 'imagenet-r';

function readList(name: string): string[] {
  const path = packagePath(`data/imagenet/${name}`);
  if (!existsSync(path)) throw new RobustartError(`the class list data/imagenet/${name} is missing from the robustart install; reinstall robustart`);
  return readFileSync(path, 'utf8').split(/\s+/).filter((w) => /^n\d{8}$/.test(w));
}

/** The 1000 ImageNet wnids in class-index order (data/imagenet/wnids.txt). */
export function imagenetClassWnids(): readonly string[] {
  return imagenetWnids();
}

/** Wnids of a 200-class subset, in 1000-class index order (= the subset's own label order for sorted folders). */
export function subsetWnids(subset: ImageNetSubset): readonly string[] {
  return readList(`${subset}.txt`);
}

/** 1000-class indices of a subset's classes, in subset label order. */
export function subsetIndices(subset: ImageNetSubset): number[] {
  const position = new Map(imagenetClassWnids().map((w, i) => [w, i]));
  return subsetWnids(subset).map((w) => {
    const i = position.get(w);
    if (i === undefined) throw new RobustartError(`data/imagenet/${subset}.txt lists ${w}, not an ImageNet-1k class; restore the file from the repository`);
    return i;
  });
}

/** argmax over the subset's logits, as an index into the subset (0..199). */
export function restrictedPrediction(logits: ArrayLike<number>, indices: readonly number[], offset = 0): number {
  let best = 0;
  for (let k = 1; k < indices.length; k++) if (logits[offset + indices[k]] > logits[offset + indices[best]]) best = k;
  return best;
}

/** Maximum softmax probability over the subset's logits (the confidence the ImageNet-O anomaly score negates). */
export function restrictedMaxSoftmax(logits: ArrayLike<number>, indices: readonly number[], offset = 0): number {
  let max = -Infinity;
  for (const i of indices) max = Math.max(max, logits[offset + i]);
  let sum = 0;
  for (const i of indices) sum += Math.exp(logits[offset + i] - max);
  return 1 / sum;
}

/** Top-1 accuracy with logits restricted to the subset; labels are subset indices (0..199). */
export function restrictedAccuracy(logits: Float32Array, rows: number, classes: number, labels: ArrayLike<number>, indices: readonly number[]): number {
  let correct = 0;
  for (let r = 0; r < rows; r++) if (restrictedPrediction(logits, indices, r * classes) === labels[r]) correct++;
  return rows > 0 ? correct / rows : NaN;
}

/**
 * ImageNet-O: AUPR (and AUROC) of the anomaly score -max softmax over the subset, with the ImageNet-O images as
 * positives and ImageNet validation images of the same 200 classes as negatives.
 */
export function imagenetODetection(outOfDistributionConfidences: readonly number[], inDistributionConfidences: readonly number[]): { aupr: number; auroc: number } {
  const positives = outOfDistributionConfidences.map((c) => -c);
  const negatives = inDistributionConfidences.map((c) => -c);
  return { aupr: averagePrecision(positives, negatives), auroc: areaUnderRoc(positives, negatives) };
}

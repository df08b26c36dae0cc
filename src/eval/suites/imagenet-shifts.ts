// ImageNet-A, ImageNet-R (accuracy) and ImageNet-O (AUPR) over their 200-class subsets (spec metrics.md):
// the model's 1000 logits are restricted to the subset before argmax / softmax, as the reference scripts do.
// Folders are ImageFolder trees of wnid class folders. ImageNet-O's negatives are ImageNet validation images of the
// same 200 classes (the wnid folders of the validation tree that are in the ImageNet-O list).
//
// These run the classifier directly because the evaluation loop stores top-5 over all classes, from which the
// restricted argmax cannot be recovered.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toFloatImage, writeChw } from '../../data/image.js';
import { decodeImage, UndecodableImageError } from '../../data/decode.js';
import { resizeAndCrop, type PreprocessConfig } from '../../data/preprocess.js';
import { modelResizer } from '../../data/resize.js';
import { RobustartError } from '../../errors.js';
import { imagenetODetection, restrictedMaxSoftmax, restrictedPrediction, subsetIndices, subsetWnids, type ImageNetSubset } from '../../metrics/imagenet-subsets.js';
import { listImages } from '../../noise/natural/imagenet-c.js';

/** What the evaluators need of a classifier (OnnxClassifier has it). */
export interface LogitSource {
  readonly numClasses: number;
  logits(images: Float32Array, batch: number): Promise<Float32Array>;
}

export interface ShiftOptions {
  readonly classifier: LogitSource;
  readonly preprocess: PreprocessConfig;
  readonly batchSize?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

interface Item {
  readonly path: string;
  /** Index in the subset (0..199), or -1 where unknown (ImageNet-O positives). */
  readonly label: number;
}

/** Images of a wnid ImageFolder restricted to a subset's classes; other folders are an error unless `skipOthers`. */
async function subsetItems(dir: string, subset: ImageNetSubset, skipOthers: boolean, labelled: boolean): Promise<Item[]> {
  const wnids = subsetWnids(subset);
  const position = new Map(wnids.map((w, i) => [w, i]));
  const items: Item[] = [];
  for (const relative of await listImages(dir)) {
    const wnid = relative.split('/')[0];
    const label = position.get(wnid);
    if (label === undefined) {
      if (skipOthers) continue;
      throw new RobustartError(`${dir}/${wnid} is not one of the 200 ${subset} classes (data/imagenet/${subset}.txt); point at the ${subset} folder itself`);
    }
    items.push({ path: join(dir, ...relative.split('/')), label: labelled ? label : -1 });
  }
  if (items.length === 0) throw new RobustartError(`no ${subset} images under ${dir}; it should hold <wnid>/<image> folders of the ${subset} classes`);
  return items;
}

/** Restricted top-1 prediction and max softmax for every item, in batches through the model's preprocessing. */
async function predict(items: readonly Item[], indices: readonly number[], options: ShiftOptions): Promise<{ prediction: Int32Array; confidence: Float64Array; skipped: number }> {
  const { classifier, preprocess } = options;
  if (classifier.numClasses !== 1000) throw new RobustartError(`ImageNet-A/O/R need a 1000-class ImageNet model; this one predicts ${classifier.numClasses} classes`);
  const [c, h, w] = preprocess.input_size;
  const size = c * h * w;
  const batchSize = options.batchSize ?? 32;
  const resizer = modelResizer(preprocess.interpolation);
  const prediction = new Int32Array(items.length).fill(-1);
  const confidence = new Float64Array(items.length).fill(NaN);
  let skipped = 0;
  for (let start = 0; start < items.length; start += batchSize) {
    const batch = items.slice(start, start + batchSize);
    const images = await Promise.all(
      batch.map(async (item) => {
        try {
          const bytes = await readFile(item.path);
          return await resizeAndCrop(await decodeImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), item.path), preprocess, resizer);
        } catch (err) {
          if (err instanceof UndecodableImageError) return undefined;
          throw err;
        }
      }),
    );
    const usable = images.map((img, i) => (img ? i : -1)).filter((i) => i >= 0);
    skipped += batch.length - usable.length;
    if (usable.length > 0) {
      const tensor = new Float32Array(usable.length * size);
      usable.forEach((i, k) => writeChw(toFloatImage(images[i]!), tensor, k * size));
      const logits = await classifier.logits(tensor, usable.length);
      usable.forEach((i, k) => {
        prediction[start + i] = restrictedPrediction(logits, indices, k * 1000);
        confidence[start + i] = restrictedMaxSoftmax(logits, indices, k * 1000);
      });
    }
    options.onProgress?.(Math.min(start + batchSize, items.length), items.length);
  }
  return { prediction, confidence, skipped };
}

export interface SubsetAccuracy {
  readonly subset: ImageNetSubset;
  readonly accuracy: number;
  readonly count: number;
  readonly skipped: number;
}

/** ImageNet-A or ImageNet-R: top-1 accuracy over the 200 classes. */
export async function evaluateSubsetAccuracy(subset: 'imagenet-a' | 'imagenet-r', dir: string, options: ShiftOptions): Promise<SubsetAccuracy> {
  const items = await subsetItems(dir, subset, false, true);
  const { prediction, skipped } = await predict(items, subsetIndices(subset), options);
  let correct = 0;
  let count = 0;
  items.forEach((item, i) => {
    if (prediction[i] < 0) return;
    count++;
    if (prediction[i] === item.label) correct++;
  });
  return { subset, accuracy: count > 0 ? correct / count : NaN, count, skipped };
}

export interface OutOfDistributionResult {
  readonly aupr: number;
  readonly auroc: number;
  readonly outOfDistribution: number;
  readonly inDistribution: number;
  readonly skipped: number;
}

/** ImageNet-O: AUPR of -max softmax (200 classes), ImageNet-O images positive, same-class validation images negative. */
export async function evaluateImageNetO(oodDir: string, validationDir: string, options: ShiftOptions): Promise<OutOfDistributionResult> {
  const indices = subsetIndices('imagenet-o');
  const positives = await subsetItems(oodDir, 'imagenet-o', false, false);
  const negatives = await subsetItems(validationDir, 'imagenet-o', true, true);
  const out = await predict(positives, indices, options);
  const inside = await predict(negatives, indices, options);
  const finite = (values: Float64Array) => Array.from(values).filter((v) => Number.isFinite(v));
  const { aupr, auroc } = imagenetODetection(finite(out.confidence), finite(inside.confidence));
  return { aupr, auroc, outOfDistribution: finite(out.confidence).length, inDistribution: finite(inside.confidence).length, skipped: out.skipped + inside.skipped };
}

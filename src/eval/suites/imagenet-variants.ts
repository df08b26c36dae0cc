// ImageNet-A, -R (accuracy) and -O (AUPR) as suites (spec metrics.md "ImageNet-A / ImageNet-O"): the model's
// 1,000 logits are restricted to the variant's 200 classes before the softmax and ranking, as the reference
// scripts do (output[:, indices_in_1k]). Class lists: data/imagenet/ (see its README for the sources).
import { RobustartError } from '../../errors.js';
import { loadImageFolder, type Dataset } from '../../data/dataset.js';
import { subsetIndices, imagenetODetection, type ImageNetSubset } from '../../metrics/imagenet-subsets.js';
import type { Suite, SuiteContext } from '../suite.js';
import type { Condition } from '../condition.js';
import { z, lazyValue } from '../../util/native.js';
import { NO_OPTIONS } from '../../util/options.js';

function requireImageNetModel(context: SuiteContext, suite: string): void {
  if (context.model.metadata.num_classes !== 1000) {
    throw new RobustartError(`suite ${suite} needs an ImageNet-1k model (1000 classes); ${context.model.name} predicts ${context.model.metadata.num_classes}`);
  }
}

function subsetCondition(subset: ImageNetSubset): Condition {
  return { name: subset, meta: { kind: 'subset', subset }, classSubset: subsetIndices(subset) };
}

function accuracySuite(subset: 'imagenet-a' | 'imagenet-r', description: string): Suite {
  return {
    name: subset,
    description,
    options: NO_OPTIONS,
    conditions(context) {
      requireImageNetModel(context, subset);
      return [subsetCondition(subset)];
    },
    summarize: (perCondition) => ({ accuracy: perCondition.get(subset)?.top1 ?? null }),
  };
}

export const imagenetASuite = accuracySuite('imagenet-a', 'ImageNet-A (natural adversarial examples, 200 classes): top-1 over the 200-class subset; --data is the ImageNet-A folder');
export const imagenetRSuite = accuracySuite('imagenet-r', 'ImageNet-R (renditions, 200 classes): top-1 over the 200-class subset; --data is the ImageNet-R folder');

/** Sample-id prefixes that tell ImageNet-O's positives from the validation negatives in the merged dataset. */
export const OOD_PREFIX = 'ood/';
export const VAL_PREFIX = 'val/';

/**
 * ImageNet-O images (positives) plus ImageNet validation images of the same 200 classes (negatives, from the
 * `negatives` option), as one dataset.
 */
export function imagenetODataset(ood: Dataset, options: Record<string, unknown>): Dataset {
  const negatives = options.negatives;
  if (typeof negatives !== 'string' || negatives === '') {
    throw new RobustartError('suite imagenet-o needs the ImageNet validation folder for its negatives: set its option negatives to that folder (wnid class folders)');
  }
  const classes = new Set(subsetIndices('imagenet-o'));
  const val = loadImageFolder(negatives);
  const inClasses = val.samples.filter((s) => classes.has(s.label));
  if (inClasses.length === 0) throw new RobustartError(`negatives folder ${negatives} holds no images of ImageNet-O's 200 classes; pass the ImageNet validation folder (wnid class folders)`);
  const samples = [...ood.samples.map((s) => ({ ...s, id: OOD_PREFIX + s.id })), ...inClasses.map((s) => ({ ...s, id: VAL_PREFIX + s.id }))];
  return { kind: ood.kind, root: ood.root, classes: ood.classes, samples, fingerprint: `${ood.fingerprint}+${val.fingerprint}` };
}

/** ImageNet-O's options: the negatives' folder. */
export const imagenetOOptions = lazyValue(() =>
  z.object({
    negatives: z.string().min(1).optional().describe('ImageNet validation folder whose images of the 200 classes are the negatives'),
  }),
);

export const imagenetOSuite: Suite<typeof imagenetOOptions> = {
  name: 'imagenet-o',
  options: imagenetOOptions,
  description: 'ImageNet-O (out-of-distribution, 200 classes): AUPR of the anomaly score -max softmax, ImageNet-O positive against --negatives validation images',
  prepareDataset: imagenetODataset,
  conditions(context) {
    requireImageNetModel(context, 'imagenet-o');
    return [subsetCondition('imagenet-o')];
  },
  summarize(_perCondition, _context, records) {
    const ok = (records.get('imagenet-o') ?? []).filter((r) => r.status === 'ok' && r.confidence !== undefined);
    const positives = ok.filter((r) => r.sampleId.startsWith(OOD_PREFIX)).map((r) => r.confidence!);
    const negatives = ok.filter((r) => r.sampleId.startsWith(VAL_PREFIX)).map((r) => r.confidence!);
    const { aupr, auroc } = imagenetODetection(positives, negatives);
    return { aupr, auroc, out_of_distribution: positives.length, in_distribution: negatives.length };
  },
};

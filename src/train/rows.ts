// A training step's batch as the rows the loss head sees. The classifier trainer and the supernet
// trainer build their batches with these functions, so a technique means the same in both:
//   AugMix's consistency views   [clean; augmix₁; augmix₂], the views from (seed, 'augmix', epoch, sample)
//   adversarial rows             PGD-AT's [clean half; its examples] or all examples, TRADES' [clean; KL example]
//   targets                      smoothed labels, zero on rows that enter through the JS / KL term only
//   distillation                 the teacher's α·T²-scaled soft labels, the labels' weight 1 − α
//   head and mask feeds          the JS / KL partner rows and a dropout mask per row
import { tensor } from '../onnx/runtime.js';
import { hashString, rngFor, type Rng } from '../util/rng.js';
import type { ShapeMap } from '../onnx/shapes.js';
import { smoothedTargets, softmaxAtTemperature } from './targets.js';
import { otherViews, tradesPartners, OTHER_VIEWS_INPUTS, TEACHER_TARGETS_INPUT, INVERSE_TEMPERATURE_INPUT, TRADES_PARTNER_INPUT, TRADES_WEIGHT_INPUT } from './loss-head.js';
import { tradesExamples, type SoftTargetOracle } from './trades.js';
import { adversarialExamples } from './adversarial.js';
import type { DifferentiableClassifier } from '../model/differentiable.js';
import { augMix, type AugMixSettings } from './auto-augment.js';
import { dropoutMask, type DropoutMask } from './dropout.js';
import type { AdversarialTraining, Distillation } from './trainer.js';

export type Feeds = Record<string, ReturnType<typeof tensor>>;

export interface BatchRows {
  /** [0,1] pixels, NCHW, one row per entry of `labels`. */
  readonly pixels: Float32Array;
  readonly labels: readonly number[];
  /** The sample each row shows. */
  readonly rowSamples: readonly number[];
  /** Samples in the batch. */
  readonly samples: number;
  /** The rows after the first `samples` are other views of them that enter through the JS / KL term only. */
  readonly paired: boolean;
}

export interface ImageShape {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

/** A batch of clean rows, one per sample. */
export function sampleRows(pixels: Float32Array, samples: readonly number[], labels: readonly number[]): BatchRows {
  return { pixels, labels, rowSamples: samples, samples: samples.length, paired: false };
}

/** Rows the loss and the gradient are averaged over: the samples when views pair up, else every row. */
export function averagedRows(rows: BatchRows): number {
  return rows.paired ? rows.samples : rows.labels.length;
}

/** AugMix with its consistency loss: each sample as [clean; augmix₁; augmix₂] rows. */
export function augmixViews(rows: BatchRows, settings: AugMixSettings, seed: number, epoch: number, shape: ImageShape): BatchRows {
  const size = shape.channels * shape.height * shape.width;
  const samples = rows.samples;
  const views = new Float32Array(3 * samples * size);
  views.set(rows.pixels, 0);
  rows.rowSamples.forEach((sample, b) => {
    const rng = rngFor(seed, hashString('augmix'), epoch, sample);
    const clean = rows.pixels.subarray(b * size, (b + 1) * size);
    views.set(augMix(clean, shape, rng, settings), (samples + b) * size);
    views.set(augMix(clean, shape, rng, settings), (2 * samples + b) * size);
  });
  const thrice = <T>(xs: readonly T[]) => [...xs, ...xs, ...xs];
  return { pixels: views, labels: thrice(rows.labels), rowSamples: thrice(rows.rowSamples), samples, paired: true };
}

/**
 * Adversarial rows of a batch of clean rows against `model`: TRADES' [clean; KL example] (β resolved by
 * the loss head), or PGD-AT's examples of the first half next to that half ('clean-adversarial') or in place
 * of the batch ('adversarial'). Sample s starts from its own stream rngFor(attack.seed, s).
 */
export async function adversarialRows(model: DifferentiableClassifier & SoftTargetOracle, adversarial: AdversarialTraining, rows: BatchRows, attack: Rng): Promise<BatchRows> {
  const samples = rows.rowSamples;
  if (adversarial.mode === 'trades') {
    const examples = await tradesExamples(model, adversarial, rows.pixels, samples.map((key) => rngFor(attack.seed, key)));
    const both = new Float32Array(2 * rows.pixels.length);
    both.set(rows.pixels, 0);
    both.set(examples, rows.pixels.length);
    return { pixels: both, labels: [...rows.labels, ...rows.labels], rowSamples: [...samples, ...samples], samples: rows.samples, paired: true };
  }
  const size = rows.pixels.length / rows.labels.length;
  const half = adversarial.mode === 'clean-adversarial' ? Math.ceil(samples.length / 2) : samples.length;
  const attacked = rows.pixels.subarray(0, half * size);
  const examples = await adversarialExamples(model, adversarial, attacked, Int32Array.from(rows.labels.slice(0, half)), attack, samples.slice(0, half));
  if (adversarial.mode === 'adversarial') return { ...rows, pixels: examples };
  const both = new Float32Array(2 * half * size);
  both.set(attacked, 0);
  both.set(examples, half * size);
  const twice = <T>(xs: readonly T[]) => [...xs.slice(0, half), ...xs.slice(0, half)];
  return { pixels: both, labels: twice(rows.labels), rowSamples: twice(samples), samples: half, paired: false };
}

/** Zeroes (in place) the targets of rows that enter through the JS / KL term only; returns `targets`. */
export function zeroPairedRows(rows: BatchRows, targets: Float32Array, classes: number): Float32Array {
  if (rows.paired) targets.fill(0, rows.samples * classes);
  return targets;
}

/** Smoothed label targets, [rows, classes]; zero on rows that enter through the JS / KL term only. */
export function rowTargets(rows: BatchRows, classes: number, smoothing: number): Float32Array {
  return zeroPairedRows(rows, smoothedTargets(rows.labels, classes, smoothing), classes);
}

/**
 * Distillation from a teacher (Hinton et al. 2015): the teacher's soft labels at temperature T scaled by
 * α·T², and the label targets scaled by 1 − α in place, as the loss head expects them.
 */
export function teacherFeeds(teacherLogits: Float32Array, targets: Float32Array, classes: number, distillation: Pick<Distillation, 'temperature' | 'alpha'>): Feeds {
  const { temperature, alpha } = distillation;
  const soft = softmaxAtTemperature(teacherLogits, classes, temperature);
  const scale = alpha * temperature * temperature;
  for (let i = 0; i < soft.length; i++) soft[i] *= scale;
  for (let i = 0; i < targets.length; i++) targets[i] *= 1 - alpha;
  return { [TEACHER_TARGETS_INPUT]: tensor('float32', soft, [soft.length / classes, classes]), [INVERSE_TEMPERATURE_INPUT]: tensor('float32', Float32Array.of(1 / temperature), []) };
}

/** Feeds of the head's AugMix view rows and TRADES partner rows, for the terms the head was built with. */
export function pairFeeds(rows: BatchRows, classes: number, terms: { readonly consistency: boolean; readonly tradesBeta?: number }): Feeds {
  const n = rows.labels.length;
  const feeds: Feeds = {};
  if (terms.consistency) otherViews(rows.samples, classes).forEach((r, k) => (feeds[OTHER_VIEWS_INPUTS[k]] = tensor('int64', r, [n, classes])));
  if (terms.tradesBeta !== undefined) {
    const { partner, weight } = tradesPartners(rows.samples, classes, terms.tradesBeta);
    feeds[TRADES_PARTNER_INPUT] = tensor('int64', partner, [n, classes]);
    feeds[TRADES_WEIGHT_INPUT] = tensor('float32', weight, [n]);
  }
  return feeds;
}

/**
 * Dropout and drop-path masks for every row: row r is copy c of its sample (the clean, adversarial or
 * AugMix views of one sample are copies 0, 1, 2) and mask k of it comes from `stream(sample, c, k)` alone.
 */
export function dropoutFeeds(masks: readonly DropoutMask[], shapes: ShapeMap, rows: BatchRows, stream: (sample: number, copy: number, mask: number) => Rng): Feeds {
  const n = rows.labels.length;
  const copies = new Map<number, number>();
  const keys = rows.rowSamples.map((sample) => {
    const copy = copies.get(sample) ?? 0;
    copies.set(sample, copy + 1);
    return [sample, copy] as const;
  });
  const feeds: Feeds = {};
  masks.forEach((d, k) => {
    const dims = shapes.get(d.input)!.dims.map((v, i) => (i === 0 ? n : (v as number)));
    feeds[d.input] = tensor('float32', dropoutMask(keys.map(([sample, copy]) => stream(sample, copy, k)), d), dims);
  });
  return feeds;
}

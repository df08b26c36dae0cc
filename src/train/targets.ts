// Training targets as class distributions, so label smoothing, Mixup, CutMix and distillation share one
// soft-target cross-entropy: loss = −Σ_k q_k · log softmax(z)_k.
//   label smoothing (Szegedy et al. 2016; spec): true class 1 − ε + ε/K, others ε/K
//   Mixup (Zhang et al. 2018): x = λ·x_a + (1 − λ)·x_b, q = λ·q_a + (1 − λ)·q_b, λ ~ Beta(α, α)
//   CutMix (Yun et al. 2019): a box of x_b pasted into x_a, λ recomputed as 1 − box area / image area
// The partner of sample i is sample n − 1 − i (timm's Mixup pairs a batch with its flip).
import type { Rng } from '../util/rng.js';

/** N × K targets: 1 − ε + ε/K on the label, ε/K elsewhere (ε = 0: one-hot). */
export function smoothedTargets(labels: ArrayLike<number>, classes: number, smoothing: number): Float32Array {
  const out = new Float32Array(labels.length * classes).fill(smoothing / classes);
  for (let n = 0; n < labels.length; n++) out[n * classes + labels[n]] = 1 - smoothing + smoothing / classes;
  return out;
}

/** Gamma(shape, 1) by Marsaglia & Tsang (2000), with the u^(1/shape) boost for shape < 1. */
export function sampleGamma(rng: Rng, shape: number): number {
  if (shape < 1) return sampleGamma(rng, shape + 1) * Math.pow(rng.uniform(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.normal();
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = rng.uniform();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
export function sampleBeta(rng: Rng, a: number, b: number): number {
  const x = sampleGamma(rng, a);
  const y = sampleGamma(rng, b);
  return x / (x + y);
}

/** Mixes targets in place of a new array: q_i = λ·q_i + (1 − λ)·q_{n−1−i}. */
export function mixTargets(targets: Float32Array, batch: number, classes: number, lambda: number): Float32Array {
  const out = new Float32Array(targets.length);
  for (let n = 0; n < batch; n++) {
    const m = batch - 1 - n;
    for (let k = 0; k < classes; k++) out[n * classes + k] = lambda * targets[n * classes + k] + (1 - lambda) * targets[m * classes + k];
  }
  return out;
}

/** Mixup of a NCHW batch: x_i = λ·x_i + (1 − λ)·x_{n−1−i}. */
export function mixupImages(images: Float32Array, batch: number, lambda: number): Float32Array {
  const size = images.length / batch;
  const out = new Float32Array(images.length);
  for (let n = 0; n < batch; n++) {
    const a = n * size;
    const b = (batch - 1 - n) * size;
    for (let i = 0; i < size; i++) out[a + i] = lambda * images[a + i] + (1 - lambda) * images[b + i];
  }
  return out;
}

export interface CutMixBox {
  readonly y0: number;
  readonly y1: number;
  readonly x0: number;
  readonly x1: number;
}

/**
 * CutMix's box (timm rand_bbox): side ratio √(1 − λ), centre uniform over the image, clipped to it.
 */
export function cutMixBox(rng: Rng, height: number, width: number, lambda: number): CutMixBox {
  const ratio = Math.sqrt(1 - lambda);
  const cutH = Math.floor(height * ratio);
  const cutW = Math.floor(width * ratio);
  const cy = rng.int(height);
  const cx = rng.int(width);
  const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  return { y0: clip(cy - Math.floor(cutH / 2), height), y1: clip(cy + Math.floor(cutH / 2), height), x0: clip(cx - Math.floor(cutW / 2), width), x1: clip(cx + Math.floor(cutW / 2), width) };
}

/** Pastes the box of x_{n−1−i} into x_i; returns the images and λ = 1 − box area / image area. */
export function cutMixImages(images: Float32Array, batch: number, channels: number, height: number, width: number, box: CutMixBox): { images: Float32Array; lambda: number } {
  const out = images.slice();
  const plane = height * width;
  for (let n = 0; n < batch; n++) {
    const m = batch - 1 - n;
    for (let c = 0; c < channels; c++) {
      for (let y = box.y0; y < box.y1; y++) {
        const row = y * width;
        for (let x = box.x0; x < box.x1; x++) out[(n * channels + c) * plane + row + x] = images[(m * channels + c) * plane + row + x];
      }
    }
  }
  return { images: out, lambda: 1 - ((box.y1 - box.y0) * (box.x1 - box.x0)) / plane };
}

export interface MixSettings {
  /** Mixup's Beta α (0: off). */
  readonly mixupAlpha: number;
  /** CutMix's Beta α (0: off). */
  readonly cutmixAlpha: number;
  /** With both on: per batch, Mixup when u > switchProbability, else CutMix (spec). */
  readonly switchProbability: number;
}

/** Applies Mixup or CutMix to one batch (images NCHW, targets N × K); `rng` is the batch's stream. */
export function mixBatch(rng: Rng, settings: MixSettings, images: Float32Array, targets: Float32Array, shape: { batch: number; channels: number; height: number; width: number; classes: number }): { images: Float32Array; targets: Float32Array; lambda: number; kind: 'mixup' | 'cutmix' | 'none' } {
  const { mixupAlpha, cutmixAlpha } = settings;
  if (mixupAlpha <= 0 && cutmixAlpha <= 0) return { images, targets, lambda: 1, kind: 'none' };
  const useMixup = mixupAlpha > 0 && (cutmixAlpha <= 0 || rng.uniform() > settings.switchProbability);
  if (useMixup) {
    const lambda = sampleBeta(rng, mixupAlpha, mixupAlpha);
    return { images: mixupImages(images, shape.batch, lambda), targets: mixTargets(targets, shape.batch, shape.classes, lambda), lambda, kind: 'mixup' };
  }
  const box = cutMixBox(rng, shape.height, shape.width, sampleBeta(rng, cutmixAlpha, cutmixAlpha));
  const cut = cutMixImages(images, shape.batch, shape.channels, shape.height, shape.width, box);
  return { images: cut.images, targets: mixTargets(targets, shape.batch, shape.classes, cut.lambda), lambda: cut.lambda, kind: 'cutmix' };
}

/**
 * Distillation targets (Hinton et al. 2015): softmax(t / T), the teacher's distribution at temperature T.
 */
export function softmaxAtTemperature(logits: Float32Array, classes: number, temperature: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let o = 0; o < logits.length; o += classes) {
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, logits[o + k] / temperature);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += out[o + k] = Math.exp(logits[o + k] / temperature - max);
    for (let k = 0; k < classes; k++) out[o + k] /= sum;
  }
  return out;
}

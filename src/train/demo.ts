// The bundled demo model: a small CNN trained from scratch on Fashion-MNIST by robustart itself.
// Contract (src/cli/commands/demo.ts): input 'input' [N,3,32,32] normalised, output 'logits' [N,10],
// metadata in timm's pretrained_cfg names with JSON values.
import { writeFileSync } from 'node:fs';
import { buildSmallCnn } from '../model/builders/cnn.js';
import { buildResNet } from '../model/builders/resnet.js';
import { buildViT } from '../model/builders/vit.js';
import { buildMixer } from '../model/builders/mixer.js';
import type { Graph } from '../onnx/graph.js';
import { FASHION_MNIST_CLASSES } from '../data/idx.js';
import { writeModel } from '../onnx/proto.js';
import { loadFashionMnist, toBatch, type ImageSet } from './fashion-mnist.js';
import { trainClassifier, type TrainConfig, type TrainingData, type EpochRecord } from './trainer.js';

/** Architecture families the demo task can train (32×32 inputs, 10 classes). */
export const DEMO_ARCHITECTURES = ['cnn', 'resnet', 'vit', 'mixer'] as const;
export type DemoArchitecture = (typeof DEMO_ARCHITECTURES)[number];

export interface DemoTrainOptions {
  readonly out: string;
  /** cnn (the bundled demo model), or a small ResNet-14 / ViT / Mixer for 32×32 inputs. */
  readonly architecture?: DemoArchitecture;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly seed: number;
  readonly widths: readonly number[];
  readonly hidden: number;
  readonly threads?: number;
  /** Train on the first `limit` training images and test on the first `limit` test images (quick runs). */
  readonly limit?: number;
  readonly log?: (line: string) => void;
}

export const DEMO_DEFAULTS: Omit<DemoTrainOptions, 'out'> = {
  epochs: 15,
  batchSize: 128,
  learningRate: 0.05,
  momentum: 0.9,
  weightDecay: 5e-4,
  seed: 0,
  widths: [16, 32, 64],
  hidden: 128,
};

/** The model to train: `widths`/`hidden` shape the CNN; the others use small CIFAR-style configurations. */
export function demoArchitecture(options: DemoTrainOptions): { graph: Graph; family: 'CNN' | 'ViT' | 'MLP'; name: string } {
  const base = { inputSize: [3, 32, 32] as [number, number, number], numClasses: 10, seed: options.seed };
  switch (options.architecture ?? 'cnn') {
    case 'cnn':
      return { graph: buildSmallCnn({ ...base, widths: options.widths, hidden: options.hidden }), family: 'CNN', name: `small-cnn-${options.widths.join('-')}-fc${options.hidden}` };
    case 'resnet':
      return { graph: buildResNet({ ...base, block: 'basic', layers: [2, 2, 2], width: 16, stem: 'cifar' }), family: 'CNN', name: 'resnet-basic-2-2-2-w16' };
    case 'vit':
      return { graph: buildViT({ ...base, patchSize: 4, dim: 64, depth: 4, heads: 4, mlpRatio: 2 }), family: 'ViT', name: 'vit-p4-d64-l4-h4' };
    case 'mixer':
      return { graph: buildMixer({ ...base, patchSize: 4, dim: 64, depth: 4, tokenHidden: 32, channelHidden: 128 }), family: 'MLP', name: 'mixer-p4-d64-l4' };
  }
}

/** Per-channel mean and std of the pipeline's [0,1] pixels over a set (written to the metadata). */
export function channelStatistics(set: ImageSet): { mean: number[]; std: number[] } {
  const sum = [0, 0, 0];
  const sq = [0, 0, 0];
  for (let i = 0; i < set.pixels.length; i++) {
    const v = set.pixels[i] / 255;
    sum[i % 3] += v;
    sq[i % 3] += v * v;
  }
  const n = set.pixels.length / 3;
  const mean = sum.map((s) => s / n);
  return { mean: mean.map(round4), std: sq.map((s, c) => round4(Math.sqrt(s / n - mean[c] * mean[c]))) };
}

const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

function asTrainingData(set: ImageSet, mean: number[], std: number[], limit?: number): TrainingData {
  return {
    count: Math.min(set.count, limit ?? Infinity),
    label: (i) => set.labels[i],
    batch: (indices, flip) => toBatch(set, indices, mean, std, flip),
  };
}

export async function trainDemoModel(options: DemoTrainOptions): Promise<{ history: EpochRecord[]; seconds: number; testAccuracy: number }> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  log('preparing Fashion-MNIST through the demo pipeline (64x64 JPEG q90 -> resize 36 bicubic -> crop 32)');
  const trainSet = await loadFashionMnist('train', undefined, log, options.limit);
  const testSet = await loadFashionMnist('t10k', undefined, log, options.limit);
  const { mean, std } = channelStatistics(trainSet);
  log(`train pixels mean ${mean.join(', ')} std ${std.join(', ')}`);
  const { graph, family, name: architecture } = demoArchitecture(options);
  const config: TrainConfig = {
    epochs: options.epochs,
    batchSize: options.batchSize,
    sgd: { learningRate: options.learningRate, momentum: options.momentum, weightDecay: options.weightDecay },
    warmupEpochs: 1,
    seed: options.seed,
    flip: true,
    threads: options.threads,
    log,
  };
  const result = await trainClassifier(graph, asTrainingData(trainSet, mean, std, options.limit), asTrainingData(testSet, mean, std), config);
  const testAccuracy = result.history[result.history.length - 1].testAccuracy;
  result.graph.metadata = {
    input_size: JSON.stringify([3, 32, 32]),
    interpolation: JSON.stringify('bicubic'),
    crop_pct: JSON.stringify(0.875),
    mean: JSON.stringify(mean),
    std: JSON.stringify(std),
    num_classes: JSON.stringify(10),
    family: JSON.stringify(family),
    labels: JSON.stringify(FASHION_MNIST_CLASSES),
    architecture: JSON.stringify(architecture),
    training: JSON.stringify({
      trainer: 'robustart train (TypeScript, onnxruntime-node autodiff)',
      dataset: 'Fashion-MNIST train (60k) through the demo pipeline, random horizontal flips',
      epochs: options.epochs,
      batch_size: options.batchSize,
      optimizer: { sgd_momentum: options.momentum, lr: options.learningRate, weight_decay: options.weightDecay, schedule: 'cosine, 1 epoch linear warm-up' },
      seed: options.seed,
      test_top1: Math.round(testAccuracy * 1e4) / 1e4,
      wall_seconds: Math.round((Date.now() - started) / 1000),
    }),
  };
  writeModel(options.out, result.graph.toModel());
  writeFileSync(options.out.replace(/\.onnx$/, '') + '.training.json', JSON.stringify({ history: result.history, seconds: (Date.now() - started) / 1000 }, null, 2) + '\n');
  return { history: result.history, seconds: (Date.now() - started) / 1000, testAccuracy };
}

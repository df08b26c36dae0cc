// `npm run bench -- zoo-train`: training throughput (images/s, forward + backward + SGD step on
// 3×32×32 inputs, 10 classes, batch-statistics BatchNorm) of each zoo family's small preset, with
// the Fashion-MNIST demo CNN (src/train/demo.ts's default) as the baseline measured in the same run.
// The epoch time excludes graph preparation (shape discovery, gradient graph, sessions).
// Flags: --images N (per epoch, default 256), --batch N (default 64), --threads N (default 2),
//        --presets a,b (default: every small preset)
import { presetEntries, buildPreset } from '../model/zoo/index.js';
import { buildSmallCnn } from '../model/builders/cnn.js';
import { trainClassifier, type TrainingData } from '../train/trainer.js';
import type { Graph } from '../onnx/graph.js';
import { Rng } from '../util/rng.js';
import { flag, list } from './_timing.js';

function syntheticImages(count: number): TrainingData {
  const rng = new Rng(7);
  const size = 3 * 32 * 32;
  const pixels = Float32Array.from({ length: count * size }, () => rng.normal());
  return { count, label: (i) => i % 10, pixels: (indices) => Float32Array.from(Array.from(indices).flatMap((i) => Array.from(pixels.subarray(i * size, (i + 1) * size)))) };
}

async function throughput(graph: Graph, data: TrainingData, batchSize: number, threads: number): Promise<number> {
  const result = await trainClassifier(graph, data, syntheticImages(10), { epochs: 1, batchSize, seed: 1, threads, optimizer: { kind: 'sgd', momentum: 0.9, nesterov: false, weightDecay: 5e-4 }, schedule: { baseLr: 0.01, warmupLr: 0.01, minLr: 0.01, warmupEpochs: 0 }, normalization: { mean: [0, 0, 0], std: [1, 1, 1] } });
  return data.count / result.history[0].seconds;
}

export async function run(args: string[]): Promise<void> {
  const images = flag(args, 'images', 256);
  const batch = flag(args, 'batch', 64);
  const threads = flag(args, 'threads', 2);
  const names = list(args, 'presets', presetEntries().filter((e) => e.preset.small).map((e) => e.name));
  const data = syntheticImages(images);
  console.log(`zoo-train bench: ${images} images of 3×32×32 per epoch, batch ${batch}, ${threads} threads, onnxruntime CPU`);
  const baseline = await throughput(buildSmallCnn({ inputSize: [3, 32, 32], numClasses: 10, widths: [16, 32, 64], hidden: 128, seed: 0 }), data, batch, threads);
  console.log(`baseline small-cnn-16-32-64 (the demo CNN): ${baseline.toFixed(0)} img/s`);
  console.log('preset                 train img/s  vs baseline');
  for (const name of names) {
    const rate = await throughput(buildPreset(name, { seed: 0 }), data, batch, threads);
    console.log(`${name.padEnd(22)} ${rate.toFixed(0).padStart(11)}  ${(rate / baseline).toFixed(2).padStart(10)}×`);
  }
}

// Small search spaces and helpers for the NAS tests.
import { DataType } from '../onnx/proto.js';
import type { Graph } from '../onnx/graph.js';
import { Rng } from '../util/rng.js';
import { parseSpace, type SearchSpace } from '../nas/space.js';
import type { TrainingData } from '../train/trainer.js';

/** A residual space with every kind of dimension (two resolutions, kernel, width, depth, expand). */
export function tinyResNetSpace(): SearchSpace {
  return parseSpace({
    name: 'tiny-resnet',
    block: 'resnet',
    classes: 5,
    resolution: [12, 16],
    stem: { kernel: [3, 5, 7], width: [4, 6], stride: 1 },
    stages: [
      { width: [4, 6], depth: [1, 2], stride: 1, kernel: [3, 5], expand: [0.5, 1] },
      { width: [6, 8], depth: [1, 2, 3], stride: 2, kernel: [3], expand: [0.25, 0.75, 1] },
    ],
  });
}

/** An inverted-residual space (depthwise kernel masks, expansion relative to the block input). */
export function tinyMobileNetSpace(): SearchSpace {
  return parseSpace({
    name: 'tiny-mobilenet',
    block: 'mobilenet',
    classes: 4,
    resolution: [16],
    stem: { kernel: [3], width: [4, 6], stride: 2 },
    stages: [
      { width: [4, 6], depth: [1, 2, 3], stride: 1, kernel: [3, 5, 7], expand: [2, 3] },
      { width: [8, 10], depth: [2, 3], stride: 2, kernel: [3, 5], expand: [1, 2] },
    ],
  });
}

/** Gives every BN non-trivial affine parameters and running statistics, so slicing mistakes show. */
export function randomizeBatchNorms(graph: Graph, seed: number): void {
  const rng = new Rng(seed);
  for (const [name, t] of graph.initializers) {
    if (t.dataType !== DataType.FLOAT) continue;
    const fill = name.endsWith('running_var') ? () => rng.uniformIn(0.5, 2) : name.includes('bn') && /(weight|bias|running_mean)$/.test(name) ? () => rng.uniformIn(-0.5, 1.5) : undefined;
    if (fill) graph.initializers.set(name, { ...t, data: Float32Array.from(t.data as Float32Array, fill) });
  }
}

export function randomImages(count: number, channels: number, side: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: count * channels * side * side }, () => rng.uniform());
}

/** `count` NCHW images of `channels` × `side` × `side` (as randomImages draws them) as training data labelled by `label`. */
export function imagesAsData(pixels: Float32Array, count: number, channels: number, side: number, label: (index: number) => number): TrainingData {
  const plane = channels * side * side;
  return { count, label, pixels: (idx) => Float32Array.from({ length: idx.length * plane }, (_, k) => pixels[idx[Math.floor(k / plane)] * plane + (k % plane)]) };
}

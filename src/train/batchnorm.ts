// BatchNormalization in training mode, for training graphs: each inference-form BN node is rewritten
// to normalise with the batch's own mean and (biased) variance, written as standard ops so the VJP
// rules differentiate it, and the batch statistics are exposed so the trainer can update the running
// statistics as torch.nn.BatchNorm2d does (momentum 0.1, unbiased variance for the running estimate).
import { floatAttribute, makeNode } from '../onnx/build.js';
import type { Graph } from '../onnx/graph.js';
import type { ShapeMap } from '../onnx/shapes.js';

export interface BatchNormStatistics {
  readonly runningMean: string;
  readonly runningVar: string;
  /** Graph values holding this batch's per-channel mean and biased variance, shape [C]. */
  readonly batchMean: string;
  readonly batchVar: string;
  /** Spatial positions per channel and sample (H·W), to turn the batch size into the count. */
  readonly positionsPerSample: number;
}

/** torch.nn.BatchNorm2d's default momentum. */
export const BATCH_NORM_MOMENTUM = 0.1;

/** The running-statistics inputs of every BN node (not trained by gradient descent). */
export function runningStatistics(graph: Graph): Set<string> {
  const names = new Set<string>();
  for (const n of graph.nodes) if (n.opType === 'BatchNormalization') for (const i of [3, 4]) if (n.input?.[i]) names.add(n.input[i]);
  return names;
}

/** Rewrites every BN node of `graph` (in place) to training form, recording shapes of new values. */
export function batchNormToTraining(graph: Graph, shapes: ShapeMap): BatchNormStatistics[] {
  const stats: BatchNormStatistics[] = [];
  const nodes = [];
  for (const node of graph.nodes) {
    if (node.opType !== 'BatchNormalization') {
      nodes.push(node);
      continue;
    }
    const [x, scale, bias, runningMean, runningVar] = node.input!;
    const y = node.output![0];
    const xShape = shapes.get(x)!;
    const dims = xShape.dims;
    const channels = dims[1] as number;
    const perChannel = { dims: [channels], dataType: xShape.dataType };
    const batchMean = graph.freshName(`${y}_batch_mean_c`);
    const batchVar = graph.freshName(`${y}_batch_var_c`);
    shapes.set(batchMean, perChannel);
    shapes.set(batchVar, perChannel);
    // Momentum 0: the node's running-statistics outputs are this batch's mean and biased variance
    // (ONNX BatchNormalization, training_mode), which the trainer folds into the running estimates.
    nodes.push(makeNode('BatchNormalization', [x, scale, bias, runningMean, runningVar], [y, batchMean, batchVar], { epsilon: floatAttribute(node, 'epsilon', 1e-5), momentum: 0, training_mode: 1 }));
    const positions = dims.slice(2).reduce<number>((a, d) => a * (d as number), 1);
    stats.push({ runningMean, runningVar, batchMean, batchVar, positionsPerSample: positions });
  }
  graph.nodes = nodes;
  return stats;
}

/** running = (1 − m)·running + m·batch, with the batch variance made unbiased (n / (n − 1)), as torch. */
export function updateRunningStatistics(running: Float32Array, batch: ArrayLike<number>, count: number, isVariance: boolean, momentum = BATCH_NORM_MOMENTUM): void {
  const correction = isVariance && count > 1 ? count / (count - 1) : 1;
  for (let c = 0; c < running.length; c++) running[c] = (1 - momentum) * running[c] + momentum * batch[c] * correction;
}

/** Folds one batch's statistics into every BN node's running estimates; `rows` is the batch's row count. */
export function foldBatchStatistics(batchNorms: readonly BatchNormStatistics[], weights: ReadonlyMap<string, Float32Array>, out: Readonly<Record<string, { readonly data: unknown }>>, rows: number): void {
  for (const b of batchNorms) {
    const count = rows * b.positionsPerSample;
    updateRunningStatistics(weights.get(b.runningMean)!, out[b.batchMean].data as Float32Array, count, false);
    updateRunningStatistics(weights.get(b.runningVar)!, out[b.batchVar].data as Float32Array, count, true);
  }
}

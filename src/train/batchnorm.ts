// BatchNormalization in training mode, for training graphs: each inference-form BN node is rewritten
// to normalise with the batch's own mean and (biased) variance, written as standard ops so the VJP
// rules differentiate it, and the batch statistics are exposed so the trainer can update the running
// statistics as torch.nn.BatchNorm2d does (momentum 0.1, unbiased variance for the running estimate).
import { DataType } from '../onnx/proto.js';
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
    const rank = dims.length;
    const channels = dims[1] as number;
    const dataType = xShape.dataType;
    const reduced = { dims: dims.map((d, i) => (i === 1 ? d : 1)), dataType };
    const perChannel = { dims: [channels], dataType };
    const name = (hint: string, shape: { dims: (number | null)[]; dataType: number }) => {
      const n = graph.freshName(`${y}_${hint}`);
      shapes.set(n, shape);
      return n;
    };
    const constant = (hint: string, values: number[], type: number) => {
      const n = graph.freshName(`${y}_${hint}`);
      const data = type === DataType.INT64 ? BigInt64Array.from(values.map(BigInt)) : Float32Array.from(values);
      graph.initializers.set(n, { dims: type === DataType.INT64 ? [values.length] : [], dataType: type, data });
      shapes.set(n, { dims: type === DataType.INT64 ? [values.length] : [], dataType: type });
      return n;
    };
    const axes = constant('axes', [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)], DataType.INT64);
    const channelShape = constant('channel_shape', [1, channels, ...Array(rank - 2).fill(1)], DataType.INT64);
    const mean = name('batch_mean', reduced);
    const centered = name('centered', xShape);
    const squared = name('squared', xShape);
    const variance = name('batch_var', reduced);
    const shifted = name('var_eps', reduced);
    const std = name('std', reduced);
    const normalized = name('normalized', xShape);
    const gamma = name('gamma', reduced);
    const beta = name('beta', reduced);
    const scaled = name('scaled', xShape);
    const meanFlat = name('batch_mean_c', perChannel);
    const varFlat = name('batch_var_c', perChannel);
    const eps = constant('eps', [floatAttribute(node, 'epsilon', 1e-5)], DataType.FLOAT);
    nodes.push(
      makeNode('ReduceMean', [x, axes], [mean], { keepdims: 1 }),
      makeNode('Sub', [x, mean], [centered]),
      makeNode('Mul', [centered, centered], [squared]),
      makeNode('ReduceMean', [squared, axes], [variance], { keepdims: 1 }),
      makeNode('Add', [variance, eps], [shifted]),
      makeNode('Sqrt', [shifted], [std]),
      makeNode('Div', [centered, std], [normalized]),
      makeNode('Reshape', [scale, channelShape], [gamma]),
      makeNode('Reshape', [bias, channelShape], [beta]),
      makeNode('Mul', [normalized, gamma], [scaled]),
      makeNode('Add', [scaled, beta], [y]),
      makeNode('Flatten', [mean], [meanFlat], { axis: 0 }),
      makeNode('Flatten', [variance], [varFlat], { axis: 0 }),
    );
    // Flatten(axis 0) gives [1, C]; the trainer reads the C values either way.
    shapes.set(meanFlat, { dims: [1, channels], dataType });
    shapes.set(varFlat, { dims: [1, channels], dataType });
    const positions = dims.slice(2).reduce<number>((a, d) => a * (d as number), 1);
    stats.push({ runningMean, runningVar, batchMean: meanFlat, batchVar: varFlat, positionsPerSample: positions });
  }
  graph.nodes = nodes;
  return stats;
}

/** running = (1 − m)·running + m·batch, with the batch variance made unbiased (n / (n − 1)), as torch. */
export function updateRunningStatistics(running: Float32Array, batch: ArrayLike<number>, count: number, isVariance: boolean, momentum = BATCH_NORM_MOMENTUM): void {
  const correction = isVariance && count > 1 ? count / (count - 1) : 1;
  for (let c = 0; c < running.length; c++) running[c] = (1 - momentum) * running[c] + momentum * batch[c] * correction;
}

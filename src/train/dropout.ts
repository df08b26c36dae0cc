// Dropout in training graphs, with robustart's own seeded masks (onnxruntime's Dropout draws from its
// own generator, which would make runs irreproducible): every Dropout node of the graph, and optionally
// a dropout on the classifier's input features (timm's drop_rate), becomes Mul(x, mask) where the mask
// is a graph input fed each step with Bernoulli(1 − p) / (1 − p) (inverted dropout, torch.nn.Dropout).
// Drop-path (stochastic depth) is a Dropout over a per-sample [N, 1, …] tensor of ones in the zoo's
// graphs (GraphBuilder.dropPath), so the same rewrite gives it one mask element per sample.
// The backward pass is Mul's rule: dx = dy · mask.
import { DataType } from '../onnx/proto.js';
import { makeNode, makeValueInfo } from '../onnx/build.js';
import type { Graph } from '../onnx/graph.js';
import type { ShapeMap } from '../onnx/shapes.js';
import type { Rng } from '../util/rng.js';

export interface DropoutMask {
  /** Graph input fed with the mask, shaped like the dropped value with the batch first. */
  readonly input: string;
  readonly rate: number;
  /** Elements per sample. */
  readonly perSample: number;
}

/** Rewrites Dropout nodes (training form) and adds head dropout at `headRate` (0: none). */
export function dropoutToTraining(graph: Graph, shapes: ShapeMap, logits: string, headRate: number): DropoutMask[] {
  const masks: DropoutMask[] = [];
  const addMask = (x: string, rate: number): string => {
    const shape = shapes.get(x)!;
    const input = graph.freshName(`${x}_dropout_mask`);
    const dims = shape.dims.map((d, i) => (i === 0 ? 'N' : (d as number)));
    graph.inputs.push(makeValueInfo(input, dims, DataType.FLOAT));
    shapes.set(input, shape);
    masks.push({ input, rate, perSample: (shape.dims.slice(1) as number[]).reduce((a, d) => a * d, 1) });
    return input;
  };
  const nodes = [];
  for (const node of graph.nodes) {
    if (node.opType !== 'Dropout') {
      nodes.push(node);
      continue;
    }
    const [x, ratio] = node.input!;
    const r = ratio ? graph.initializers.get(ratio)?.data[0] : undefined;
    const rate = typeof r === 'number' ? r : 0.5;
    const y = node.output![0];
    if (rate > 0) nodes.push(makeNode('Mul', [x, addMask(x, rate)], [y]));
    else nodes.push(makeNode('Identity', [x], [y]));
  }
  graph.nodes = nodes;
  if (headRate > 0) {
    const producers = graph.producers();
    let head = producers.get(logits);
    while (head?.opType === 'Identity') head = producers.get(head.input![0]);
    if (head?.opType === 'Add') head = head.input!.map((i) => producers.get(i)).find((p) => p?.opType === 'MatMul' || p?.opType === 'Gemm');
    if (head && (head.opType === 'Gemm' || head.opType === 'MatMul')) {
      const features = head.input![0];
      const dropped = graph.freshName(`${features}_dropped`);
      shapes.set(dropped, shapes.get(features)!);
      const mul = makeNode('Mul', [features, addMask(features, headRate)], [dropped]);
      head.input = [dropped, ...head.input!.slice(1)];
      graph.nodes.splice(graph.nodes.indexOf(head), 0, mul);
    }
  }
  return masks;
}

/**
 * Inverted-dropout mask for a batch, row n drawn from `rows[n]` alone (so a sample's mask does not
 * depend on its batch or position): 0 with probability p, else 1 / (1 − p). A drop-path mask has one
 * element per sample, which drops or keeps the sample's whole residual branch.
 */
export function dropoutMask(rows: readonly Rng[], mask: DropoutMask): Float32Array {
  const keep = 1 - mask.rate;
  const out = new Float32Array(rows.length * mask.perSample);
  rows.forEach((rng, n) => {
    for (let i = n * mask.perSample; i < (n + 1) * mask.perSample; i++) out[i] = rng.uniform() < keep ? 1 / keep : 0;
  });
  return out;
}

// Parameter and MAC counts of a builder's graph, read from a shapes-only build (no weight values), so
// counting a 200M-parameter preset costs milliseconds. The conventions are torchvision's and fvcore's:
// parameters are trainable tensors (BatchNorm running statistics are buffers, not parameters); MACs
// count convolutions and matrix products (linear layers and attention), one per multiply-add.
import type { Graph } from '../../onnx/graph.js';
import { DataType } from '../../onnx/proto.js';
import { nodeMacs } from '../complexity.js';
import { staticShapes } from './static-shapes.js';

/** BatchNorm running mean/variance inputs: buffers, not parameters. */
function runningStatistics(graph: Graph): Set<string> {
  const names = new Set<string>();
  for (const n of graph.nodes) if (n.opType === 'BatchNormalization') for (const i of [3, 4]) if (n.input?.[i]) names.add(n.input[i]);
  return names;
}

/** Trainable parameters: float initializers of rank ≥ 1 that are not BN running statistics (0-d ones are op constants). */
export function parameterCount(graph: Graph): number {
  const buffers = runningStatistics(graph);
  let n = 0;
  for (const [name, t] of graph.initializers) {
    if (t.dataType !== DataType.FLOAT || t.dims.length === 0 || buffers.has(name)) continue;
    n += t.dims.reduce((a, b) => a * b, 1);
  }
  return n;
}

/** Multiply-accumulates for one image. */
export function macCount(graph: Graph): number {
  const shapes = staticShapes(graph);
  let total = 0;
  for (const node of graph.nodes) total += nodeMacs(node.opType ?? '', node.input ?? [], node.output ?? [], shapes);
  return total;
}

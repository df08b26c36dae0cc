// Multiply-accumulates per image, counted from the graph's shapes (what timm/fvcore tables call FLOPs).
import { Graph } from '../onnx/graph.js';
import { discoverShapes, type ShapeMap } from '../onnx/shapes.js';
import type { ModelProto } from '../onnx/proto.js';
import type { SessionOptions } from '../onnx/runtime.js';
import type { SetupProcessOptions } from '../onnx/setup-process.js';

const perImage = (dims: readonly (number | null)[]) => dims.reduce<number>((a, d) => a * (d ?? 1), 1);

/** MACs of one node given every value's shape (batch dims count as 1); ops without weights count 0. */
export function nodeMacs(opType: string, inputs: readonly string[], outputs: readonly string[], shapes: ShapeMap): number {
  // Per-image dims: a batch merged into another dim by a reshape still counts every head and token.
  const shape = (name: string) => shapes.get(name)?.perImage ?? shapes.get(name)?.dims;
  const out = shape(outputs[0]);
  if (!out) return 0;
  switch (opType) {
    case 'Conv': {
      const w = shape(inputs[1]);
      if (!w) return 0;
      // Each output element is a dot product over (C_in / groups) x kernel: w dims are [C_out, C_in/groups, k...].
      return perImage(out) * w.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1);
    }
    case 'ConvTranspose': {
      const x = shape(inputs[0]);
      const w = shape(inputs[1]);
      if (!x || !w) return 0;
      // Each input element scatters into (C_out / groups) x kernel outputs: w dims are [C_in, C_out/groups, k...].
      return perImage(x) * w.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1);
    }
    case 'Gemm':
    case 'MatMul': {
      const a = shape(inputs[0]);
      if (!a) return 0;
      const k = a[a.length - 1] ?? 1;
      return perImage(out) * k;
    }
    default:
      return 0;
  }
}

/**
 * Multiply-accumulates per image of `model`. Its shapes are discovered as gradient sessions discover them: a large
 * model's in a child process by default, so the memory the probe runs leave goes back to the system (right for a
 * process that runs on, a study); a caller that exits soon after (a one-shot command) saves the child's start (about
 * 1 s of CPU) with `setupProcessAboveBytes: Infinity`, which keeps the discovery in this process.
 */
export async function countMacs(model: ModelProto, options: SessionOptions & SetupProcessOptions = {}): Promise<number> {
  const graph = Graph.fromModel(model);
  const shapes = await discoverShapes(graph, options);
  let total = 0;
  for (const node of graph.nodes) {
    total += nodeMacs(node.opType ?? '', node.input ?? [], node.output ?? [], shapes);
  }
  return Math.round(total);
}

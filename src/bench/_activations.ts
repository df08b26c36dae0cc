// A rough count of the activation memory a forward+input-gradient step needs per image: the bytes of every forward
// value (an ancestor of the logits) that a backward or loss-head node reads, as discovery saw them for one image.
// What a step's RSS should grow by per image, give or take ORT's fusions and the backward's own temporaries.
import type { Graph } from '../onnx/graph.js';
import type { ShapeMap } from '../onnx/shapes.js';
import { DataType } from '../onnx/proto.js';

const BYTES: Partial<Record<number, number>> = { [DataType.DOUBLE]: 8, [DataType.INT64]: 8, [DataType.UINT8]: 1, [DataType.BOOL]: 1, [DataType.INT8]: 1 };

export function keptActivationBytesPerImage(gradientGraph: Graph, logitsName: string, shapes: ShapeMap): number {
  const producers = gradientGraph.producers();
  const forward = new Set<string>();
  const pending = [logitsName];
  while (pending.length > 0) {
    const value = pending.pop()!;
    if (forward.has(value) || !producers.has(value)) continue;
    forward.add(value);
    for (const i of producers.get(value)!.input ?? []) if (i) pending.push(i);
  }
  const kept = new Set<string>();
  for (const node of gradientGraph.nodes) {
    if ((node.output ?? []).some((o) => forward.has(o))) continue;
    for (const i of node.input ?? []) if (forward.has(i)) kept.add(i);
  }
  let bytes = 0;
  for (const value of kept) {
    const shape = shapes.get(value);
    if (!shape?.dims.includes(null)) continue; // weights and batch-independent values are not activations
    const dims = shape.perImage ?? shape.dims.map((d) => d ?? 1);
    bytes += dims.reduce((a, b) => a * b, 1) * (BYTES[shape.dataType] ?? 4);
  }
  return bytes;
}

// Opset handling: rewrites a graph from opset 11..17 to one canonical form (opset 18 or the model's own
// if newer) so autodiff rules see one signature per op. The changes undone here are those of the ONNX
// operator changelog (onnx/docs/Changelog.md): axes moved from attribute to input for Squeeze,
// Unsqueeze, ReduceSum (opset 13), Split's 'split' (13), the other Reduce* ops (18); Softmax,
// LogSoftmax and Hardmax coerced their input to 2-D before opset 13.
import type { NodeProto } from './proto.js';
import { attributeOf, intAttribute, intsAttribute, makeNode } from './build.js';
import type { Graph } from './graph.js';
import { RobustartError } from '../errors.js';

export const MIN_OPSET = 11;
/** Highest default-domain opset robustart has checked its rules against (onnxruntime 1.30 runs up to 23). */
export const MAX_OPSET = 21;
export const CANONICAL_OPSET = 18;

const REDUCE_OPS_18 = new Set(['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare']);

/** Rewrites `graph` in place to opset max(18, its own). */
export function canonicalizeOpset(graph: Graph): void {
  const from = graph.opset;
  if (from < MIN_OPSET) throw new RobustartError(`model uses ONNX opset ${from}; robustart needs opset ${MIN_OPSET} or newer: re-export with opset_version=17`);
  if (from > MAX_OPSET) throw new RobustartError(`model uses ONNX opset ${from}; robustart supports up to opset ${MAX_OPSET}: re-export with opset_version=17`);
  if (from >= CANONICAL_OPSET) return;
  const out: NodeProto[] = [];
  const axesConstant = (node: NodeProto, axes: number[]): string => graph.int64Constant(`${node.name || node.opType}_axes`, axes);
  const withoutAttribute = (node: NodeProto, attr: string): NodeProto => ({ ...node, attribute: (node.attribute ?? []).filter((a) => a.name !== attr) });
  for (const node of graph.nodes) {
    const op = node.opType ?? '';
    const domainDefault = !node.domain || node.domain === 'ai.onnx';
    if (!domainDefault) {
      out.push(node);
      continue;
    }
    if (from < 13 && (op === 'Squeeze' || op === 'Unsqueeze' || op === 'ReduceSum')) {
      const axes = intsAttribute(node, 'axes', undefined);
      const n = withoutAttribute(node, 'axes');
      if (axes) n.input = [node.input![0], axesConstant(node, axes)];
      out.push(n);
    } else if (from < 13 && op === 'Split') {
      const split = intsAttribute(node, 'split', undefined);
      const n = withoutAttribute(node, 'split');
      if (split) n.input = [node.input![0], axesConstant(node, split)];
      // Opset 18 wants an equal split spelled out as num_outputs.
      else n.attribute = [...(n.attribute ?? []), { name: 'num_outputs', type: 2, i: node.output!.length }];
      out.push(n);
    } else if (op === 'Split' && !attributeOf(node, 'num_outputs') && (node.input ?? []).filter(Boolean).length < 2) {
      out.push({ ...node, attribute: [...(node.attribute ?? []), { name: 'num_outputs', type: 2, i: node.output!.length }] });
    } else if (REDUCE_OPS_18.has(op)) {
      const axes = intsAttribute(node, 'axes', undefined);
      const n = withoutAttribute(node, 'axes');
      if (axes) n.input = [node.input![0], axesConstant(node, axes)];
      out.push(n);
    } else if (from < 13 && (op === 'Softmax' || op === 'LogSoftmax' || op === 'Hardmax')) {
      // Old semantics: flatten to [prod(dims[:axis]), prod(dims[axis:])], normalise rows, reshape back.
      const axis = intAttribute(node, 'axis', 1);
      const x = node.input![0];
      const shape = graph.freshName(`${x}_shape`);
      const flat = graph.freshName(`${x}_flat`);
      const normed = graph.freshName(`${x}_normed`);
      out.push(makeNode('Shape', [x], [shape]));
      out.push(makeNode('Flatten', [x], [flat], { axis }));
      out.push(makeNode(op, [flat], [normed], { axis: 1 }, node.name ?? undefined));
      out.push(makeNode('Reshape', [normed, shape], [node.output![0]]));
    } else {
      out.push(node);
    }
  }
  graph.nodes = out;
  graph.opset = CANONICAL_OPSET;
  graph.irVersion = Math.max(graph.irVersion, 8);
}

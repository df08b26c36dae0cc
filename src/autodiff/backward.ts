// Reverse-mode differentiation of an ONNX graph into the same graph: the backward nodes are appended
// after the forward ones and read forward intermediates directly, so one onnxruntime session computes
// both. Only nodes on a path from a requested source to a seeded value are differentiated.
import type { NodeProto } from '../onnx/proto.js';
import { DataType } from '../onnx/proto.js';
import type { Graph } from '../onnx/graph.js';
import type { ShapeMap } from '../onnx/shapes.js';
import { VjpContext } from './context.js';
import { vjpRuleFor, differentiableInputsOf, NON_DIFFERENTIABLE_OPS } from './registry.js';
import './rules/index.js';

export interface BackwardRequest {
  /** Values to differentiate with respect to: graph inputs or initializers. */
  readonly sources: readonly string[];
  /** Values whose gradient is given, with the name of the value holding that gradient. */
  readonly seeds: readonly { readonly value: string; readonly gradient: string }[];
  /**
   * The onnxruntime execution provider the graph will run on (default 'cpu'): picks provider-specific rules
   * where a provider lacks an op's form (registry.ts, registerProviderVjp).
   */
  readonly executionProvider?: string;
}

const FLOAT_TYPES: ReadonlySet<number> = new Set([DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16]);

/**
 * Appends the backward pass to `graph` (in place) and returns, for each source, the name of the
 * value holding d(seeds)/d(source). A source the seeds do not depend on gets zeros.
 */
export function appendBackward(graph: Graph, shapes: ShapeMap, request: BackwardRequest): Map<string, string> {
  const order = graph.topologicalOrder();
  const isFloat = (name: string) => FLOAT_TYPES.has(shapes.get(name)?.dataType ?? DataType.FLOAT);

  // Forward: values that depend differentiably on a source.
  const active = new Set<string>(request.sources);
  for (const node of order) {
    if (NON_DIFFERENTIABLE_OPS.has(node.opType ?? '')) continue;
    const inputs = node.input ?? [];
    const diff = differentiableInputsOf(node);
    if (diff.some((i) => inputs[i] && active.has(inputs[i]))) for (const o of node.output ?? []) if (o && isFloat(o)) active.add(o);
  }

  // Backward: active values the seeds depend on.
  const needed = new Set<string>();
  for (const s of request.seeds) if (active.has(s.value)) needed.add(s.value);
  const relevant: NodeProto[] = [];
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k];
    if (!(node.output ?? []).some((o) => o && needed.has(o))) continue;
    if (NON_DIFFERENTIABLE_OPS.has(node.opType ?? '')) continue;
    relevant.push(node);
    const inputs = node.input ?? [];
    for (const i of differentiableInputsOf(node)) if (inputs[i] && active.has(inputs[i])) needed.add(inputs[i]);
  }

  const ctx = new VjpContext(graph, shapes);
  const contributions = new Map<string, string[]>();
  const add = (value: string, grad: string) => {
    if (!shapes.has(grad)) shapes.set(grad, shapes.get(value)!);
    const list = contributions.get(value);
    if (list) list.push(grad);
    else contributions.set(value, [grad]);
  };
  const total = (value: string): string | undefined => {
    const list = contributions.get(value);
    if (!list || list.length === 0) return undefined;
    if (list.length === 1) return list[0];
    const sum = ctx.emit('Sum', list, {}, shapes.get(value));
    contributions.set(value, [sum]);
    return sum;
  };
  for (const s of request.seeds) if (needed.has(s.value)) add(s.value, s.gradient);

  for (const node of relevant) {
    const outputs = node.output ?? [];
    const dy = outputs.map((o) => (o && needed.has(o) ? total(o) : undefined));
    if (dy.every((g) => g === undefined)) continue;
    const inputs = node.input ?? [];
    const diff = new Set(differentiableInputsOf(node));
    const wanted = inputs.map((name, i) => Boolean(name) && diff.has(i) && needed.has(name));
    if (!wanted.some(Boolean)) continue;
    const rule = vjpRuleFor(node, request.executionProvider);
    const grads = rule.vjp(ctx, node, dy, wanted);
    grads.forEach((g, i) => {
      if (g && wanted[i]) add(inputs[i], g);
    });
  }

  const result = new Map<string, string>();
  for (const source of request.sources) result.set(source, total(source) ?? ctx.zerosLike(source));
  return result;
}

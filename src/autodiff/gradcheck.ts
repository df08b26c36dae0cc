// Finite-difference checking of VJP rules: builds a graph around one op (or a few), reduces its
// outputs to a scalar with fixed random weights, differentiates it with appendBackward, and compares
// <gradient, v> with a five-point central difference along random directions v.
// Tolerances: float64 (h = 1e-3): truncation ~h^4, rounding ~1e-13, so 1e-6 relative is strict;
// float32 (h = 5e-2, for ops onnxruntime's CPU provider runs only in float; the weighted sum that
// makes the scalar runs in float64): the op's own rounding ~6e-8*|y|/h dominates, so 1e-3 relative.
import type { NodeProto } from '../onnx/proto.js';
import { DataType } from '../onnx/proto.js';
import { Graph } from './../onnx/graph.js';
import { makeNode, makeValueInfo } from '../onnx/build.js';
import { discoverShapes } from '../onnx/shapes.js';
import { createSession, tensor } from '../onnx/runtime.js';
import { appendBackward } from './backward.js';
import { Rng } from '../util/rng.js';

export type FloatType = 'float64' | 'float32';

export const GRADCHECK_TOLERANCE: Record<FloatType, number> = { float64: 1e-6, float32: 1e-3 };
const STEP: Record<FloatType, number> = { float64: 1e-3, float32: 5e-2 };

export interface CheckInput {
  readonly name: string;
  readonly dims: number[];
  /** Differentiate with respect to this input (default true for float inputs). */
  readonly differentiable?: boolean;
  /** Value generator; default standard normal. */
  readonly sample?: (rng: Rng, index: number) => number;
}

export interface GradCheckCase {
  readonly nodes: NodeProto[];
  readonly inputs: CheckInput[];
  /** Constant inputs (axes, indices, shapes): name -> [dims, values, ONNX data type]. */
  readonly constants?: Record<string, { dims: number[]; values: number[]; dataType?: number }>;
  readonly outputs: string[];
  readonly dtype: FloatType;
  readonly opset?: number;
  readonly seed?: number;
  readonly directions?: number;
  /**
   * Build the backward graph as for this execution provider (default 'cpu'), so that a provider-specific rule
   * is checked too; the check itself always runs on CPU.
   */
  readonly executionProvider?: string;
}

export interface GradCheckResult {
  readonly maxRelativeError: number;
  readonly tolerance: number;
  readonly details: string[];
}

export async function gradCheck(c: GradCheckCase): Promise<GradCheckResult> {
  const rng = new Rng(c.seed ?? 1);
  const elem = c.dtype === 'float64' ? DataType.DOUBLE : DataType.FLOAT;
  const Arr = {
    from: (values: ArrayLike<number>): Float64Array | Float32Array => (c.dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values)),
  };
  const graph = new Graph({ opset: c.opset ?? 18, nodes: c.nodes.map((n) => ({ ...n })) });
  graph.inputs = c.inputs.map((i) => makeValueInfo(i.name, i.dims, elem));
  for (const [name, k] of Object.entries(c.constants ?? {})) {
    const dataType = k.dataType ?? DataType.INT64;
    const data =
      dataType === DataType.INT64 ? BigInt64Array.from(k.values.map(BigInt))
      : dataType === DataType.INT32 ? Int32Array.from(k.values)
      : dataType === DataType.BOOL ? Uint8Array.from(k.values)
      : dataType === DataType.DOUBLE ? Float64Array.from(k.values)
      : Float32Array.from(k.values);
    graph.initializers.set(name, { dims: k.dims, dataType, data });
  }
  // Weights that reduce every float output to a scalar.
  const forwardShapes = await discoverShapes(graph);
  const terms: string[] = [];
  for (const out of c.outputs) {
    const s = forwardShapes.get(out)!;
    const dims = s.dims.map((d) => d ?? 1);
    const n = dims.reduce((a, b) => a * b, 1);
    const w = `${out}_weight`;
    // The reduction runs in float64 either way, so float32 cases only carry the op's own rounding.
    graph.initializers.set(w, { dims, dataType: DataType.DOUBLE, data: Float64Array.from({ length: n }, () => rng.normal()) });
    const wide = elem === DataType.DOUBLE ? out : `${out}_wide`;
    if (wide !== out) graph.nodes.push(makeNode('Cast', [out], [wide], { to: DataType.DOUBLE }));
    graph.nodes.push(makeNode('Mul', [wide, w], [`${out}_weighted`]));
    graph.nodes.push(makeNode('ReduceSum', [`${out}_weighted`], [`${out}_total`], { keepdims: 0 }));
    terms.push(`${out}_total`);
  }
  graph.nodes.push(makeNode('Sum', terms, ['loss']));
  graph.initializers.set('loss_seed', { dims: [], dataType: DataType.DOUBLE, data: Float64Array.of(1) });
  const shapes = await discoverShapes(graph);
  const sources = c.inputs.filter((i) => i.differentiable !== false).map((i) => i.name);
  const grads = appendBackward(graph, shapes, { sources, seeds: [{ value: 'loss', gradient: 'loss_seed' }], executionProvider: c.executionProvider });
  graph.outputs = [{ name: 'loss' }, ...sources.map((s) => ({ name: grads.get(s)! }))];
  const session = await createSession(graph, {}, 'gradient check graph');

  const point = new Map(c.inputs.map((i) => [i.name, Arr.from(Array.from({ length: i.dims.reduce((a, b) => a * b, 1) }, (_, k) => (i.sample ? i.sample(rng, k) : rng.normal())))]));
  const run = async (values: Map<string, Float64Array | Float32Array>) => {
    const feeds = Object.fromEntries(c.inputs.map((i) => [i.name, tensor(c.dtype, values.get(i.name)!, i.dims)]));
    return session.run(feeds);
  };
  const base = await run(point);
  const h = STEP[c.dtype];
  let maxRelativeError = 0;
  const details: string[] = [];
  for (const source of sources) {
    const g = base[grads.get(source)!].data as Float64Array;
    for (let d = 0; d < (c.directions ?? 2); d++) {
      const v = Float64Array.from({ length: g.length }, () => rng.uniformIn(-1, 1));
      const at = async (t: number) => {
        const moved = new Map(point);
        const x = point.get(source)!;
        moved.set(source, Arr.from(Array.from(x, (xi, k) => xi + t * v[k])));
        return Number((await run(moved)).loss.data[0]);
      };
      const fd = (8 * ((await at(h)) - (await at(-h))) - ((await at(2 * h)) - (await at(-2 * h)))) / (12 * h);
      let analytic = 0;
      for (let k = 0; k < g.length; k++) analytic += g[k] * v[k];
      const scale = Math.max(Math.abs(fd), Math.abs(analytic), 1e-3);
      const rel = Math.abs(fd - analytic) / scale;
      details.push(`${source}: fd ${fd.toExponential(6)} analytic ${analytic.toExponential(6)} rel ${rel.toExponential(2)}`);
      maxRelativeError = Math.max(maxRelativeError, rel);
    }
  }
  await session.release();
  return { maxRelativeError, tolerance: GRADCHECK_TOLERANCE[c.dtype], details };
}

// Shape and dtype of every value in a graph, discovered by running onnxruntime at two batch sizes on the graph with,
// for every intermediate value, its Shape and its first few elements as outputs: a dim that changes with the batch is
// recorded as dynamic (null), so rules built from these shapes keep the batch dynamic. The values themselves are not
// outputs: ORT keeps graph outputs alive to the end of a run, so fetching them held every activation of the model at
// the probe batch at once (the peak memory of a large model's whole gradient set-up), and one run per probe suffices.
import type { Graph } from './graph.js';
import { dataTypeOfOrt, ortTypeOf, valueInfoDims } from './graph.js';
import { createSession, tensor, type SessionOptions } from './runtime.js';
import { DataType, type NodeProto } from './proto.js';
import { makeNode } from './build.js';
import { Rng } from '../util/rng.js';
import { RobustartError } from '../errors.js';
import { discoverShapesInChildProcess, setUpApart, type SetupProcessOptions } from './setup-process.js';

export interface ValueShape {
  /** Static dims; null where the dim scales with the batch. */
  readonly dims: (number | null)[];
  readonly dataType: number;
  /**
   * For small integer tensors (shapes, axes, offsets) whose value is the same at every probe batch
   * size: that value. Lets rules treat shape arithmetic an exporter left in the graph as constant.
   */
  readonly value?: number[];
  /**
   * Dims for one image: a dynamic dim that is a multiple of the batch (the batch merged with heads or tokens by a
   * reshape, as exported attention does) becomes that multiple. Absent when no dim is dynamic.
   */
  readonly perImage?: number[];
}

/** Integer tensors up to this many elements have their values recorded. */
const MAX_RECORDED_VALUES = 16;

export type ShapeMap = Map<string, ValueShape>;

/** The two probe batch sizes: distinct, neither 1 (a 1 could be mistaken for a broadcast dim). */
const PROBE_BATCHES = [2, 3] as const;

/** What one probe run saw of a value. */
interface Probed {
  readonly dims: readonly number[];
  readonly type: string;
  readonly value?: number[];
}

/** Name suffixes of a value's probe outputs: its shape, and its first MAX_RECORDED_VALUES elements (which give its dtype). */
const SHAPE_SUFFIX = '__probe_shape';
const HEAD_SUFFIX = '__probe_head';

/**
 * The graph with Shape(v) and Slice(Reshape(v, [-1]), 0, MAX_RECORDED_VALUES) of every value v as its outputs, the
 * probe nodes placed right after v's producer. Returns it with the probe output names per value.
 *
 * Every value's probes also feed a link (its shape and its head's length), and all links feed one final Concat, the
 * graph's only leaf. ORT runs a graph in the order of a depth-first walk back from its leaves that takes the
 * last-placed leaf, or input, first: with a leaf per probe, the last probe's walk ran the whole model before any
 * other probe, so every activation stayed alive to the end of the run (the peak of the whole gradient set-up). The
 * links are placed last to first, so the walk reaches the first value's link first, and each value is probed right
 * after it is computed and dies with its last consumer in the model.
 */
export function probeGraphOf(graph: Graph, wanted: ReadonlySet<string>): { probe: Graph; outputs: Map<string, { shape: string; head: string }> } {
  const probe = graph.clone();
  const flat = probe.int64Constant('probe_flat', [-1]), start = probe.int64Constant('probe_start', [0]), end = probe.int64Constant('probe_end', [MAX_RECORDED_VALUES]);
  const outputs = new Map<string, { shape: string; head: string }>();
  const links: NodeProto[] = [];
  probe.nodes = probe.nodes.flatMap((node) => {
    const probes: NodeProto[] = [];
    for (const v of node.output ?? []) {
      if (!v || !wanted.has(v) || outputs.has(v)) continue;
      const names = { shape: probe.freshName(v + SHAPE_SUFFIX), head: probe.freshName(v + HEAD_SUFFIX) };
      const flattened = probe.freshName(`${v}__probe_flat`), headLength = probe.freshName(`${v}__probe_head_length`), link = probe.freshName(`${v}__probe_link`);
      probes.push(
        makeNode('Shape', [v], [names.shape]),
        makeNode('Reshape', [v, flat], [flattened]),
        makeNode('Slice', [flattened, start, end], [names.head]),
        makeNode('Shape', [names.head], [headLength]),
      );
      outputs.set(v, names);
      links.push(makeNode('Concat', [names.shape, headLength], [link], { axis: 0 }));
    }
    return [node, ...probes];
  });
  probe.outputs = [...outputs.values()].flatMap((o) => [{ name: o.shape }, { name: o.head }]);
  if (links.length > 0) {
    const leaf = probe.freshName('probe_leaf');
    probe.nodes.push(...links.reverse(), makeNode('Concat', links.map((l) => l.output![0]), [leaf], { axis: 0 }));
    probe.outputs.push({ name: leaf });
  }
  return { probe, outputs };
}

/** Bytes of `graph`'s initializers. */
export function weightBytes(graph: Graph): number {
  let bytes = 0;
  for (const t of graph.initializers.values()) bytes += t.data.byteLength;
  return bytes;
}

/**
 * The shape and dtype of every value of `graph` (see the top of this file), found in this process or, for a graph
 * whose weights exceed `setupProcessAboveBytes`, in a child process that exits (the same shapes). `what` names the
 * model in errors.
 */
export async function discoverShapes(graph: Graph, options: SessionOptions & SetupProcessOptions = {}, what = 'the model'): Promise<ShapeMap> {
  if (setUpApart(weightBytes(graph), options)) return new Map(await discoverShapesInChildProcess(graph, options, what));
  return discoverShapesHere(graph, options);
}

/** discoverShapes in this process. */
export async function discoverShapesHere(graph: Graph, options: SessionOptions = {}): Promise<ShapeMap> {
  const shapes: ShapeMap = new Map();
  for (const [name, t] of graph.initializers) shapes.set(name, { dims: [...t.dims], dataType: t.dataType });
  const batchDynamic = graph.inputs.some((i) => valueInfoDims(i)[0] === null);
  const probes = batchDynamic ? PROBE_BATCHES : [PROBE_BATCHES[0]];
  const wanted: string[] = [];
  const seen = new Set<string>([...graph.initializers.keys(), ...graph.inputs.map((i) => i.name ?? '')]);
  for (const n of graph.nodes) for (const o of n.output ?? []) if (o && !seen.has(o)) (seen.add(o), wanted.push(o));
  const { probe, outputs } = probeGraphOf(graph, new Set(wanted));
  // Run once per probe batch: optimising the graph and packing its weights would cost memory the runs do not repay.
  const session = await createSession(probe, { ...options, reuseMemory: false }, 'model for shape discovery', { optimize: false, prepack: false });
  const results: Map<string, Probed>[] = [];
  for (const batch of probes) {
    const rng = new Rng(batch);
    const feeds: Record<string, ReturnType<typeof tensor>> = {};
    for (const input of graph.inputs) {
      const name = input.name ?? '';
      const dims = valueInfoDims(input).map((d, axis) => {
        if (d !== null) return d;
        if (axis === 0) return batch;
        throw new RobustartError(`model input '${name}' has a dynamic dim at axis ${axis}; robustart needs fixed sizes except the batch: re-export with fixed height/width`);
      });
      const count = dims.reduce((a, b) => a * b, 1);
      const elem = input.type?.tensorType?.elemType ?? DataType.FLOAT;
      const type = ortTypeOf(elem);
      let data: Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;
      if (type === 'float32') data = Float32Array.from({ length: count }, () => rng.uniform());
      else if (type === 'float64') data = Float64Array.from({ length: count }, () => rng.uniform());
      else if (type === 'int64') data = new BigInt64Array(count);
      else if (type === 'int32') data = new Int32Array(count);
      else data = new Uint8Array(count);
      feeds[name] = tensor(type as 'float32', data, dims);
      if (results.length === 0) shapes.set(name, { dims: valueInfoDims(input).map((d, axis) => (d === null && axis === 0 ? null : d)), dataType: elem });
    }
    const integer = new Set(['int64', 'int32']);
    const found = new Map<string, Probed>();
    const out = await session.run(feeds);
    for (const [name, o] of outputs) {
      const dims = Array.from(out[o.shape].data as BigInt64Array, Number);
      const head = out[o.head];
      const size = dims.reduce((a, b) => a * b, 1);
      found.set(name, { dims, type: head.type, ...(integer.has(head.type) && size <= MAX_RECORDED_VALUES ? { value: Array.from(head.data as ArrayLike<number | bigint>, Number) } : {}) });
    }
    for (const t of Object.values(out)) t.dispose();
    results.push(found);
  }
  await session.release();
  // Values are recorded only where they cannot depend on the pixel data: Shape/Size outputs and
  // what is computed from them and from initializers alone.
  const dataIndependent = new Set<string>(graph.initializers.keys());
  for (const node of graph.topologicalOrder()) {
    const op = node.opType ?? '';
    if (op === 'Shape' || op === 'Size' || op === 'Constant' || (node.input ?? []).every((i) => !i || dataIndependent.has(i))) {
      for (const o of node.output ?? []) if (o) dataIndependent.add(o);
    }
  }
  for (const name of wanted) {
    const first = results[0].get(name);
    if (!first) continue;
    const dims = first.dims.map((d, axis) => (results.every((r) => r.get(name)!.dims[axis] === d) ? d : null));
    const perImage = dims.includes(null) ? first.dims.map((d, axis) => (dims[axis] === null ? perImageDim(results.map((r, i) => [r.get(name)!.dims[axis], probes[i]] as const)) : d)) : undefined;
    const value = first.value && dataIndependent.has(name) && results.every((r) => r.get(name)!.value?.join(',') === first.value!.join(',')) ? first.value : undefined;
    shapes.set(name, { dims, dataType: dataTypeOfOrt(first.type), ...(value ? { value } : {}), ...(perImage ? { perImage } : {}) });
  }
  return shapes;
}

/** A dynamic dim seen as `dim` at each probe `batch`: dim / batch when that is the same whole number at every probe, else 1. */
function perImageDim(seen: readonly (readonly [dim: number, batch: number])[]): number {
  const ratio = seen[0][0] / seen[0][1];
  return Number.isInteger(ratio) && seen.every(([d, b]) => d === ratio * b) ? ratio : 1;
}

/** The shape of `name`, or an error naming it (a value discovery could not see). */
export function shapeOf(shapes: ShapeMap, name: string): ValueShape {
  const s = shapes.get(name);
  if (!s) throw new RobustartError(`no shape known for ONNX value '${name}'; is it produced by the graph?`);
  return s;
}

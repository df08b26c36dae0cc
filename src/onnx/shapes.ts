// Shape and dtype of every value in a graph, discovered by running onnxruntime with every intermediate's
// shape exposed as an output, at two batch sizes: a dim that changes with the batch is recorded as dynamic
// (null), so rules built from these shapes keep the batch dynamic.
import type { Graph } from './graph.js';
import { dataTypeOfOrt, ortTypeOf, valueInfoDims } from './graph.js';
import { createSession, tensor, type SessionOptions } from './runtime.js';
import { DataType } from './proto.js';
import { makeNode } from './build.js';
import { Rng } from '../util/rng.js';
import { RobustartError } from '../errors.js';

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

/**
 * The probe graph: `graph` with each wanted value's shape and its first MAX_RECORDED_VALUES elements as outputs, in
 * place of the value itself. Fetching whole values held every activation twice at the end of a run (ORT's output and
 * its JavaScript copy); these outputs are a few numbers each, so one forward run per probe batch fetches them all
 * with the memory of an ordinary forward pass.
 */
function probeGraph(graph: Graph, wanted: readonly string[]): { probe: Graph; outputs: Map<string, { shape: string; head: string }> } {
  const probe = graph.clone();
  const used = new Set<string>([...graph.initializers.keys(), ...graph.inputs.map((i) => i.name ?? ''), ...graph.nodes.flatMap((n) => n.output ?? [])]);
  let prefix = 'shape_probe';
  while ([...used].some((n) => n.startsWith(prefix))) prefix += '_';
  const int64 = (name: string, values: number[]) => probe.initializers.set(name, { dims: [values.length], dataType: DataType.INT64, data: BigInt64Array.from(values, BigInt) });
  const flat = `${prefix}_flat`;
  const starts = `${prefix}_starts`;
  const ends = `${prefix}_ends`;
  int64(flat, [-1]);
  int64(starts, [0]);
  int64(ends, [MAX_RECORDED_VALUES]);
  const outputs = new Map<string, { shape: string; head: string }>();
  wanted.forEach((name, i) => {
    const names = { shape: `${prefix}_${i}_shape`, flat: `${prefix}_${i}_flat`, head: `${prefix}_${i}_head` };
    probe.nodes.push(makeNode('Shape', [name], [names.shape]), makeNode('Reshape', [name, flat], [names.flat]), makeNode('Slice', [names.flat, starts, ends], [names.head]));
    outputs.set(name, { shape: names.shape, head: names.head });
  });
  probe.outputs = [...outputs.values()].flatMap((o) => [{ name: o.shape }, { name: o.head }]);
  return { probe, outputs };
}

export async function discoverShapes(graph: Graph, options: SessionOptions = {}): Promise<ShapeMap> {
  const shapes: ShapeMap = new Map();
  for (const [name, t] of graph.initializers) shapes.set(name, { dims: [...t.dims], dataType: t.dataType });
  const batchDynamic = graph.inputs.some((i) => valueInfoDims(i)[0] === null);
  const probes = batchDynamic ? PROBE_BATCHES : [PROBE_BATCHES[0]];
  const wanted: string[] = [];
  const seen = new Set<string>([...graph.initializers.keys(), ...graph.inputs.map((i) => i.name ?? '')]);
  for (const n of graph.nodes) for (const o of n.output ?? []) if (o && !seen.has(o)) (seen.add(o), wanted.push(o));
  const { probe, outputs } = probeGraph(graph, wanted);
  const session = await createSession(probe, { ...options, reuseMemory: false }, 'model for shape discovery');
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
    const out = await session.run(feeds);
    const integer = new Set(['int64', 'int32']);
    const found = new Map<string, Probed>();
    for (const [name, o] of outputs) {
      const shape = out[o.shape];
      const head = out[o.head];
      const dims = Array.from(shape.data as BigInt64Array, Number);
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

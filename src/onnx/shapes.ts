// Shape and dtype of every value in a graph, discovered by running onnxruntime with every intermediate
// exposed as an output, at two batch sizes: a dim that changes with the batch is recorded as dynamic
// (null), so rules built from these shapes keep the batch dynamic.
import type { Graph } from './graph.js';
import { dataTypeOfOrt, ortTypeOf, valueInfoDims } from './graph.js';
import { createSession, tensor, type SessionOptions } from './runtime.js';
import { DataType } from './proto.js';
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
  readonly size: number;
  readonly value?: number[];
}

/** Bytes of values fetched per run after the first probe (ResNet-50 at 224x224 has ~430 MiB of values at batch 3). */
const PROBE_CHUNK_BYTES = 128 * 2 ** 20;

const ELEMENT_BYTES: Record<string, number> = { float32: 4, int32: 4, float16: 2, bool: 1, uint8: 1, int8: 1 };

/** Runs the first probe is split into (its value sizes are not known before it). */
const FIRST_PROBE_CHUNKS = 4;

/** `names` in order, cut into `count` runs of about equal length (the last may be shorter or empty runs dropped). */
function chunkByCount(names: string[], count: number): string[][] {
  const length = Math.ceil(names.length / count);
  const chunks: string[][] = [];
  for (let i = 0; i < names.length; i += length) chunks.push(names.slice(i, i + length));
  return chunks.length > 0 ? chunks : [[]];
}

/** `names` in order, cut where the sizes seen at the first probe, times `scale`, pass PROBE_CHUNK_BYTES. */
function chunkByBytes(names: string[], first: Map<string, Probed>, scale: number): string[][] {
  const chunks: string[][] = [[]];
  let bytes = 0;
  for (const name of names) {
    const seen = first.get(name);
    const size = seen ? seen.size * (ELEMENT_BYTES[seen.type] ?? 8) * scale : 0;
    if (bytes + size > PROBE_CHUNK_BYTES && chunks[chunks.length - 1].length > 0) {
      chunks.push([]);
      bytes = 0;
    }
    chunks[chunks.length - 1].push(name);
    bytes += size;
  }
  return chunks;
}

export async function discoverShapes(graph: Graph, options: SessionOptions = {}): Promise<ShapeMap> {
  const shapes: ShapeMap = new Map();
  for (const [name, t] of graph.initializers) shapes.set(name, { dims: [...t.dims], dataType: t.dataType });
  const batchDynamic = graph.inputs.some((i) => valueInfoDims(i)[0] === null);
  const probes = batchDynamic ? PROBE_BATCHES : [PROBE_BATCHES[0]];
  const wanted: string[] = [];
  const seen = new Set<string>([...graph.initializers.keys(), ...graph.inputs.map((i) => i.name ?? '')]);
  for (const n of graph.nodes) for (const o of n.output ?? []) if (o && !seen.has(o)) (seen.add(o), wanted.push(o));
  const probeGraph = graph.clone();
  probeGraph.outputs = wanted.map((name) => ({ name }));
  const session = await createSession(probeGraph, { ...options, reuseMemory: false }, 'model for shape discovery');
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
    // Every value a run fetches is held twice at its end (ORT's output and its JavaScript copy), so the values are
    // fetched in chunks: FIRST_PROBE_CHUNKS at the first probe (sizes unknown yet), then about PROBE_CHUNK_BYTES
    // each (the first probe's sizes scaled by the batch). Each chunk is a forward run more; the probe session keeps
    // no arena, so a chunk's buffers are freed before the next.
    const chunks = results.length === 0 ? chunkByCount(wanted, FIRST_PROBE_CHUNKS) : chunkByBytes(wanted, results[0], batch / probes[0]);
    const integer = new Set(['int64', 'int32']);
    const found = new Map<string, Probed>();
    for (const chunk of chunks) {
      if (chunk.length === 0) continue;
      const out = await session.run(feeds, chunk);
      for (const [k, v] of Object.entries(out)) {
        found.set(k, { dims: v.dims, type: v.type, size: v.size, ...(integer.has(v.type) && v.size <= MAX_RECORDED_VALUES ? { value: Array.from(v.data as ArrayLike<number | bigint>, Number) } : {}) });
        v.dispose();
      }
    }
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

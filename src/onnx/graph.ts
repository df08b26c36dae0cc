// A typed, mutable view of an ONNX graph: nodes in order, initializers as typed arrays, and the
// producer/consumer maps and topological order that graph rewrites (autodiff, training) need.
import { type ModelProto, type NodeProto, type ValueInfoProto, type TensorProto, DataType, DataLocation, defaultOpset, metadataOf } from './proto.js';
import { tensorValues, dimsOf, makeTensor, type NumericArray } from './tensor.js';
import { RobustartError } from '../errors.js';

/** An initializer held as a typed array. */
export interface Tensor {
  readonly dims: number[];
  readonly dataType: number;
  readonly data: NumericArray;
}

export class Graph {
  name: string;
  nodes: NodeProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  valueInfo: ValueInfoProto[];
  initializers: Map<string, Tensor>;
  opset: number;
  irVersion: number;
  metadata: Record<string, string>;
  private counter = 0;

  constructor(init: { name?: string; nodes?: NodeProto[]; inputs?: ValueInfoProto[]; outputs?: ValueInfoProto[]; valueInfo?: ValueInfoProto[]; initializers?: Map<string, Tensor>; opset?: number; irVersion?: number; metadata?: Record<string, string> }) {
    this.name = init.name ?? 'graph';
    this.nodes = init.nodes ?? [];
    this.inputs = init.inputs ?? [];
    this.outputs = init.outputs ?? [];
    this.valueInfo = init.valueInfo ?? [];
    this.initializers = init.initializers ?? new Map();
    this.opset = init.opset ?? 18;
    this.irVersion = init.irVersion ?? 8;
    this.metadata = init.metadata ?? {};
  }

  static fromModel(model: ModelProto): Graph {
    const g = model.graph;
    if (!g) throw new RobustartError('ONNX model has no graph; export it with torch.onnx.export');
    for (const entry of model.opsetImport ?? []) {
      if (entry.domain && entry.domain !== 'ai.onnx' && (g.node ?? []).some((n) => n.domain === entry.domain)) {
        throw new RobustartError(`ONNX model uses operator domain '${entry.domain}', which robustart cannot differentiate; export with standard ONNX ops only`);
      }
    }
    const initializers = new Map<string, Tensor>();
    for (const t of g.initializer ?? []) {
      if (t.dataLocation === DataLocation.EXTERNAL) {
        throw new RobustartError(`ONNX initializer '${t.name}' is stored as external data; re-save the model as one file (onnx.save_model(m, path, save_as_external_data=False))`);
      }
    }
    for (const t of g.initializer ?? []) initializers.set(t.name ?? '', { dims: dimsOf(t), dataType: t.dataType ?? DataType.FLOAT, data: tensorValues(t) });
    const initNames = new Set(initializers.keys());
    for (const n of g.node ?? []) {
      for (const a of n.attribute ?? []) {
        for (const t of [a.t, ...(a.tensors ?? [])]) if (t?.rawData) t.rawData = ownBytes(t.rawData);
        if (a.s) a.s = ownBytes(a.s);
        if (a.strings) a.strings = a.strings.map(ownBytes);
      }
    }
    return new Graph({
      name: g.name ?? 'graph',
      nodes: (g.node ?? []).map((n) => ({ ...n, input: [...(n.input ?? [])], output: [...(n.output ?? [])], attribute: [...(n.attribute ?? [])] })),
      // Older exporters list initializers among the inputs too; they are not fed by the user.
      inputs: (g.input ?? []).filter((i) => !initNames.has(i.name ?? '')),
      outputs: [...(g.output ?? [])],
      valueInfo: [...(g.valueInfo ?? [])],
      initializers,
      opset: defaultOpset(model),
      irVersion: Number(model.irVersion ?? 8),
      metadata: metadataOf(model),
    });
  }

  toModel(): ModelProto {
    return {
      irVersion: Math.max(this.irVersion, 8),
      producerName: 'robustart',
      opsetImport: [{ domain: '', version: this.opset }],
      graph: {
        name: this.name,
        node: this.nodes,
        input: this.inputs,
        output: this.outputs,
        valueInfo: this.valueInfo,
        initializer: [...this.initializers].map(([name, t]) => makeTensor(name, t.dims, t.data, t.dataType)),
      },
      metadataProps: Object.entries(this.metadata).map(([key, value]) => ({ key, value })),
    };
  }

  clone(): Graph {
    return new Graph({
      name: this.name,
      nodes: this.nodes.map((n) => ({ ...n, input: [...(n.input ?? [])], output: [...(n.output ?? [])] })),
      inputs: [...this.inputs],
      outputs: [...this.outputs],
      valueInfo: [...this.valueInfo],
      initializers: new Map(this.initializers),
      opset: this.opset,
      irVersion: this.irVersion,
      metadata: { ...this.metadata },
    });
  }

  /** A value name not yet used anywhere in the graph. */
  freshName(hint: string): string {
    const used = this.valueNames();
    let name: string;
    do name = `${hint}__${this.counter++}`;
    while (used.has(name));
    used.add(name);
    return name;
  }

  /** A new 1-D int64 initializer holding `values`, named freshName(hint); returns its name. */
  int64Constant(hint: string, values: readonly number[]): string {
    const name = this.freshName(hint);
    this.initializers.set(name, { dims: [values.length], dataType: DataType.INT64, data: BigInt64Array.from(values.map(BigInt)) });
    return name;
  }

  // Names in use, collected once and then extended by freshName (rewrites name new values through it).
  private usedNames: Set<string> | undefined;
  private valueNames(): Set<string> {
    if (!this.usedNames) {
      const s = new Set<string>([...this.initializers.keys(), ...this.inputs.map((i) => i.name ?? '')]);
      for (const n of this.nodes) for (const o of n.output ?? []) s.add(o);
      this.usedNames = s;
    }
    return this.usedNames;
  }

  /** Map from value name to the node producing it. */
  producers(): Map<string, NodeProto> {
    const m = new Map<string, NodeProto>();
    for (const n of this.nodes) for (const o of n.output ?? []) if (o) m.set(o, n);
    return m;
  }

  /** Map from value name to the nodes reading it. */
  consumers(): Map<string, NodeProto[]> {
    const m = new Map<string, NodeProto[]>();
    for (const n of this.nodes) {
      for (const i of n.input ?? []) {
        if (!i) continue;
        const list = m.get(i);
        if (list) list.push(n);
        else m.set(i, [n]);
      }
    }
    return m;
  }

  /** Nodes sorted so every node comes after the producers of its inputs (Kahn's algorithm, stable). */
  topologicalOrder(): NodeProto[] {
    const producers = this.producers();
    const indexOf = new Map(this.nodes.map((n, i) => [n, i] as const));
    const pending = this.nodes.map((n) => new Set((n.input ?? []).filter((i) => i && producers.has(i)).map((i) => indexOf.get(producers.get(i)!)!)));
    const dependents: number[][] = this.nodes.map(() => []);
    pending.forEach((deps, i) => deps.forEach((d) => dependents[d].push(i)));
    const ready = pending.flatMap((d, i) => (d.size === 0 ? [i] : []));
    const order: NodeProto[] = [];
    while (ready.length > 0) {
      const i = ready.shift()!;
      order.push(this.nodes[i]);
      for (const j of dependents[i]) {
        pending[j].delete(i);
        if (pending[j].size === 0) ready.push(j);
      }
    }
    if (order.length !== this.nodes.length) throw new RobustartError(`ONNX graph ${this.name} has a cycle; it is not a valid model`);
    return order;
  }

  /** Sorts this.nodes in place into topological order. */
  sortNodes(): void {
    this.nodes = this.topologicalOrder();
  }

  /** Drops nodes and initializers that no graph output depends on. */
  pruneToOutputs(): void {
    const live = new Set(this.outputs.map((o) => o.name ?? ''));
    const kept: NodeProto[] = [];
    for (const node of [...this.topologicalOrder()].reverse()) {
      if (!(node.output ?? []).some((o) => o && live.has(o))) continue;
      kept.push(node);
      for (const i of node.input ?? []) if (i) live.add(i);
      // Subgraph attributes (If/Loop bodies) read outer values by name.
      for (const a of node.attribute ?? []) if (a.g) for (const n of a.g.node ?? []) for (const i of n.input ?? []) if (i) live.add(i);
    }
    this.nodes = kept.reverse();
    for (const name of [...this.initializers.keys()]) if (!live.has(name)) this.initializers.delete(name);
  }

  /** The graph input with this name, or undefined. */
  input(name: string): ValueInfoProto | undefined {
    return this.inputs.find((i) => i.name === name);
  }
}

/** Element type name of an ONNX data type, as onnxruntime-node names tensor types. */
export function ortTypeOf(dataType: number): 'float32' | 'float64' | 'int64' | 'int32' | 'bool' | 'uint8' | 'int8' {
  switch (dataType) {
    case DataType.FLOAT:
      return 'float32';
    case DataType.DOUBLE:
      return 'float64';
    case DataType.INT64:
      return 'int64';
    case DataType.INT32:
      return 'int32';
    case DataType.BOOL:
      return 'bool';
    case DataType.UINT8:
      return 'uint8';
    case DataType.INT8:
      return 'int8';
    default:
      throw new RobustartError(`ONNX data type ${dataType} is not supported by robustart; convert the model to float32`);
  }
}

export function dataTypeOfOrt(type: string): number {
  switch (type) {
    case 'float32':
      return DataType.FLOAT;
    case 'float64':
      return DataType.DOUBLE;
    case 'int64':
      return DataType.INT64;
    case 'int32':
      return DataType.INT32;
    case 'bool':
      return DataType.BOOL;
    case 'uint8':
      return DataType.UINT8;
    case 'int8':
      return DataType.INT8;
    case 'float16':
      return DataType.FLOAT16;
    default:
      return DataType.UNDEFINED;
  }
}

/** The static dims of a value info: numbers, or null where the dim is symbolic or unknown. */
export function valueInfoDims(info: ValueInfoProto): (number | null)[] {
  return (info.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimValue !== undefined && d.dimValue !== null && Number(d.dimValue) > 0 ? Number(d.dimValue) : null));
}

/**
 * Bytes in a buffer of their own. Decoded bytes fields are views into the model file's buffer, so one small attribute
 * (a Constant's tensor, a Pad's mode string) left as a view kept the whole file, every weight a second time, alive
 * as long as the graph.
 */
function ownBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}

// What a VJP rule may do: emit nodes into the graph being differentiated, read static shapes and
// dtypes, make constants, and undo broadcasting. Constants and runtime shapes are cached so the
// backward graph holds each once.
import type { NodeProto } from '../onnx/proto.js';
import { DataType } from '../onnx/proto.js';
import { attributeOf, makeNode, type AttributeValue } from '../onnx/build.js';
import type { Graph } from '../onnx/graph.js';
import { type ShapeMap, shapeOf } from '../onnx/shapes.js';
import { tensorValues } from '../onnx/tensor.js';
import { RobustartError } from '../errors.js';

export type Dims = (number | null)[];

export class VjpContext {
  private readonly constants = new Map<string, string>();
  private readonly runtimeShapes = new Map<string, string>();
  private readonly constantNodes: Map<string, NodeProto>;

  constructor(
    readonly graph: Graph,
    readonly shapes: ShapeMap,
  ) {
    this.constantNodes = new Map();
    for (const n of graph.nodes) if (n.opType === 'Constant' && n.output?.[0]) this.constantNodes.set(n.output[0], n);
  }

  /** Emits one node; returns its output names (fresh names derived from `hint`). */
  emitN(opType: string, inputs: string[], outputs: number, attributes: Record<string, AttributeValue> = {}, hint = opType): string[] {
    const names = Array.from({ length: outputs }, () => this.graph.freshName(`grad_${hint}`));
    this.graph.nodes.push(makeNode(opType, inputs, names, attributes, names[0]));
    return names;
  }

  /** Emits one single-output node and records the output's shape when the caller knows it. */
  emit(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, shape?: { dims: Dims; dataType: number }): string {
    const [out] = this.emitN(opType, inputs, 1, attributes);
    if (shape) this.shapes.set(out, shape);
    return out;
  }

  dims(name: string): Dims {
    return shapeOf(this.shapes, name).dims;
  }

  rank(name: string): number {
    return this.dims(name).length;
  }

  dataType(name: string): number {
    return shapeOf(this.shapes, name).dataType;
  }

  /** An int64 1-D constant (or 0-D when `scalar`), shared across rules. */
  int64(values: readonly number[], scalar = false): string {
    const key = `i64:${scalar ? 's' : 'v'}:${values.join(',')}`;
    let name = this.constants.get(key);
    if (!name) {
      name = this.graph.freshName('grad_const');
      this.graph.initializers.set(name, { dims: scalar ? [] : [values.length], dataType: DataType.INT64, data: BigInt64Array.from(values.map((v) => BigInt(v))) });
      this.shapes.set(name, { dims: scalar ? [] : [values.length], dataType: DataType.INT64 });
      this.constants.set(key, name);
    }
    return name;
  }

  /** A 0-D float constant of the dtype of `like`. */
  scalar(value: number, like: string): string {
    const dataType = this.dataType(like);
    const key = `f:${dataType}:${value}`;
    let name = this.constants.get(key);
    if (!name) {
      name = this.graph.freshName('grad_const');
      const data = dataType === DataType.DOUBLE ? Float64Array.of(value) : Float32Array.of(value);
      this.graph.initializers.set(name, { dims: [], dataType, data });
      this.shapes.set(name, { dims: [], dataType });
      this.constants.set(key, name);
    }
    return name;
  }

  /** A float tensor constant of the dtype of `like`. */
  floatTensor(values: ArrayLike<number>, dims: number[], like: string): string {
    const dataType = this.dataType(like);
    const name = this.graph.freshName('grad_const');
    const data = dataType === DataType.DOUBLE ? Float64Array.from(values) : Float32Array.from(values);
    this.graph.initializers.set(name, { dims, dataType, data });
    this.shapes.set(name, { dims, dataType });
    return name;
  }

  /** Shape(name) as a runtime int64 tensor (batch stays dynamic). */
  shapeOf(name: string): string {
    let s = this.runtimeShapes.get(name);
    if (!s) {
      s = this.emit('Shape', [name], {}, { dims: [this.rank(name)], dataType: DataType.INT64 });
      this.runtimeShapes.set(name, s);
    }
    return s;
  }

  /** A shape input for Reshape to `dims`: a constant when at most one dim is dynamic, else `runtimeFrom`'s shape. */
  reshapeTarget(dims: Dims, runtimeFrom?: string): string {
    const dynamic = dims.filter((d) => d === null).length;
    if (dynamic <= 1) return this.int64(dims.map((d) => (d === null ? -1 : d)));
    if (!runtimeFrom) throw new RobustartError(`internal: reshape to [${dims.join(',')}] needs a runtime shape`);
    return this.shapeOf(runtimeFrom);
  }

  reshape(x: string, dims: Dims, runtimeFrom?: string): string {
    return this.emit('Reshape', [x, this.reshapeTarget(dims, runtimeFrom)], {}, { dims, dataType: this.dataType(x) });
  }

  /** Zeros with the shape and dtype of `like`. */
  zerosLike(like: string): string {
    const dataType = this.dataType(like);
    const value = { name: 'value', dims: [1], dataType, rawData: new Uint8Array(dataType === DataType.DOUBLE ? 8 : 4) };
    return this.emit('ConstantOfShape', [this.shapeOf(like)], { value }, { dims: this.dims(like), dataType });
  }

  /**
   * Sums `grad` (shaped like the broadcast result `resultDims`) down to the shape of `target`,
   * undoing numpy-style broadcasting: leading axes and axes where target has size 1.
   */
  unbroadcast(grad: string, target: string): string {
    const gradDims = this.dims(grad);
    const targetDims = this.dims(target);
    const lead = gradDims.length - targetDims.length;
    const leading = Array.from({ length: lead }, (_, i) => i);
    const ones: number[] = [];
    targetDims.forEach((d, i) => {
      const g = gradDims[i + lead];
      if (d === 1 && g !== 1) ones.push(i + lead);
    });
    let out = grad;
    if (ones.length > 0) {
      const dims = gradDims.map((d, i) => (ones.includes(i) ? 1 : d));
      out = this.emit('ReduceSum', [out, this.int64(ones)], { keepdims: 1 }, { dims, dataType: this.dataType(grad) });
    }
    if (leading.length > 0) out = this.emit('ReduceSum', [out, this.int64(leading)], { keepdims: 0 }, { dims: targetDims, dataType: this.dataType(grad) });
    return out;
  }

  /** Values of a constant input (initializer or Constant node), or undefined when computed at runtime. */
  constantValues(name: string | undefined): number[] | undefined {
    if (!name) return undefined;
    const init = this.graph.initializers.get(name);
    if (init) return Array.from(init.data as ArrayLike<number | bigint>, Number);
    const node = this.constantNodes.get(name);
    if (node) {
      const t = attributeOf(node, 'value')?.t;
      if (t) return Array.from(tensorValues(t) as ArrayLike<number | bigint>, Number);
      const ints = attributeOf(node, 'value_ints')?.ints;
      if (ints) return ints.map(Number);
      const i = attributeOf(node, 'value_int')?.i;
      if (i !== undefined && i !== null) return [Number(i)];
      const f = attributeOf(node, 'value_float')?.f;
      if (f !== undefined && f !== null) return [Number(f)];
    }
    // Shape arithmetic that does not depend on the batch size, as shape discovery saw it.
    return this.shapes.get(name)?.value;
  }

  /** Like constantValues, but a clear error when the value is computed at runtime. */
  requireConstant(name: string, node: NodeProto, what: string): number[] {
    const v = this.constantValues(name);
    if (!v) throw new RobustartError(`cannot differentiate ${node.opType} node '${node.name || node.output?.[0]}': its ${what} input '${name}' is computed at runtime; robustart needs it constant (re-export with constant folding)`);
    return v;
  }

  /** Adds an output to a forward node (e.g. MaxPool's Indices) so the backward pass can reuse it. */
  ensureOutput(node: NodeProto, index: number, dims: Dims, dataType: number): string {
    const outs = node.output!;
    while (outs.length <= index) outs.push('');
    if (!outs[index]) {
      outs[index] = this.graph.freshName(`${node.output![0]}_out${index}`);
      this.shapes.set(outs[index], { dims, dataType });
    }
    return outs[index];
  }

  /** Gives `name` a recorded shape equal to `like`'s (for values a rule emits). */
  sameShape(name: string, like: string): string {
    this.shapes.set(name, shapeOf(this.shapes, like));
    return name;
  }

  fail(node: NodeProto, why: string): never {
    throw new RobustartError(`cannot differentiate ${node.opType} node '${node.name || node.output?.[0]}': ${why}`);
  }
}

/** Normalises a possibly negative axis. */
export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

// Small helpers for writing ONNX graphs by hand: nodes, attributes, value infos, models.
import { AttributeType, DataType, type AttributeProto, type NodeProto, type ValueInfoProto, type TensorProto, type GraphProto, type ModelProto } from './proto.js';

export type AttributeValue = number | string | number[] | string[] | TensorProto | { int: number } | { ints: number[] };

/** Numbers that are integers become INT attributes; use {int}/{ints} to force, or a float with a fraction for FLOAT. */
export function makeAttribute(name: string, value: AttributeValue, floatNames: ReadonlySet<string> = FLOAT_ATTRIBUTES): AttributeProto {
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    return floatNames.has(name) || !Number.isInteger(value) ? { name, type: AttributeType.FLOAT, f: value } : { name, type: AttributeType.INT, i: value };
  }
  if (Array.isArray(value)) {
    if (value.length > 0 && typeof value[0] === 'string') return { name, type: AttributeType.STRINGS, strings: (value as string[]).map((s) => new TextEncoder().encode(s)) };
    const nums = value as number[];
    return floatNames.has(name) || nums.some((v) => !Number.isInteger(v)) ? { name, type: AttributeType.FLOATS, floats: nums } : { name, type: AttributeType.INTS, ints: nums };
  }
  if ('int' in value) return { name, type: AttributeType.INT, i: value.int };
  if ('ints' in value) return { name, type: AttributeType.INTS, ints: value.ints };
  return { name, type: AttributeType.TENSOR, t: value };
}

/** Attribute names that ONNX defines as FLOAT even when their value is integral. */
export const FLOAT_ATTRIBUTES: ReadonlySet<string> = new Set(['alpha', 'beta', 'gamma', 'epsilon', 'momentum', 'bias', 'lambd', 'value_float', 'min', 'max', 'ratio', 'scale', 'value_floats']);

export function makeNode(opType: string, inputs: string[], outputs: string[], attributes: Record<string, AttributeValue> = {}, name?: string, domain?: string): NodeProto {
  return {
    opType,
    input: inputs,
    output: outputs,
    name: name ?? `${opType}_${outputs[0]}`,
    attribute: Object.entries(attributes).map(([k, v]) => makeAttribute(k, v)),
    ...(domain ? { domain } : {}),
  };
}

export function makeValueInfo(name: string, shape: readonly (number | string)[], elemType: number = DataType.FLOAT): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export function makeModel(graph: GraphProto, opset = 17, metadata: Record<string, string> = {}): ModelProto {
  return {
    irVersion: 8,
    producerName: 'robustart',
    opsetImport: [{ domain: '', version: opset }],
    graph,
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  };
}

/** Reads an attribute's value by name, or undefined. */
export function attributeOf(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name);
}

export function intAttribute(node: NodeProto, name: string, fallback: number): number {
  const a = attributeOf(node, name);
  return a?.i !== undefined && a.i !== null ? Number(a.i) : fallback;
}

export function intsAttribute(node: NodeProto, name: string, fallback: number[] | undefined): number[] | undefined {
  const a = attributeOf(node, name);
  return a?.ints && a.ints.length > 0 ? a.ints.map((v) => Number(v)) : fallback;
}

export function floatAttribute(node: NodeProto, name: string, fallback: number): number {
  const a = attributeOf(node, name);
  return a?.f !== undefined && a.f !== null ? Number(a.f) : fallback;
}

export function stringAttribute(node: NodeProto, name: string, fallback: string): string {
  const a = attributeOf(node, name);
  return a?.s && a.s.length > 0 ? new TextDecoder().decode(a.s) : fallback;
}

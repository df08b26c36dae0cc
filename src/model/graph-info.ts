// Facts read straight off an ONNX graph: its real inputs/outputs, their shapes, parameter count.
import type { ModelProto, ValueInfoProto } from '../onnx/proto.js';
import { DataType } from '../onnx/proto.js';
import { dimsOf, elementCount } from '../onnx/tensor.js';

export interface ValueShape {
  readonly name: string;
  readonly elemType: number;
  /** Fixed sizes as numbers, symbolic or unknown dimensions as null. */
  readonly shape: (number | null)[];
}

function shapeOf(info: ValueInfoProto): ValueShape {
  const tensorType = info.type?.tensorType;
  const dims = tensorType?.shape?.dim ?? [];
  return {
    name: info.name ?? '',
    elemType: tensorType?.elemType ?? DataType.UNDEFINED,
    shape: dims.map((d) => (d.dimValue !== undefined && d.dimValue !== null && Number(d.dimValue) > 0 ? Number(d.dimValue) : null)),
  };
}

/** Graph inputs that are fed at run time (older exporters also list initializers as inputs). */
export function runtimeInputs(model: ModelProto): ValueShape[] {
  const initializers = new Set((model.graph?.initializer ?? []).map((t) => t.name));
  return (model.graph?.input ?? []).filter((i) => !initializers.has(i.name ?? '')).map(shapeOf);
}

export function graphOutputs(model: ModelProto): ValueShape[] {
  return (model.graph?.output ?? []).map(shapeOf);
}

const FLOAT_TYPES = new Set<number>([DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, DataType.BFLOAT16]);

/** Number of learned parameters: elements of floating-point initializers (as timm's param count). */
export function parameterCount(model: ModelProto): number {
  let total = 0;
  for (const t of model.graph?.initializer ?? []) {
    if (FLOAT_TYPES.has(t.dataType ?? 0)) total += elementCount(dimsOf(t));
  }
  return total;
}

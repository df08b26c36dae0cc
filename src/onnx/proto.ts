// ONNX models as plain objects: reading and writing them through robustart's own wire codec
// (src/onnx/wire.ts with the field table in schema.ts). Fields the table does not name (a newer IR's)
// are kept and written back unchanged.
import { readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { RobustartError } from '../errors.js';
import { decodeMessage, encodeMessage, type Int64 } from './wire.js';
import { MODEL } from './schema.js';

export { DataType, AttributeType, DataLocation } from './schema.js';
export type { Int64 } from './wire.js';

export interface StringStringEntryProto {
  key?: string;
  value?: string;
}

export interface OperatorSetIdProto {
  domain?: string;
  version?: Int64;
}

export interface TensorShapeDimension {
  dimValue?: Int64;
  dimParam?: string;
  denotation?: string;
}

export interface TensorShapeProto {
  dim?: TensorShapeDimension[];
}

export interface TypeProto {
  tensorType?: { elemType?: number; shape?: TensorShapeProto };
  sequenceType?: { elemType?: TypeProto };
  mapType?: { keyType?: number; valueType?: TypeProto };
  optionalType?: { elemType?: TypeProto };
  sparseTensorType?: { elemType?: number; shape?: TensorShapeProto };
  denotation?: string;
}

export interface TensorProto {
  dims?: Int64[];
  dataType?: number;
  segment?: { begin?: Int64; end?: Int64 };
  floatData?: number[];
  int32Data?: number[];
  stringData?: Uint8Array[];
  int64Data?: Int64[];
  name?: string;
  rawData?: Uint8Array;
  doubleData?: number[];
  uint64Data?: Int64[];
  docString?: string;
  externalData?: StringStringEntryProto[];
  dataLocation?: number;
  metadataProps?: StringStringEntryProto[];
}

export interface SparseTensorProto {
  values?: TensorProto;
  indices?: TensorProto;
  dims?: Int64[];
}

export interface ValueInfoProto {
  name?: string;
  type?: TypeProto;
  docString?: string;
  metadataProps?: StringStringEntryProto[];
}

export interface AttributeProto {
  name?: string;
  refAttrName?: string;
  docString?: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  sparseTensor?: SparseTensorProto;
  tp?: TypeProto;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
  tensors?: TensorProto[];
  graphs?: GraphProto[];
  sparseTensors?: SparseTensorProto[];
  typeProtos?: TypeProto[];
}

export interface NodeProto {
  input?: string[];
  output?: string[];
  name?: string;
  opType?: string;
  domain?: string;
  overload?: string;
  attribute?: AttributeProto[];
  docString?: string;
  metadataProps?: StringStringEntryProto[];
}

export interface TensorAnnotation {
  tensorName?: string;
  quantParameterTensorNames?: StringStringEntryProto[];
}

export interface GraphProto {
  node?: NodeProto[];
  name?: string;
  initializer?: TensorProto[];
  sparseInitializer?: SparseTensorProto[];
  docString?: string;
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  valueInfo?: ValueInfoProto[];
  quantizationAnnotation?: TensorAnnotation[];
  metadataProps?: StringStringEntryProto[];
}

export interface FunctionProto {
  name?: string;
  input?: string[];
  output?: string[];
  attribute?: string[];
  attributeProto?: AttributeProto[];
  node?: NodeProto[];
  docString?: string;
  opsetImport?: OperatorSetIdProto[];
  domain?: string;
  overload?: string;
  valueInfo?: ValueInfoProto[];
  metadataProps?: StringStringEntryProto[];
}

export interface TrainingInfoProto {
  initialization?: GraphProto;
  algorithm?: GraphProto;
  initializationBinding?: StringStringEntryProto[];
  updateBinding?: StringStringEntryProto[];
}

export interface ModelProto {
  irVersion?: Int64;
  opsetImport?: OperatorSetIdProto[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: Int64;
  docString?: string;
  graph?: GraphProto;
  metadataProps?: StringStringEntryProto[];
  trainingInfo?: TrainingInfoProto[];
  functions?: FunctionProto[];
}

/** Decodes ONNX bytes; `source` names the file in the error a user sees. */
export function decodeModel(bytes: Uint8Array, source = 'model'): ModelProto {
  let model: ModelProto;
  try {
    model = decodeMessage<ModelProto>(bytes, MODEL);
  } catch (err) {
    throw new RobustartError(`${source} is not an ONNX model (protobuf decode failed: ${(err as Error).message}); export it with torch.onnx.export or tf2onnx`);
  }
  if (!model.graph || !model.graph.node || model.graph.node.length === 0) {
    throw new RobustartError(`${source} is not an ONNX model (it has no graph nodes); export it with torch.onnx.export or tf2onnx`);
  }
  return model;
}

export function readModel(path: string): ModelProto {
  if (!existsSync(path)) throw new RobustartError(`ONNX file not found: ${path}; check the path`);
  if (statSync(path).isDirectory()) throw new RobustartError(`model path is a directory: ${path}; pass the .onnx file inside it`);
  return decodeModel(readFileSync(path), path);
}

/** ONNX bytes of `model`; a decoded model's fields keep their order, and fields this codec does not know are written back as read. */
export function encodeModel(model: ModelProto): Uint8Array {
  return encodeMessage(model, MODEL);
}

/** A deep copy of `model` that shares nothing mutable with it (the same bytes when encoded). */
export function cloneModel(model: ModelProto): ModelProto {
  return decodeMessage<ModelProto>(encodeModel(model), MODEL);
}

export function writeModel(path: string, model: ModelProto): void {
  writeFileSync(path, encodeModel(model));
}

/** The opset version of the default ('' or 'ai.onnx') domain. */
export function defaultOpset(model: ModelProto): number {
  for (const entry of model.opsetImport ?? []) {
    if (!entry.domain || entry.domain === 'ai.onnx') return Number(entry.version);
  }
  return 1;
}

export function metadataOf(model: ModelProto): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of model.metadataProps ?? []) if (p.key) out[p.key] = p.value ?? '';
  return out;
}

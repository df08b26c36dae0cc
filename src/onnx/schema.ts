// The ONNX IR messages robustart reads and writes, as field-number tables for the wire codec.
// Field numbers, types and packing are the ONNX IR's (onnx.proto, syntax proto2; IR version 10 adds
// NodeProto.overload 8 and metadata_props on nodes 9, graphs 16, value infos 4, tensors 16 and functions 14).
// Messages and fields left out here (device configurations, sharding specs, …) survive a
// decode/encode as unknown fields, byte for byte.
import { field, type MessageSchema } from './wire.js';

const message = (name: string, fields: MessageSchema['fields']): MessageSchema => ({ name, fields });

export const STRING_STRING_ENTRY: MessageSchema = message('StringStringEntryProto', {
  key: field(1, 'string'),
  value: field(2, 'string'),
});

export const OPERATOR_SET_ID: MessageSchema = message('OperatorSetIdProto', {
  domain: field(1, 'string'),
  version: field(2, 'int64'),
});

export const DIMENSION: MessageSchema = message('TensorShapeProto.Dimension', {
  dimValue: field(1, 'int64'),
  dimParam: field(2, 'string'),
  denotation: field(3, 'string'),
});

export const TENSOR_SHAPE: MessageSchema = message('TensorShapeProto', {
  dim: field(1, () => DIMENSION, 'repeated'),
});

export const SEGMENT: MessageSchema = message('TensorProto.Segment', {
  begin: field(1, 'int64'),
  end: field(2, 'int64'),
});

export const TENSOR: MessageSchema = message('TensorProto', {
  dims: field(1, 'int64', 'repeated'),
  dataType: field(2, 'int32'),
  segment: field(3, () => SEGMENT),
  floatData: field(4, 'float', 'packed'),
  int32Data: field(5, 'int32', 'packed'),
  stringData: field(6, 'bytes', 'repeated'),
  int64Data: field(7, 'int64', 'packed'),
  name: field(8, 'string'),
  rawData: field(9, 'bytes'),
  doubleData: field(10, 'double', 'packed'),
  uint64Data: field(11, 'uint64', 'packed'),
  docString: field(12, 'string'),
  externalData: field(13, () => STRING_STRING_ENTRY, 'repeated'),
  dataLocation: field(14, 'int32'),
  metadataProps: field(16, () => STRING_STRING_ENTRY, 'repeated'),
});

export const SPARSE_TENSOR: MessageSchema = message('SparseTensorProto', {
  values: field(1, () => TENSOR),
  indices: field(2, () => TENSOR),
  dims: field(3, 'int64', 'repeated'),
});

const TENSOR_TYPE: MessageSchema = message('TypeProto.Tensor', {
  elemType: field(1, 'int32'),
  shape: field(2, () => TENSOR_SHAPE),
});

const ELEMENT_TYPE = (name: string): MessageSchema => message(name, { elemType: field(1, () => TYPE) });

export const TYPE: MessageSchema = message('TypeProto', {
  tensorType: field(1, () => TENSOR_TYPE),
  sequenceType: field(4, () => SEQUENCE_TYPE),
  mapType: field(5, () => MAP_TYPE),
  denotation: field(6, 'string'),
  sparseTensorType: field(8, () => SPARSE_TENSOR_TYPE),
  optionalType: field(9, () => OPTIONAL_TYPE),
});

const SEQUENCE_TYPE = ELEMENT_TYPE('TypeProto.Sequence');
const OPTIONAL_TYPE = ELEMENT_TYPE('TypeProto.Optional');
const SPARSE_TENSOR_TYPE: MessageSchema = message('TypeProto.SparseTensor', TENSOR_TYPE.fields);
const MAP_TYPE: MessageSchema = message('TypeProto.Map', {
  keyType: field(1, 'int32'),
  valueType: field(2, () => TYPE),
});

export const VALUE_INFO: MessageSchema = message('ValueInfoProto', {
  name: field(1, 'string'),
  type: field(2, () => TYPE),
  docString: field(3, 'string'),
  metadataProps: field(4, () => STRING_STRING_ENTRY, 'repeated'),
});

export const ATTRIBUTE: MessageSchema = message('AttributeProto', {
  name: field(1, 'string'),
  f: field(2, 'float'),
  i: field(3, 'int64'),
  s: field(4, 'bytes'),
  t: field(5, () => TENSOR),
  g: field(6, () => GRAPH),
  floats: field(7, 'float', 'repeated'),
  ints: field(8, 'int64', 'repeated'),
  strings: field(9, 'bytes', 'repeated'),
  tensors: field(10, () => TENSOR, 'repeated'),
  graphs: field(11, () => GRAPH, 'repeated'),
  docString: field(13, 'string'),
  tp: field(14, () => TYPE),
  typeProtos: field(15, () => TYPE, 'repeated'),
  type: field(20, 'int32'),
  refAttrName: field(21, 'string'),
  sparseTensor: field(22, () => SPARSE_TENSOR),
  sparseTensors: field(23, () => SPARSE_TENSOR, 'repeated'),
});

export const NODE: MessageSchema = message('NodeProto', {
  input: field(1, 'string', 'repeated'),
  output: field(2, 'string', 'repeated'),
  name: field(3, 'string'),
  opType: field(4, 'string'),
  attribute: field(5, () => ATTRIBUTE, 'repeated'),
  docString: field(6, 'string'),
  domain: field(7, 'string'),
  overload: field(8, 'string'),
  metadataProps: field(9, () => STRING_STRING_ENTRY, 'repeated'),
});

export const TENSOR_ANNOTATION: MessageSchema = message('TensorAnnotation', {
  tensorName: field(1, 'string'),
  quantParameterTensorNames: field(2, () => STRING_STRING_ENTRY, 'repeated'),
});

export const GRAPH: MessageSchema = message('GraphProto', {
  node: field(1, () => NODE, 'repeated'),
  name: field(2, 'string'),
  initializer: field(5, () => TENSOR, 'repeated'),
  docString: field(10, 'string'),
  input: field(11, () => VALUE_INFO, 'repeated'),
  output: field(12, () => VALUE_INFO, 'repeated'),
  valueInfo: field(13, () => VALUE_INFO, 'repeated'),
  quantizationAnnotation: field(14, () => TENSOR_ANNOTATION, 'repeated'),
  sparseInitializer: field(15, () => SPARSE_TENSOR, 'repeated'),
  metadataProps: field(16, () => STRING_STRING_ENTRY, 'repeated'),
});

export const FUNCTION: MessageSchema = message('FunctionProto', {
  name: field(1, 'string'),
  input: field(4, 'string', 'repeated'),
  output: field(5, 'string', 'repeated'),
  attribute: field(6, 'string', 'repeated'),
  node: field(7, () => NODE, 'repeated'),
  docString: field(8, 'string'),
  opsetImport: field(9, () => OPERATOR_SET_ID, 'repeated'),
  domain: field(10, 'string'),
  attributeProto: field(11, () => ATTRIBUTE, 'repeated'),
  valueInfo: field(12, () => VALUE_INFO, 'repeated'),
  overload: field(13, 'string'),
  metadataProps: field(14, () => STRING_STRING_ENTRY, 'repeated'),
});

export const TRAINING_INFO: MessageSchema = message('TrainingInfoProto', {
  initialization: field(1, () => GRAPH),
  algorithm: field(2, () => GRAPH),
  initializationBinding: field(3, () => STRING_STRING_ENTRY, 'repeated'),
  updateBinding: field(4, () => STRING_STRING_ENTRY, 'repeated'),
});

export const MODEL: MessageSchema = message('ModelProto', {
  irVersion: field(1, 'int64'),
  producerName: field(2, 'string'),
  producerVersion: field(3, 'string'),
  domain: field(4, 'string'),
  modelVersion: field(5, 'int64'),
  docString: field(6, 'string'),
  graph: field(7, () => GRAPH),
  opsetImport: field(8, () => OPERATOR_SET_ID, 'repeated'),
  metadataProps: field(14, () => STRING_STRING_ENTRY, 'repeated'),
  trainingInfo: field(20, () => TRAINING_INFO, 'repeated'),
  functions: field(25, () => FUNCTION, 'repeated'),
});

/** TensorProto.DataType (the ONNX IR's element types; IR 10 adds the 4-bit ones, 21–23). */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
  FLOAT8E4M3FN: 17,
  FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19,
  FLOAT8E5M2FNUZ: 20,
  UINT4: 21,
  INT4: 22,
  FLOAT4E2M1: 23,
} as const;

/** AttributeProto.AttributeType. */
export const AttributeType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
  SPARSE_TENSOR: 11,
  SPARSE_TENSORS: 12,
  TYPE_PROTO: 13,
  TYPE_PROTOS: 14,
} as const;

/** TensorProto.DataLocation. */
export const DataLocation = { DEFAULT: 0, EXTERNAL: 1 } as const;

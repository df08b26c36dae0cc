// robustart/onnx: ONNX models (read, write, a graph editor) and .npy tensors.
export { Graph } from '../onnx/graph.js';
export { readNpy, writeNpy } from '../onnx/npy.js';
export { readModel, writeModel, decodeModel, encodeModel, cloneModel, DataType, AttributeType } from '../onnx/proto.js';
export type { ModelProto, GraphProto, NodeProto, TensorProto, AttributeProto, ValueInfoProto, FunctionProto, Int64 } from '../onnx/proto.js';

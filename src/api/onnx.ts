// robustart/onnx: The ONNX graph editor and .npy tensors.
export { Graph } from '../onnx/graph.js';
export { readNpy, writeNpy } from '../onnx/npy.js';

// Moves the model's input normalisation into its graph, so every later stage works in [0,1] pixels.
import { cloneModel, type ModelProto } from '../onnx/proto.js';
import { makeNode } from '../onnx/build.js';
import { makeTensor } from '../onnx/tensor.js';

export const NORMALIZED_VALUE = 'robustart_normalized_input';

/**
 * Returns a copy of `model` whose input `inputName` takes [0,1] pixels: (x - mean) / std is
 * prepended as Sub and Div nodes (Sub/Div rather than a fused scale so the numbers match
 * torchvision's Normalize to the last bit).
 */
export function prependNormalization(model: ModelProto, inputName: string, mean: readonly number[], std: readonly number[]): ModelProto {
  const copy = cloneModel(model);
  const graph = copy.graph!;
  for (const node of graph.node ?? []) {
    node.input = (node.input ?? []).map((name) => (name === inputName ? NORMALIZED_VALUE : name));
  }
  const meanName = 'robustart_mean';
  const stdName = 'robustart_std';
  const centered = 'robustart_centered_input';
  graph.initializer = [
    ...(graph.initializer ?? []),
    makeTensor(meanName, [1, mean.length, 1, 1], Float32Array.from(mean)),
    makeTensor(stdName, [1, std.length, 1, 1], Float32Array.from(std)),
  ];
  graph.node = [
    makeNode('Sub', [inputName, meanName], [centered], {}, 'robustart_normalize_sub'),
    makeNode('Div', [centered, stdName], [NORMALIZED_VALUE], {}, 'robustart_normalize_div'),
    ...(graph.node ?? []),
  ];
  // A graph output that was the raw input itself now reads the normalised value's source unchanged.
  return copy;
}

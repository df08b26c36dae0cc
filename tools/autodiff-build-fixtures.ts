// Writes the TS-built models of the autodiff end-to-end checks (fixtures/autodiff/ts-*.onnx);
// tools/autodiff-export-fixtures.py then computes their reference gradients with PyTorch autograd.
// Usage: node --import tsx tools/autodiff-build-fixtures.ts
import { writeModel } from '../src/onnx/proto.js';
import { buildResNet } from '../src/model/builders/resnet.js';
import { buildViT } from '../src/model/builders/vit.js';
import { buildMixer } from '../src/model/builders/mixer.js';
import { buildSmallCnn } from '../src/model/builders/cnn.js';
import type { Graph } from '../src/onnx/graph.js';

const dir = 'fixtures/autodiff';
const models: Record<string, Graph> = {
  'ts-resnet-basic': buildResNet({ inputSize: [3, 32, 32], numClasses: 10, block: 'basic', layers: [1, 1, 1], width: 8, stem: 'cifar', seed: 1 }),
  'ts-resnet-bottleneck': buildResNet({ inputSize: [3, 32, 32], numClasses: 10, block: 'bottleneck', layers: [1, 1], width: 8, groups: 2, widthPerGroup: 32, seed: 2 }),
  'ts-vit': buildViT({ inputSize: [3, 32, 32], numClasses: 10, patchSize: 8, dim: 16, depth: 2, heads: 2, seed: 3 }),
  'ts-mixer': buildMixer({ inputSize: [3, 32, 32], numClasses: 10, patchSize: 8, dim: 16, depth: 2, seed: 4 }),
  'ts-cnn': buildSmallCnn({ inputSize: [3, 32, 32], numClasses: 10, widths: [8, 16], hidden: 8, seed: 5 }),
};
for (const [name, graph] of Object.entries(models)) {
  writeModel(`${dir}/${name}.onnx`, graph.toModel());
  console.log(`wrote ${dir}/${name}.onnx`);
}

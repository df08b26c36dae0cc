// The models benches run (random weights, 1000 classes, built here): ResNet-50, ViT-B/16 and ConvNeXt-T at a square
// input size (224 by default, as torchvision's presets). A name ending in .onnx is read from that file instead
// (Swin-T has no builder here: tools/export-bench-swin.py writes torchvision's).
import { buildResNet } from '../model/builders/resnet.js';
import { buildViT } from '../model/builders/vit.js';
import { buildConvNeXt } from '../model/builders/convnext.js';
import type { Graph } from '../onnx/graph.js';
import { RobustartError } from '../errors.js';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

const BUILDERS: Record<string, { label: string; build: (size: number) => Graph }> = {
  resnet50: { label: 'ResNet-50', build: (size) => buildResNet({ inputSize: [3, size, size], numClasses: 1000, block: 'bottleneck', layers: [3, 4, 6, 3], width: 64, seed: 0 }) },
  'vit-b16': { label: 'ViT-B/16', build: (size) => buildViT({ inputSize: [3, size, size], numClasses: 1000, patchSize: 16, dim: 768, depth: 12, heads: 12, seed: 0 }) },
  // torchvision convnext_tiny (the zoo preset's widths and depths).
  'convnext-t': { label: 'ConvNeXt-T', build: (size) => buildConvNeXt({ inputSize: [3, size, size], numClasses: 1000, widths: [96, 192, 384, 768], depths: [3, 3, 9, 3], seed: 0 }) },
};

const BENCH_MODEL_NAMES = Object.keys(BUILDERS);

export function benchModelLabel(name: string): string {
  return BUILDERS[name]?.label ?? basename(name);
}

export function buildBenchModel(name: string, size = 224): Graph | Uint8Array {
  if (name.endsWith('.onnx')) {
    if (!existsSync(name)) throw new RobustartError(`bench model ${name}: no such file; pass an existing .onnx file or one of ${BENCH_MODEL_NAMES.join(', ')}`);
    return readFileSync(name);
  }
  return buildBenchGraph(name, size);
}

/** A bench model built here (not read from a file). */
export function buildBenchGraph(name: string, size = 224): Graph {
  const entry = BUILDERS[name];
  if (!entry) throw new RobustartError(`unknown bench model '${name}'; available: ${BENCH_MODEL_NAMES.join(', ')}`);
  return entry.build(size);
}

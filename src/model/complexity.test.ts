// Multiply-accumulates per image against torchvision: its published table for a CNN and a ViT, and an exported
// torchvision ViT whose attention merges the batch with the heads in dynamic reshapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { countMacs } from './complexity.js';
import { readModel } from '../onnx/proto.js';
import { buildViT } from './builders/vit.js';
import { buildResNet } from './builders/resnet.js';

const FIXTURES = new URL('../../fixtures/complexity/', import.meta.url);

/**
 * torchvision's model table (docs "Classification" weights, column GFLOPS, which counts multiply-accumulates):
 * ViT_B_32_Weights.IMAGENET1K_V1 4.41, ResNet18_Weights.IMAGENET1K_V1 1.81, both at 224x224.
 */
const TORCHVISION_GMACS = { vit_b_32: 4.41, resnet18: 1.81 };

test('an exported torchvision ViT counts every attention MatMul after the reshapes that merge batch and heads', async () => {
  const expected = JSON.parse(readFileSync(fileURLToPath(new URL('tv-vit-small.json', FIXTURES)), 'utf8')) as { macs: number };
  assert.equal(await countMacs(readModel(fileURLToPath(new URL('tv-vit-small.onnx', FIXTURES)))), expected.macs);
});

test('ViT-B/32 and ResNet-18 built at full size match torchvision\'s published MACs', async () => {
  const vit = buildViT({ inputSize: [3, 224, 224], numClasses: 1000, patchSize: 32, dim: 768, depth: 12, heads: 12, initialize: false });
  assert.equal(Number(((await countMacs(vit.toModel())) / 1e9).toFixed(2)), TORCHVISION_GMACS.vit_b_32);
  const resnet = buildResNet({ inputSize: [3, 224, 224], numClasses: 1000, block: 'basic', layers: [2, 2, 2, 2], initialize: false });
  assert.equal(Number(((await countMacs(resnet.toModel())) / 1e9).toFixed(2)), TORCHVISION_GMACS.resnet18);
});

test('MACs are the same with shape discovery in a child process or in this one', async () => {
  const model = buildViT({ inputSize: [3, 16, 16], numClasses: 3, patchSize: 8, dim: 16, depth: 1, heads: 2, seed: 1 }).toModel();
  const here = await countMacs(model, { setupProcessAboveBytes: Infinity });
  assert.ok(here > 0);
  assert.equal(await countMacs(model, { setupProcessAboveBytes: -1 }), here);
});

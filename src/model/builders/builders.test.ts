import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSmallCnn, buildResNet, buildViT, buildMixer } from './index.js';
import { createSession, tensor } from '../../onnx/runtime.js';
import type { Graph } from '../../onnx/graph.js';

function parameterCount(g: Graph): number {
  let n = 0;
  for (const t of g.initializers.values()) if (t.dataType === 1 && t.dims.length > 0) n += t.dims.reduce((a, b) => a * b, 1); // 0-d: op constants
  return n;
}

async function logitsShape(g: Graph, batch: number): Promise<readonly number[]> {
  const s = await createSession(g);
  const [c, h, w] = JSON.parse(g.metadata.input_size) as number[];
  const out = await s.run({ input: tensor('float32', new Float32Array(batch * c * h * w).fill(0.5), [batch, c, h, w]) });
  await s.release();
  return out.logits.dims;
}

test('builders make classifiers with a dynamic batch, [N, classes] logits and timm metadata', async () => {
  const graphs = [
    buildSmallCnn({ inputSize: [3, 32, 32], numClasses: 10, widths: [8, 16], hidden: 16 }),
    buildResNet({ inputSize: [3, 32, 32], numClasses: 7, block: 'basic', layers: [1, 1], width: 8, stem: 'cifar' }),
    buildResNet({ inputSize: [3, 64, 64], numClasses: 7, block: 'bottleneck', layers: [1, 1], width: 8 }),
    buildViT({ inputSize: [3, 32, 32], numClasses: 5, patchSize: 8, dim: 16, depth: 1, heads: 2 }),
    buildMixer({ inputSize: [3, 48, 48], numClasses: 5, patchSize: 16, dim: 16, depth: 1 }),
  ];
  for (const g of graphs) {
    const classes = Number(g.metadata.num_classes);
    assert.deepEqual(await logitsShape(g, 3), [3, classes]);
    assert.deepEqual(await logitsShape(g, 1), [1, classes]);
    assert.ok(['CNN', 'ViT', 'MLP'].includes(JSON.parse(g.metadata.family)));
  }
});

test('ResNet-50 and ViT-B/16 from the builders have the reference parameter counts', () => {
  // torchvision resnet50: 25,557,032 parameters (+ BN running stats 53,120 here, held as initializers).
  const r50 = buildResNet({ inputSize: [3, 224, 224], numClasses: 1000, block: 'bottleneck', layers: [3, 4, 6, 3], shapesOnly: true });
  assert.equal(parameterCount(r50), 25_557_032 + 53_120);
  // timm vit_base_patch16_224: 86,567,656 parameters.
  const vit = buildViT({ inputSize: [3, 224, 224], numClasses: 1000, patchSize: 16, dim: 768, depth: 12, heads: 12, shapesOnly: true });
  assert.equal(parameterCount(vit), 86_567_656);
});

test('builders are deterministic in their seed', () => {
  const config = { inputSize: [3, 16, 16] as const, numClasses: 3, patchSize: 8, dim: 8, depth: 1, heads: 2, referenceNames: true };
  const a = buildViT({ ...config, seed: 4 });
  const b = buildViT({ ...config, seed: 4 });
  const c = buildViT({ ...config, seed: 5 });
  const first = (g: Graph) => Array.from(g.initializers.get('conv_proj.weight')!.data as Float32Array).slice(0, 8);
  assert.deepEqual(first(a), first(b));
  assert.notDeepEqual(first(a), first(c));
});

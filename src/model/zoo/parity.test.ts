// Forward parity with the reference implementations: for each family a reduced model made by
// tools/zoo-reference.py (torchvision/timm/official module code, random weights and BN statistics),
// rebuilt by the zoo from the same options, loaded with the same weights by name, must give the
// reference logits to 1e-5 relative error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { architectureNames, loadWeights, graphWeights, parameterCount } from './index.js';
import { Graph } from '../../onnx/graph.js';
import { readModel } from '../../onnx/proto.js';
import { timmViTName } from '../builders/vit.js';
import { ZOO_PARITY_FIXTURES, readParityFixture, fixtureGraph, logitsOf, relativeError } from '../../testing/zoo-fixtures.js';
import { reparameterizeRepVGG } from '../builders/repvgg.js';

const families = readdirSync(ZOO_PARITY_FIXTURES).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();

test('every registered architecture has a forward-parity fixture', () => {
  assert.deepEqual([...architectureNames()].sort(), families);
});

for (const family of families) {
  test(`${family}: the zoo graph with the reference weights gives the reference logits (1e-5)`, async () => {
    const f = readParityFixture(family);
    const graph = fixtureGraph(f);
    assert.equal(parameterCount(graph), f.params, 'parameter count of the reduced model');
    const logits = await logitsOf(loadWeights(graph, f.weights, `${family} fixture`), f.input);
    assert.deepEqual(f.logits.dims, [f.input.dims[0], f.classes]);
    const err = relativeError(logits, f.logits.data);
    assert.ok(err <= 1e-5, `relative error ${err.toExponential(2)}`);
  });
}

test('RepVGG: the deploy-time graph (one 3×3 conv per block) computes the training-time function', async () => {
  const f = readParityFixture('repvgg');
  const trained = loadWeights(fixtureGraph(f), f.weights);
  const deployWeights = reparameterizeRepVGG({ blocks: f.options.blocks as number[], multipliers: f.options.multipliers as number[], inputSize: [3, f.resolution, f.resolution] }, f.weights);
  const deploy = loadWeights(fixtureGraph(f, { mode: 'deploy' }), deployWeights);
  assert.ok(!deploy.nodes.some((n) => n.opType === 'BatchNormalization'));
  assert.ok(relativeError(await logitsOf(deploy, f.input), await logitsOf(trained, f.input)) <= 1e-5);
  assert.ok(relativeError(await logitsOf(deploy, f.input), f.logits.data) <= 1e-5);
});

test('a weight that does not fit is named in a one-line error', () => {
  const f = readParityFixture('resnet');
  const weights = new Map(f.weights);
  weights.set('layer2.0.conv1.weight', { dims: [1, 2, 3, 4], data: new Float32Array(24) });
  assert.throws(() => loadWeights(fixtureGraph(f), weights, 'model.onnx'), /^RobustartError: model.onnx: tensor layer2\.0\.conv1\.weight has dims \[1, 2, 3, 4\] but the model needs \[/);
  weights.delete('fc.bias');
  assert.throws(() => loadWeights(fixtureGraph(f), weights, 'model.onnx'), /layer2\.0\.conv1\.weight/);
});

test('weights of a torch.onnx export (BatchNorm kept) map by name and give the reference logits', async () => {
  const f = readParityFixture('regnet_x');
  const exported = Graph.fromModel(readModel(join(ZOO_PARITY_FIXTURES, '..', 'import', 'regnet_x.onnx')));
  const graph = loadWeights(fixtureGraph(f), graphWeights(exported), 'regnet_x.onnx');
  assert.ok(relativeError(await logitsOf(graph, f.input), f.logits.data) <= 1e-5);
  // Built at another width, the first tensor that does not fit is named.
  assert.throws(() => loadWeights(fixtureGraph(f, { w0: 16 }), graphWeights(exported), 'regnet_x.onnx'), /^RobustartError: regnet_x\.onnx: tensor trunk_output\.block1\.block1-0\.f\.a\.0\.weight has dims \[8, 8, 1, 1\] but the model needs \[16, 8, 1, 1\]/);
});

test('timm ViT/DeiT state-dict names import onto the torchvision-named ViT', async () => {
  const f = readParityFixture('vit');
  // timm VisionTransformer's state dict (deit_*_patch16_224) for this depth.
  const perBlock = ['norm1.weight', 'norm1.bias', 'attn.qkv.weight', 'attn.qkv.bias', 'attn.proj.weight', 'attn.proj.bias', 'norm2.weight', 'norm2.bias', 'mlp.fc1.weight', 'mlp.fc1.bias', 'mlp.fc2.weight', 'mlp.fc2.bias'];
  const timmNames = ['cls_token', 'pos_embed', 'patch_embed.proj.weight', 'patch_embed.proj.bias', ...[0, 1].flatMap((i) => perBlock.map((p) => `blocks.${i}.${p}`)), 'norm.weight', 'norm.bias', 'head.weight', 'head.bias'];
  const mapped = timmNames.map((n) => timmViTName(n));
  assert.deepEqual([...mapped].sort(), [...f.weights.keys()].sort(), 'a one-to-one map onto the builder names');
  const exported = new Graph({ initializers: new Map(timmNames.map((n, i) => [n, { dims: [...f.weights.get(mapped[i]!)!.dims], dataType: 1, data: f.weights.get(mapped[i]!)!.data }])) });
  const graph = loadWeights(fixtureGraph(f), graphWeights(exported, timmViTName), 'deit.onnx');
  assert.ok(relativeError(await logitsOf(graph, f.input), f.logits.data) <= 1e-5);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSession, tensor } from '../onnx/runtime.js';
import { Rng } from '../util/rng.js';
import { buildSupernet, buildSubnet, selectionFeeds } from './supernet.js';
import { extractSubnet, sliceTensor, NAS_METADATA_KEY } from './extract.js';
import { largestChoices, smallestChoices, randomChoices, spaceHash, type SearchSpace, type Choices } from './space.js';
import { tinyResNetSpace, tinyMobileNetSpace, randomizeBatchNorms, randomImages } from '../testing/nas-fixtures.js';
import { parameterCount } from '../model/zoo/complexity.js';

async function logits(graph: Parameters<typeof createSession>[0], feeds: Record<string, ReturnType<typeof tensor>>): Promise<Float32Array> {
  const session = await createSession(graph);
  const out = await session.run(feeds);
  await session.release();
  return out.logits.data as Float32Array;
}

async function assertSliceEqualsMask(space: SearchSpace, choices: Choices, seed: number): Promise<void> {
  const supernet = buildSupernet(space, { seed, resolution: choices.resolution });
  randomizeBatchNorms(supernet.graph, seed + 1);
  const n = 3;
  const images = randomImages(n, 3, choices.resolution, seed + 2).map((v) => 2 * v - 1);
  const image = tensor('float32', images, [n, 3, choices.resolution, choices.resolution]);
  const feeds: Record<string, ReturnType<typeof tensor>> = { input: image };
  for (const [name, f] of selectionFeeds(space, supernet.selectors, choices)) feeds[name] = tensor('float32', f.data, f.dims);
  const masked = await logits(supernet.graph, feeds);
  const subnet = extractSubnet(space, supernet.graph, choices);
  const sliced = await logits(subnet, { input: image });
  assert.equal(sliced.length, masked.length);
  const scale = Math.max(...masked.map(Math.abs));
  for (let i = 0; i < masked.length; i++) assert.ok(Math.abs(sliced[i] - masked[i]) <= 1e-4 * Math.max(1, scale), `logit ${i}: sliced ${sliced[i]} vs masked ${masked[i]} (${JSON.stringify(choices)})`);
}

test('a sliced subnet computes what the supernet computes with the same choices masked (ResNet-style)', async () => {
  const space = tinyResNetSpace();
  const rng = new Rng(7);
  await assertSliceEqualsMask(space, largestChoices(space), 1);
  await assertSliceEqualsMask(space, smallestChoices(space), 2);
  for (let k = 0; k < 4; k++) await assertSliceEqualsMask(space, randomChoices(space, rng), 10 + k);
});

test('a sliced subnet computes what the supernet computes with the same choices masked (MobileNet-style)', async () => {
  const space = tinyMobileNetSpace();
  const rng = new Rng(8);
  await assertSliceEqualsMask(space, smallestChoices(space), 3);
  for (let k = 0; k < 4; k++) await assertSliceEqualsMask(space, randomChoices(space, rng), 20 + k);
});

test('masks change the supernet output: a smaller subnet is another function', async () => {
  const space = tinyResNetSpace();
  const supernet = buildSupernet(space, { seed: 3 });
  randomizeBatchNorms(supernet.graph, 4);
  const run = async (choices: Choices) => {
    const feeds: Record<string, ReturnType<typeof tensor>> = { input: tensor('float32', randomImages(2, 3, 16, 5), [2, 3, 16, 16]) };
    for (const [name, f] of selectionFeeds(space, supernet.selectors, choices)) feeds[name] = tensor('float32', f.data, f.dims);
    return logits(supernet.graph, feeds);
  };
  const big = await run(largestChoices(space));
  const small = await run({ ...smallestChoices(space), resolution: 16 });
  assert.ok(big.some((v, i) => Math.abs(v - small[i]) > 1e-3));
});

test('slicing takes leading channels and the centred kernel window', () => {
  // [2, 2, 3, 3] -> [1, 2, 1, 1]: output channel 0, both input channels, the centre tap.
  const source = { dims: [2, 2, 3, 3], dataType: 1, data: Float32Array.from({ length: 36 }, (_, i) => i) };
  assert.deepEqual([...sliceTensor(source, [1, 2, 1, 1], 'w')], [4, 13]);
  assert.deepEqual([...sliceTensor({ dims: [4], dataType: 1, data: Float32Array.of(1, 2, 3, 4) }, [2], 'b')], [1, 2]);
  assert.throws(() => sliceTensor(source, [3, 2, 3, 3], 'w'), /does not fit/);
});

test('an extracted subnet records its space, hash and choices and has the sliced size', () => {
  const space = tinyResNetSpace();
  const supernet = buildSupernet(space, { seed: 0 });
  const choices = smallestChoices(space);
  const subnet = extractSubnet(space, supernet.graph, choices);
  assert.deepEqual(JSON.parse(subnet.metadata[NAS_METADATA_KEY]), { space: 'tiny-resnet', spaceHash: spaceHash(space), choices });
  assert.deepEqual(JSON.parse(subnet.metadata.input_size), [3, 12, 12]);
  assert.equal(parameterCount(subnet), parameterCount(buildSubnet(space, choices, { shapesOnly: true })));
  assert.ok(parameterCount(subnet) < parameterCount(supernet.graph));
  assert.equal(subnet.inputs.length, 1);
});

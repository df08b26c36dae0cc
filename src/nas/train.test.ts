import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainSupernet, sandwich, SANDWICH_RANDOM_SUBNETS } from './train.js';
import { largestChoices, smallestChoices, subnetId } from './space.js';
import { buildSupernet } from './supernet.js';
import { tinyMobileNetSpace, tinyResNetSpace, randomImages, imagesAsData } from '../testing/nas-fixtures.js';

test('the sandwich is the largest, the smallest and N random subnets seeded by step (BigNAS: N = 2)', () => {
  const space = tinyResNetSpace();
  assert.equal(SANDWICH_RANDOM_SUBNETS, 2);
  const step3 = sandwich(space, 0, 3, 2);
  assert.equal(step3.length, 4);
  assert.deepEqual(step3[0], largestChoices(space));
  assert.deepEqual(step3[1], smallestChoices(space));
  assert.deepEqual(sandwich(space, 0, 3, 2), step3);
  const ids = (k: number) => sandwich(space, 0, k, 2).slice(2).map(subnetId).join();
  assert.notEqual(ids(4), ids(3));
  assert.notEqual(sandwich(space, 1, 3, 2).slice(2).map(subnetId).join(), ids(3));
});

test('a MobileNet-style supernet trains through the autodiff engine (depthwise kernel masks, gates, mid masks)', { timeout: 120_000 }, async () => {
  const space = tinyMobileNetSpace();
  const side = 16;
  const count = 16;
  const pixels = randomImages(count, 3, side, 2);
  const data = imagesAsData(pixels, count, 3, side, (i) => i % 4);
  const sets = new Map([[side, data]]);
  const settings = {
    epochs: 1, batchSize: 8, seed: 4,
    optimizer: { kind: 'sgd' as const, momentum: 0.9, nesterov: false, weightDecay: 0 },
    schedule: { baseLr: 0.05, warmupLr: 0.05, minLr: 0, warmupEpochs: 0 },
    normalization: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
    randomSubnets: 1,
  };
  const result = await trainSupernet(space, sets, sets, settings);
  assert.equal(result.history.length, 1);
  assert.ok(Number.isFinite(result.history[0].trainLoss));
  const initial = buildSupernet(space, { seed: 4 }).graph;
  const changed = [...initial.initializers].filter(([name, t]) => name.endsWith('.weight') && (t.data as Float32Array).some((v, i) => v !== (result.graph.initializers.get(name)!.data as Float32Array)[i]));
  // Every conv of the largest subnet learns, the depthwise ones included.
  assert.ok(changed.some(([name]) => name.includes('depthwise')));
  assert.ok(changed.length >= [...initial.initializers.keys()].filter((n) => n.endsWith('conv.weight')).length);
  // Same seed, same weights.
  const again = await trainSupernet(space, sets, sets, settings);
  for (const [name, t] of result.graph.initializers) assert.deepEqual(again.graph.initializers.get(name)!.data, t.data, name);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imagenetClassWnids, imagenetODetection, restrictedAccuracy, restrictedMaxSoftmax, restrictedPrediction, subsetIndices, subsetWnids } from './imagenet-subsets.js';

test('class lists: 1000 sorted ImageNet wnids, three 200-class subsets inside them', () => {
  const wnids = imagenetClassWnids();
  assert.equal(wnids.length, 1000);
  assert.equal(new Set(wnids).size, 1000);
  assert.deepEqual([...wnids], [...wnids].sort());
  assert.equal(wnids[0], 'n01440764'); // tench
  assert.equal(wnids[999], 'n15075141'); // toilet tissue
  for (const subset of ['imagenet-a', 'imagenet-o', 'imagenet-r'] as const) {
    const indices = subsetIndices(subset);
    assert.equal(indices.length, 200);
    assert.deepEqual(indices, [...indices].sort((a, b) => a - b), `${subset} in index order`);
    assert.equal(new Set(subsetWnids(subset)).size, 200);
  }
  // Spot checks against the reference scripts' index lists.
  assert.deepEqual(subsetIndices('imagenet-a').slice(0, 5), [6, 11, 13, 15, 17]);
  assert.deepEqual(subsetIndices('imagenet-r').slice(0, 5), [1, 2, 4, 6, 8]);
});

test('restricted prediction ignores classes outside the subset', () => {
  const logits = Float32Array.from({ length: 10 }, (_, i) => (i === 3 ? 9 : i));
  const subset = [1, 5, 7];
  assert.equal(restrictedPrediction(logits, subset), 2); // class 7 beats 1 and 5; class 3 is not in the subset
  assert.ok(Math.abs(restrictedMaxSoftmax(logits, subset) - 1 / (1 + Math.exp(-2) + Math.exp(-6))) < 1e-12);
  const two = Float32Array.from([...logits, ...logits.map((v, i) => (i === 1 ? 20 : v))]);
  assert.equal(restrictedAccuracy(two, 2, 10, [2, 0], subset), 1);
});

test('ImageNet-O: confident in-distribution and unsure out-of-distribution images give AUPR 1', () => {
  const { aupr, auroc } = imagenetODetection([0.2, 0.3], [0.9, 0.8, 0.95]);
  assert.equal(aupr, 1);
  assert.equal(auroc, 1);
});

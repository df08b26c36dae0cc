import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flipProbability, meanTopFiveDistance, normalizedMean, topFiveDistance } from './perturbation.js';

test('flip probability counts prediction changes between consecutive frames, or against the first for noise', () => {
  const sequences = [
    [1, 1, 2, 2, 1], // consecutive flips: 2 of 4; against first: 2 of 4 (frames 2, 3)
    [3, 3, 3, 3, 3], // none
  ];
  assert.equal(flipProbability(sequences), (2 / 4 + 0) / 2);
  assert.equal(flipProbability([[1, 2, 2, 2]]), 1 / 3);
  assert.equal(flipProbability([[1, 2, 2, 2]], { againstFirst: true }), 1);
});

test('top-5 distance: 0 for identical lists, counts rank boundaries crossed, ranks past 5 count as 6th', () => {
  assert.equal(topFiveDistance([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]), 0);
  // Swapping the first two ranks moves each by one position.
  assert.equal(topFiveDistance([1, 2, 3, 4, 5], [2, 1, 3, 4, 5]), 2);
  // Class 5 leaves the top 5: it moves from rank 5 to "6" (1 boundary).
  assert.equal(topFiveDistance([1, 2, 3, 4, 5], [1, 2, 3, 4, 9]), 1);
  // Completely different top 5: sum_i (6 - i) = 5 + 4 + 3 + 2 + 1.
  assert.equal(topFiveDistance([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]), 15);
  assert.equal(meanTopFiveDistance([[[1, 2, 3, 4, 5], [2, 1, 3, 4, 5], [2, 1, 3, 4, 5]]]), 1);
  assert.equal(meanTopFiveDistance([[[1, 2, 3, 4, 5], [2, 1, 3, 4, 5], [2, 1, 3, 4, 5]]], { againstFirst: true }), 2);
});

test('flip rates are normalised by a baseline and averaged over the perturbations that have one', () => {
  const { perPerturbation, mean } = normalizedMean({ rotate: 0.02, scale: 0.03, shear: 0.01 }, { rotate: 0.04, scale: 0.06 });
  assert.deepEqual(perPerturbation, { rotate: 0.5, scale: 0.5 });
  assert.equal(mean, 0.5);
  assert.equal(normalizedMean({ a: 1 }, {}).mean, null);
});

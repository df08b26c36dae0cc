import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSmallCnn } from '../model/builders/cnn.js';
import { trainClassifier, type TrainingData } from './trainer.js';
import { Rng } from '../util/rng.js';

/** Two classes of 8×8 RGB images: a bright left half or a bright right half, plus noise. */
function halves(count: number, seed: number): TrainingData {
  const rng = new Rng(seed);
  const labels = Array.from({ length: count }, () => rng.int(2));
  const images = labels.map((label) => Float32Array.from({ length: 3 * 64 }, (_, i) => ((i % 8 < 4) === (label === 0) ? 1 : -1) + rng.normal(0, 0.8)));
  return {
    count,
    label: (i) => labels[i],
    batch: (indices) => {
      const out = new Float32Array(indices.length * 192);
      for (let b = 0; b < indices.length; b++) out.set(images[indices[b]], b * 192);
      return out;
    },
  };
}

test('training through the autodiff engine learns a separable task and returns the trained graph', async () => {
  const graph = buildSmallCnn({ inputSize: [3, 8, 8], numClasses: 2, widths: [4], hidden: 0, seed: 1 });
  const before = Float32Array.from(graph.initializers.get('fc_w_6')!.data as Float32Array);
  const result = await trainClassifier(graph, halves(256, 1), halves(128, 2), {
    epochs: 3,
    batchSize: 32,
    sgd: { learningRate: 0.05, momentum: 0.9, weightDecay: 1e-4 },
    warmupEpochs: 1,
    seed: 3,
  });
  assert.equal(result.history.length, 3);
  assert.ok(result.history[2].trainLoss < result.history[0].trainLoss, JSON.stringify(result.history));
  assert.ok(result.history[2].testAccuracy >= 0.95, `test accuracy ${result.history[2].testAccuracy}`);
  const after = result.graph.initializers.get('fc_w_6')!.data as Float32Array;
  assert.notDeepEqual(Array.from(after), Array.from(before));
  assert.deepEqual(Array.from(graph.initializers.get('fc_w_6')!.data as Float32Array), Array.from(before), 'the input graph is left unchanged');
});

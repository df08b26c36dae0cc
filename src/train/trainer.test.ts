import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSmallCnn } from '../model/builders/cnn.js';
import { buildResNet } from '../model/builders/resnet.js';
import { trainClassifier, type TrainingData } from './trainer.js';
import { Rng } from '../util/rng.js';

/** Plain SGD settings; images are used as they come (identity normalisation). */
export function sgd(lr: number, warmupEpochs: number) {
  return {
    optimizer: { kind: 'sgd', momentum: 0.9, nesterov: false, weightDecay: 1e-4 } as const,
    schedule: { baseLr: warmupEpochs ? 0 : lr, warmupLr: lr, minLr: 0, warmupEpochs },
    normalization: { mean: [0, 0, 0], std: [1, 1, 1] },
  };
}

/** Two classes of 8×8 RGB images: a bright left half or a bright right half, plus noise. */
function halves(count: number, seed: number): TrainingData {
  const rng = new Rng(seed);
  const labels = Array.from({ length: count }, () => rng.int(2));
  const images = labels.map((label) => Float32Array.from({ length: 3 * 64 }, (_, i) => ((i % 8 < 4) === (label === 0) ? 1 : -1) + rng.normal(0, 0.8)));
  return {
    count,
    label: (i) => labels[i],
    pixels: (indices) => {
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
    ...sgd(0.05, 1),
    seed: 3,
  });
  assert.equal(result.history.length, 3);
  assert.ok(result.history[2].trainLoss < result.history[0].trainLoss, JSON.stringify(result.history));
  assert.ok(result.history[2].testAccuracy >= 0.95, `test accuracy ${result.history[2].testAccuracy}`);
  const after = result.graph.initializers.get('fc_w_6')!.data as Float32Array;
  assert.notDeepEqual(Array.from(after), Array.from(before));
  assert.deepEqual(Array.from(graph.initializers.get('fc_w_6')!.data as Float32Array), Array.from(before), 'the input graph is left unchanged');
});

/** Two classes of 8×8 RGB images: horizontal or vertical stripes, plus noise (global pooling can tell them apart). */
function stripes(count: number, seed: number): TrainingData {
  const rng = new Rng(seed);
  const labels = Array.from({ length: count }, () => rng.int(2));
  const images = labels.map((label) => Float32Array.from({ length: 3 * 64 }, (_, i) => ((label === 0 ? Math.floor((i % 64) / 8) : i % 8) % 2 === 0 ? 1 : -1) + rng.normal(0, 0.8)));
  return {
    count,
    label: (i) => labels[i],
    pixels: (indices) => {
      const out = new Float32Array(indices.length * 192);
      for (let b = 0; b < indices.length; b++) out.set(images[indices[b]], b * 192);
      return out;
    },
  };
}

test('a ResNet trains with BatchNorm on batch statistics, and its running statistics are learned', async () => {
  const graph = buildResNet({ inputSize: [3, 8, 8], numClasses: 2, block: 'basic', layers: [1], width: 4, stem: 'cifar', seed: 2 });
  const result = await trainClassifier(graph, stripes(256, 1), stripes(128, 2), {
    epochs: 3,
    batchSize: 32,
    ...sgd(0.05, 0),
    seed: 3,
  });
  assert.ok(result.history[2].testAccuracy >= 0.95, JSON.stringify(result.history));
  const mean = result.graph.initializers.get('bn_mean_4')!.data as Float32Array;
  const variance = result.graph.initializers.get('bn_var_5')!.data as Float32Array;
  assert.ok(mean.some((v) => Math.abs(v) > 1e-3), `running mean still zero: ${Array.from(mean)}`);
  assert.ok(variance.some((v) => Math.abs(v - 1) > 1e-3), `running var still one: ${Array.from(variance)}`);
  assert.equal(result.graph.nodes.filter((n) => n.opType === 'BatchNormalization').length, 3, 'the exported graph keeps inference-form BN');
});

test('training-mode BatchNorm matches its definition (batch statistics, biased variance)', async () => {
  const { batchNormToTraining } = await import('./batchnorm.js');
  const { discoverShapes } = await import('../onnx/shapes.js');
  const { createSession, tensor } = await import('../onnx/runtime.js');
  const { canonicalizeOpset } = await import('../onnx/opset.js');
  const graph = buildResNet({ inputSize: [3, 8, 8], numClasses: 2, block: 'basic', layers: [1], width: 4, stem: 'cifar', seed: 2 });
  canonicalizeOpset(graph);
  const shapes = await discoverShapes(graph);
  const [stem] = graph.nodes.filter((n) => n.opType === 'BatchNormalization');
  const stats = batchNormToTraining(graph, shapes);
  graph.outputs = [{ name: stem.output![0] }, { name: stem.input![0] }, { name: stats[0].batchMean }, { name: stats[0].batchVar }];
  const x = Float32Array.from({ length: 2 * 3 * 64 }, (_, i) => Math.sin(i * 0.7));
  const out = await (await createSession(graph)).run({ input: tensor('float32', x, [2, 3, 8, 8]) });
  const pre = out[stem.input![0]].data as Float32Array;
  const post = out[stem.output![0]].data as Float32Array;
  const c = 1;
  const values: number[] = [];
  for (let n = 0; n < 2; n++) for (let p = 0; p < 64; p++) values.push(pre[(n * 4 + c) * 64 + p]);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  assert.ok(Math.abs((out[stats[0].batchMean].data as Float32Array)[c] - mean) < 1e-5);
  assert.ok(Math.abs((out[stats[0].batchVar].data as Float32Array)[c] - variance) < 1e-5);
  // scale 1, bias 0 at initialisation
  assert.ok(Math.abs(post[(0 * 4 + c) * 64 + 5] - (values[5] - mean) / Math.sqrt(variance + 1e-5)) < 1e-4);
});

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

/** Two classes of 8×8 RGB images: pixel i is +1 where `bright(label, i)` holds, else -1, plus noise. */
function twoClassImages(count: number, seed: number, bright: (label: number, i: number) => boolean): TrainingData {
  const rng = new Rng(seed);
  const labels = Array.from({ length: count }, () => rng.int(2));
  const images = labels.map((label) => Float32Array.from({ length: 3 * 64 }, (_, i) => (bright(label, i) ? 1 : -1) + rng.normal(0, 0.8)));
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

/** A bright left half or a bright right half. */
const halves = (count: number, seed: number) => twoClassImages(count, seed, (label, i) => (i % 8 < 4) === (label === 0));

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

/** Horizontal or vertical stripes (global pooling can tell them apart). */
const stripes = (count: number, seed: number) => twoClassImages(count, seed, (label, i) => (label === 0 ? Math.floor((i % 64) / 8) : i % 8) % 2 === 0);

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

test('adversarial training: examples made by PGD in eval mode on live weights; frozen layers stay; the export is the EMA', async () => {
  const graph = buildSmallCnn({ inputSize: [3, 8, 8], numClasses: 2, widths: [4], hidden: 0, seed: 1 });
  const convWeight = graph.nodes.find((n) => n.opType === 'Conv')!.input![1];
  const frozenBefore = Array.from(graph.initializers.get(convWeight)!.data as Float32Array);
  // [0,1] pixels: the halves task moved into the unit box.
  const base = halves(192, 1);
  const unit: TrainingData = { ...base, pixels: (i) => base.pixels(i).map((v) => Math.min(1, Math.max(0, 0.5 + v / 6))) };
  const seen: number[] = [];
  const result = await trainClassifier(graph, unit, unit, {
    epochs: 2, batchSize: 16, seed: 3, ...sgd(0.05, 0),
    normalization: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
    adversarial: { eps: 0.05, steps: 2, stepSize: 0.03, randomStart: true, mode: 'clean-adversarial' },
    frozen: [new RegExp(`^${convWeight}$`)],
    emaDecay: 0.5,
    progress: (p) => seen.push(p.seen),
  });
  assert.ok(result.history[1].testAccuracy >= 0.9, JSON.stringify(result.history));
  assert.deepEqual(Array.from(result.graph.initializers.get(convWeight)!.data as Float32Array), frozenBefore, 'the frozen conv weight did not move');
  assert.equal(seen[seen.length - 1], 192);
});

test('the live classifier differentiates through the normalisation (finite differences) and PGD stays in the ε-ball', async () => {
  const { LiveClassifier, adversarialExamples } = await import('./adversarial.js');
  const { prepareModel, buildGradientGraph, gradientOutputName } = await import('../autodiff/gradient.js');
  const { createSession } = await import('../onnx/runtime.js');
  const graph = buildSmallCnn({ inputSize: [3, 8, 8], numClasses: 2, widths: [4], hidden: 0, seed: 5 });
  const prepared = await prepareModel(graph);
  const g = await buildGradientGraph(prepared, { loss: 'ce', input: true });
  const forward = await createSession(prepared.graph);
  const gradient = await createSession(g.graph);
  const norm = { mean: [0.4, 0.5, 0.6], std: [0.2, 0.3, 0.25] };
  const model = new LiveClassifier([3, 8, 8], 2, { inputName: 'input', logitsName: prepared.logitsName, lossName: g.lossName, inputGradientName: gradientOutputName('input'), forward, gradient, feeds: () => ({}) }, norm);
  const x = Float32Array.from({ length: 192 }, (_, i) => 0.5 + 0.4 * Math.sin(i));
  const logits = await model.logits(x, 1);
  const labels = Int32Array.of(logits[1] > logits[0] ? 1 : 0); // correctly classified, so PGD has work to do
  const { gradient: dx, loss } = await model.lossAndGradient(x, 1, labels, { kind: 'ce' });
  for (const i of [3, 70, 150]) {
    const h = 1e-2;
    const plus = x.slice();
    plus[i] += h;
    const minus = x.slice();
    minus[i] -= h;
    const lp = (await model.lossAndGradient(plus, 1, labels, { kind: 'ce' })).loss[0];
    const lm = (await model.lossAndGradient(minus, 1, labels, { kind: 'ce' })).loss[0];
    assert.ok(Math.abs((lp - lm) / (2 * h) - dx[i]) < 2e-3 + 0.02 * Math.abs(dx[i]), `pixel ${i}: ${(lp - lm) / (2 * h)} vs ${dx[i]}`);
  }
  const adv = await adversarialExamples(model, { eps: 0.03, steps: 3, stepSize: 0.02, randomStart: true }, x, labels, new Rng(1), [0]);
  assert.ok(adv.every((v, i) => Math.abs(v - x[i]) <= 0.03 + 1e-6 && v >= 0 && v <= 1));
  const advLoss = (await model.lossAndGradient(adv, 1, labels, { kind: 'ce' })).loss[0];
  assert.ok(advLoss > loss[0], `adversarial loss ${advLoss} > clean ${loss[0]}`);
});

test('AugMix with the consistency loss trains on three views per sample and counts each sample once', async () => {
  const graph = buildSmallCnn({ inputSize: [3, 8, 8], numClasses: 2, widths: [4], hidden: 0, seed: 1 });
  const base = halves(64, 1);
  const unit: TrainingData = { ...base, pixels: (i) => base.pixels(i).map((v) => Math.min(1, Math.max(0, 0.5 + v / 6))) };
  const seen: number[] = [];
  const result = await trainClassifier(graph, unit, unit, {
    epochs: 2, batchSize: 16, seed: 3, ...sgd(0.05, 0),
    augmixConsistency: { settings: { severity: 3, width: 3, depth: -1, alpha: 1 }, weight: 12 },
    progress: (p) => seen.push(p.seen),
  });
  assert.equal(seen[seen.length - 1], 64);
  assert.ok(result.history.every((h) => Number.isFinite(h.trainLoss)));
  assert.ok(result.history[1].testAccuracy >= 0.8, JSON.stringify(result.history));
  await assert.rejects(trainClassifier(graph, unit, unit, { epochs: 1, batchSize: 16, seed: 3, ...sgd(0.05, 0), augmixConsistency: { settings: { severity: 3, width: 3, depth: -1, alpha: 1 }, weight: 12 }, mix: { mixupAlpha: 0.2, cutmixAlpha: 0, switchProbability: 0.5 } }), /cannot be combined/);
});

test('TRADES training: every sample trains clean plus its KL example, counted once; mixing it with Mixup is refused', async () => {
  const graph = buildSmallCnn({ inputSize: [3, 8, 8], numClasses: 2, widths: [4], hidden: 0, seed: 1 });
  const base = halves(96, 1);
  const unit: TrainingData = { ...base, pixels: (i) => base.pixels(i).map((v) => Math.min(1, Math.max(0, 0.5 + v / 6))) };
  const seen: number[] = [];
  const settings = {
    epochs: 2, batchSize: 16, seed: 3, ...sgd(0.05, 0),
    normalization: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
    adversarial: { eps: 0.05, steps: 2, stepSize: 0.02, randomStart: true, mode: 'trades' as const, beta: 6 },
    progress: (p: { seen: number }) => seen.push(p.seen),
  };
  const result = await trainClassifier(graph, unit, unit, settings);
  assert.equal(seen[seen.length - 1], 96);
  assert.ok(result.history.every((h) => Number.isFinite(h.trainLoss)));
  assert.ok(result.history[1].testAccuracy >= 0.9, JSON.stringify(result.history));
  const again = await trainClassifier(graph, unit, unit, settings);
  assert.deepEqual(Array.from(again.graph.initializers.get('fc_w_6')!.data as Float32Array), Array.from(result.graph.initializers.get('fc_w_6')!.data as Float32Array), 'same seed, same weights');
  await assert.rejects(trainClassifier(graph, unit, unit, { ...settings, mix: { mixupAlpha: 0.2, cutmixAlpha: 0, switchProbability: 0.5 } }), /TRADES cannot be combined/);
  await assert.rejects(trainClassifier(graph, unit, unit, { ...settings, adversarial: { ...settings.adversarial, randomStart: false } }), /random start/);
});

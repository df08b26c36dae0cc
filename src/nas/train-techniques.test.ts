import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainSupernet, type SubnetPass, type SupernetTrainSettings } from './train.js';
import { buildSupernet } from './supernet.js';
import { extractSubnet } from './extract.js';
import { RobustartError } from '../errors.js';
import { loadSpace } from './space.js';
import { fileURLToPath } from 'node:url';
import { tinyResNetSpace, randomImages, imagesAsData } from '../testing/nas-fixtures.js';
import { buildSmallCnn } from '../model/builders/index.js';
import { prepareModel, buildGradientGraph } from '../autodiff/gradient.js';
import { createSession, tensor } from '../onnx/runtime.js';
import { batchNormToTraining } from '../train/batchnorm.js';
import { dropoutToTraining } from '../train/dropout.js';
import { softTargetHead, TEACHER_TARGETS_INPUT, SOFT_TARGETS_INPUT } from '../train/loss-head.js';
import { softmaxAtTemperature } from '../train/targets.js';
import type { TrainingData } from '../train/trainer.js';

// One sandwich step (8 images, largest + smallest + 1 random subnet) of the tiny two-resolution space
// with each technique switched on, checked against the ordinary trainer's loss head on each extracted subnet.
const space = tinyResNetSpace();
const COUNT = 8;
const SEED = 4;
const LR = 0.5;

function dataAt(side: number): TrainingData {
  return imagesAsData(randomImages(COUNT, 3, side, 2), COUNT, 3, side, (i) => i % space.classes);
}
const sets = new Map(space.resolution.map((r) => [r, dataAt(r)]));

const base = {
  epochs: 1, batchSize: COUNT, seed: SEED, randomSubnets: 1,
  // Plain SGD without decay: the first step moves a weight by −lr · (its accumulated gradient).
  optimizer: { kind: 'sgd' as const, momentum: 0, nesterov: false, weightDecay: 0 },
  schedule: { baseLr: LR, warmupLr: LR, minLr: 0, warmupEpochs: 0 },
  normalization: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
};

async function oneStep(extra: Partial<SupernetTrainSettings>) {
  const passes: SubnetPass[] = [];
  const result = await trainSupernet(space, sets, sets, { ...base, ...extra, onPass: (p) => passes.push(p) });
  return { passes, graph: result.graph };
}

/**
 * The pass's loss per row and fc.bias gradient recomputed on the subnet extracted from the initial
 * supernet, through the trainer's own head (training-form BatchNorm, head dropout), fed what the pass was fed.
 */
async function throughTrainerHead(pass: SubnetPass, head: Parameters<typeof softTargetHead>[0], dropRate = 0): Promise<{ loss: Float32Array; biasGradient: Float32Array }> {
  const prepared = await prepareModel(extractSubnet(space, buildSupernet(space, { seed: SEED }).graph, pass.choices));
  const graph = prepared.graph.clone();
  const shapes = new Map(prepared.shapes);
  const batchNorms = batchNormToTraining(graph, shapes);
  const masks = dropoutToTraining(graph, shapes, prepared.logitsName, dropRate);
  // The batch statistics as outputs, as the trainer asks for them (a training-mode BN whose statistics
  // nobody reads may be fused into its convolution with the running statistics).
  const extraOutputs = batchNorms.flatMap((b) => [b.batchMean, b.batchVar]);
  const gradient = await buildGradientGraph({ ...prepared, graph, shapes }, { loss: softTargetHead(head), input: false, parameters: ['fc.bias'], extraOutputs });
  const session = await createSession(gradient.graph, {}, 'reference subnet');
  const inputs = new Set(gradient.graph.inputs.map((i) => i.name));
  const feeds = Object.fromEntries(Object.entries(pass.feeds).filter(([name]) => inputs.has(name)));
  for (const mask of masks) {
    // The supernet's head mask covers its widest features; the subnet's are the leading ones.
    const wide = Object.entries(pass.feeds).find(([name]) => name.includes('dropout_mask') && !inputs.has(name))![1];
    const rows = wide.dims[0] as number;
    const width = wide.dims[1] as number;
    const data = wide.data as Float32Array;
    feeds[mask.input] = tensor('float32', Float32Array.from({ length: rows * mask.perSample }, (_, i) => data[Math.floor(i / mask.perSample) * width + (i % mask.perSample)]), [rows, mask.perSample]);
  }
  const out = await session.run(feeds);
  await session.release();
  return { loss: out[gradient.lossName].data as Float32Array, biasGradient: out[gradient.gradients.get('fc.bias')!].data as Float32Array };
}

/** Each pass's loss equals the trainer's head on its subnet, and the step's fc.bias move is −lr · Σ (gradient / averaged rows). */
async function checkStep(extra: Partial<SupernetTrainSettings>, head: Parameters<typeof softTargetHead>[0], averagedOver: (rows: number) => number, dropRate = 0) {
  const { passes, graph } = await oneStep(extra);
  assert.equal(passes.length, 3);
  const summed = new Float64Array(space.classes);
  for (const pass of passes) {
    const reference = await throughTrainerHead(pass, head, dropRate);
    assert.equal(pass.loss.length, reference.loss.length);
    pass.loss.forEach((v, i) => assert.ok(Math.abs(v - reference.loss[i]) < 2e-4 * (1 + Math.abs(v)), `pass ${pass.position} row ${i}: ${v} vs ${reference.loss[i]}`));
    reference.biasGradient.forEach((g, c) => (summed[c] += g / averagedOver(pass.rows.labels.length)));
  }
  const before = buildSupernet(space, { seed: SEED }).graph.initializers.get('fc.bias')!.data as Float32Array;
  const after = graph.initializers.get('fc.bias')!.data as Float32Array;
  summed.forEach((g, c) => assert.ok(Math.abs(before[c] - after[c] - LR * g) < 1e-4, `fc.bias[${c}] moved ${before[c] - after[c]}, expected ${LR * g}`));
  return passes;
}

/** Two passes at one resolution: of three passes over two resolutions, the random one shares its side with another. */
function atOneResolution(passes: SubnetPass[]): SubnetPass[] {
  const same = passes.filter((p) => p.choices.resolution === passes[2].choices.resolution);
  assert.equal(same.length, 2);
  return same;
}

test('Mixup/CutMix in the sandwich: one mixed batch per step; the largest learns the mixed targets, the others its soft labels on it', { timeout: 120_000 }, async () => {
  const mix = { mixupAlpha: 0.4, cutmixAlpha: 0, switchProbability: 0.5 };
  const passes = await checkStep({ mix }, {}, (n) => n);
  const largest = passes[0];
  const targets = largest.feeds[SOFT_TARGETS_INPUT].data as Float32Array;
  // Mixed with the flipped batch: row 0 carries its own label and the last sample's.
  assert.ok(targets[largest.rows.labels[0]] > 0 && targets[largest.rows.labels[0]] < 1 && targets[largest.rows.labels[COUNT - 1]] > 0);
  const soft = softmaxAtTemperature(largest.logits, space.classes, 1);
  for (const pass of passes.slice(1)) {
    assert.deepEqual(pass.feeds[SOFT_TARGETS_INPUT].data, soft, 'in-place targets: the largest on the mixed batch');
    if (pass.choices.resolution === largest.choices.resolution) assert.deepEqual(pass.feeds.input.data, largest.feeds.input.data, 'the same mixed batch');
  }
});

test('PGD adversarial training in the sandwich: each subnet attacks itself from per-sample starts; clean half plus its examples', { timeout: 120_000 }, async () => {
  const adversarial = { eps: 0.05, steps: 2, stepSize: 0.03, randomStart: true, mode: 'clean-adversarial' as const };
  const passes = await checkStep({ adversarial }, {}, (n) => n);
  const half = COUNT / 2;
  for (const pass of passes) {
    assert.equal(pass.rows.labels.length, 2 * half);
    const size = pass.rows.pixels.length / (2 * half);
    const clean = pass.rows.pixels.subarray(0, half * size);
    const examples = pass.rows.pixels.subarray(half * size);
    assert.ok(examples.every((v, i) => Math.abs(v - clean[i]) <= 0.05 + 1e-6 && v >= 0 && v <= 1));
    assert.ok(examples.some((v, i) => v !== clean[i]));
  }
  // Same resolution, other subnet: other examples.
  const same = atOneResolution(passes);
  assert.notDeepEqual(same[1].rows.pixels, same[0].rows.pixels);
});

test('TRADES in the sandwich: every subnet trains clean plus its own KL examples, β on the KL term, averaged over the samples', { timeout: 120_000 }, async () => {
  const adversarial = { eps: 0.05, steps: 2, stepSize: 0.03, randomStart: true, mode: 'trades' as const, beta: 6 };
  const passes = await checkStep({ adversarial }, { trades: true }, (n) => n / 2);
  for (const pass of passes) assert.equal(pass.rows.labels.length, 2 * COUNT);
});

test('AugMix with its JS term in the sandwich: the three views through every subnet, each with its own consistency term', { timeout: 120_000 }, async () => {
  const augmixConsistency = { settings: { severity: 3, width: 3, depth: -1, alpha: 1 }, weight: 12 };
  const passes = await checkStep({ augmixConsistency }, { jsdWeight: 12 }, (n) => n / 3);
  for (const pass of passes) assert.equal(pass.rows.labels.length, 3 * COUNT);
  const same = atOneResolution(passes);
  assert.deepEqual(same[1].rows.pixels, same[0].rows.pixels, 'the views are made once per step');
});

test('a teacher teaches the largest subnet; the others distil in place (or from the teacher without in-place distillation)', { timeout: 120_000 }, async () => {
  const largestSide = Math.max(...space.resolution);
  const teacher = buildSmallCnn({ inputSize: [3, largestSide, largestSide], numClasses: space.classes, widths: [4], hidden: 0, seed: 1 });
  const distillation = { teacher, temperature: 2, alpha: 0.5 };
  const passes = await checkStep({ distillation }, { distillation: true }, (n) => n);
  const taught = passes[0].feeds[TEACHER_TARGETS_INPUT].data as Float32Array;
  const t = await createSession(teacher, {}, 'teacher');
  const logits = (await t.run({ input: passes[0].feeds.input }))['logits'];
  await t.release();
  const expected = softmaxAtTemperature(logits.data as Float32Array, space.classes, 2).map((v) => v * 0.5 * 4);
  taught.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6));
  for (const pass of passes.slice(1)) assert.ok((pass.feeds[TEACHER_TARGETS_INPUT].data as Float32Array).every((v) => v === 0));
  // Without in-place distillation every pass sees the teacher, so its input must fit every resolution.
  await assert.rejects(trainSupernet(space, sets, sets, { ...base, distillation, inplaceDistillation: false }), /the teacher takes 3×16×16 inputs .* see 3×12×12/);
});

test('dropout and drop-path in the sandwich: masks per sample and per pass, the same whatever the batch position', { timeout: 120_000 }, async () => {
  await checkStep({ dropRate: 0.3 }, {}, (n) => n, 0.3);
  const masksOf = (pass: SubnetPass) => Object.entries(pass.feeds).filter(([name]) => name.includes('dropout_mask')).map(([, t]) => t.data as Float32Array);
  const { passes } = await oneStep({ dropRate: 0.3, dropPath: 0.5 });
  const first = masksOf(passes[0]);
  assert.equal(first.length, 1 + 4, 'the head and every residual branch but the first (rate 0)');
  assert.notDeepEqual(masksOf(passes[1]), first, 'each pass draws its own masks');
  // The largest subnet's head mask of a sample is the same in batches of 8 and of 4 (other rows, other steps).
  const headRows = (list: SubnetPass[]) => {
    const bySample = new Map<number, number[]>();
    for (const pass of list.filter((p) => p.position === 0)) {
      const head = masksOf(pass)[masksOf(pass).length - 1];
      const width = head.length / pass.rows.labels.length;
      pass.rows.rowSamples.forEach((sample, r) => bySample.set(sample, Array.from(head.subarray(r * width, (r + 1) * width))));
    }
    return bySample;
  };
  const halves: SubnetPass[] = [];
  await trainSupernet(space, sets, sets, { ...base, batchSize: COUNT / 2, dropRate: 0.3, dropPath: 0.5, onPass: (p) => halves.push(p) });
  const whole = headRows(passes);
  const split = headRows(halves);
  assert.equal(split.size, COUNT);
  for (const [sample, mask] of whole) assert.deepEqual(split.get(sample), mask, `sample ${sample}`);
  assert.ok([...whole.values()].some((m) => m.includes(0)), 'some features are dropped');
});

test('combinations the trainer refuses stay refused in the sandwich', async () => {
  const augmixConsistency = { settings: { severity: 3, width: 3, depth: -1, alpha: 1 }, weight: 12 };
  const mix = { mixupAlpha: 0.2, cutmixAlpha: 0, switchProbability: 0.5 };
  await assert.rejects(trainSupernet(space, sets, sets, { ...base, augmixConsistency, mix }), (e) => e instanceof RobustartError && /^AugMix with its consistency loss cannot be combined/.test(e.message));
  const trades = { eps: 0.05, steps: 2, stepSize: 0.03, randomStart: true, mode: 'trades' as const };
  await assert.rejects(trainSupernet(space, sets, sets, { ...base, adversarial: trades, mix }), /TRADES cannot be combined/);
  await assert.rejects(trainSupernet(space, sets, sets, { ...base, adversarial: { ...trades, randomStart: false } }), /random start/);
});

test('the demo space with PGD-AT, Mixup, a teacher, dropout and drop-path together: the same seed gives the same supernet', { timeout: 300_000 }, async () => {
  const demo = loadSpace(fileURLToPath(new URL('../../nas/spaces/fashion-tiny.yaml', import.meta.url)));
  const side = demo.resolution[0];
  const data: TrainingData = imagesAsData(randomImages(4, 3, side, 3), 4, 3, side, (i) => i % demo.classes);
  const demoSets = new Map([[side, data]]);
  const teacher = buildSmallCnn({ inputSize: [3, side, side], numClasses: demo.classes, widths: [4], hidden: 0, seed: 1 });
  const settings: SupernetTrainSettings = {
    ...base, batchSize: 4, labelSmoothing: 0.1,
    adversarial: { eps: 0.03, steps: 1, stepSize: 0.03, randomStart: true, mode: 'clean-adversarial' },
    mix: { mixupAlpha: 0.2, cutmixAlpha: 1, switchProbability: 0.5 },
    distillation: { teacher, temperature: 4, alpha: 0.9 },
    dropRate: 0.2, dropPath: 0.1,
  };
  const first = await trainSupernet(demo, demoSets, demoSets, settings);
  const second = await trainSupernet(demo, demoSets, demoSets, settings);
  const initial = buildSupernet(demo, { seed: SEED }).graph;
  for (const [name, t] of first.graph.initializers) assert.deepEqual(second.graph.initializers.get(name)!.data, t.data, name);
  assert.notDeepEqual(first.graph.initializers.get('fc.weight')!.data, initial.initializers.get('fc.weight')!.data);
  const other = await trainSupernet(demo, demoSets, demoSets, { ...settings, seed: SEED + 1 });
  assert.notDeepEqual(other.graph.initializers.get('fc.bias')!.data, first.graph.initializers.get('fc.bias')!.data, 'another seed, another run');
});

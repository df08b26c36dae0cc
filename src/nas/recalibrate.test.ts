import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSession, tensor } from '../onnx/runtime.js';
import { prepareModel } from '../autodiff/gradient.js';
import { batchNormToTraining } from '../train/batchnorm.js';
import { recalibrateBatchNorm, RECALIBRATION_IMAGES } from './recalibrate.js';
import { buildSubnet } from './supernet.js';
import { randomChoices } from './space.js';
import { tinyResNetSpace, randomizeBatchNorms, randomImages, imagesAsData } from '../testing/nas-fixtures.js';
import { Rng } from '../util/rng.js';

test('RobustART recalibrates BatchNorm on 4,096 training images', () => {
  assert.equal(RECALIBRATION_IMAGES, 4096);
});

test('BN recalibration equals the statistics of each BN input computed directly over all images', async () => {
  const space = tinyResNetSpace();
  const choices = { ...randomChoices(space, new Rng(3)), resolution: 12 };
  const graph = buildSubnet(space, choices, { seed: 2 });
  randomizeBatchNorms(graph, 9);
  const count = 20;
  const side = 12;
  const plane = side * side;
  const pixels = randomImages(count, 3, side, 4);
  const images = imagesAsData(pixels, count, 3, side, () => 0);
  const normalization = { mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3] };
  const indices = Array.from({ length: count }, (_, i) => (7 * i) % count);
  // Batches of 5 (four equal batches): the cumulative average equals the per-batch statistics' mean.
  const recalibrated = await recalibrateBatchNorm(graph, images, { indices, batchSize: 5, normalization });

  // Direct: each BN's input values in training mode, batch by batch, reduced here in float64.
  const prepared = await prepareModel(graph);
  const training = prepared.graph.clone();
  const shapes = new Map(prepared.shapes);
  batchNormToTraining(training, shapes);
  const bnInputs = graph.nodes.filter((n) => n.opType === 'BatchNormalization').map((n) => ({ x: n.input![0], mean: n.input![3], variance: n.input![4] }));
  training.outputs = bnInputs.map((b) => ({ name: b.x }));
  const session = await createSession(training);
  const expected = bnInputs.map(() => ({ mean: [] as number[], variance: [] as number[] }));
  for (let start = 0; start < count; start += 5) {
    const batch = indices.slice(start, start + 5);
    const input = images.pixels(batch).map((v, i) => (v - normalization.mean[Math.floor(i / plane) % 3]) / normalization.std[Math.floor(i / plane) % 3]);
    const out = await session.run({ input: tensor('float32', input, [5, 3, side, side]) });
    bnInputs.forEach((b, k) => {
      const [n, c, h, w] = out[b.x].dims as number[];
      const x = out[b.x].data as Float32Array;
      for (let ch = 0; ch < c; ch++) {
        const values: number[] = [];
        for (let s = 0; s < n; s++) for (let p = 0; p < h * w; p++) values.push(x[(s * c + ch) * h * w + p]);
        const mean = values.reduce((a, v) => a + v, 0) / values.length;
        const unbiased = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
        expected[k].mean[ch] = (expected[k].mean[ch] ?? 0) + mean / 4;
        expected[k].variance[ch] = (expected[k].variance[ch] ?? 0) + unbiased / 4;
      }
    });
  }
  await session.release();
  bnInputs.forEach((b, k) => {
    const mean = recalibrated.initializers.get(b.mean)!.data as Float32Array;
    const variance = recalibrated.initializers.get(b.variance)!.data as Float32Array;
    expected[k].mean.forEach((m, c) => assert.ok(Math.abs(mean[c] - m) < 1e-4 * Math.max(1, Math.abs(m)), `${b.mean}[${c}]: ${mean[c]} vs ${m}`));
    expected[k].variance.forEach((v, c) => assert.ok(Math.abs(variance[c] - v) < 1e-4 * Math.max(1, v), `${b.variance}[${c}]: ${variance[c]} vs ${v}`));
  });
  // Weights are untouched.
  for (const [name, t] of graph.initializers) if (!/running_(mean|var)$/.test(name)) assert.deepEqual(recalibrated.initializers.get(name)!.data, t.data, name);
});

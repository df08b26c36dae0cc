import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleRows, augmixViews, adversarialRows, averagedRows, rowTargets, dropoutFeeds } from './rows.js';
import type { DifferentiableClassifier, LossSpec } from '../model/differentiable.js';
import type { SoftTargetOracle } from './trades.js';
import { softmaxAtTemperature } from './targets.js';
import { rngFor, Rng } from '../util/rng.js';
import { DataType } from '../onnx/proto.js';
import type { ShapeMap } from '../onnx/shapes.js';

const SHAPE = { channels: 1, height: 2, width: 2 };
const SIZE = 4;
const CLASSES = 2;

/** A per-sample linear classifier, z = W·x: no sample sees another, so an example depends on its own start only. */
class Linear implements DifferentiableClassifier, SoftTargetOracle {
  readonly inputShape = [1, 2, 2] as const;
  readonly numClasses = CLASSES;
  private readonly w = [Float32Array.of(1, -2, 0.5, 3), Float32Array.of(-1, 1, 2, -0.5)];
  async logits(images: Float32Array, batch: number): Promise<Float32Array> {
    const out = new Float32Array(batch * CLASSES);
    for (let n = 0; n < batch; n++) for (let k = 0; k < CLASSES; k++) for (let i = 0; i < SIZE; i++) out[n * CLASSES + k] += this.w[k][i] * images[n * SIZE + i];
    return out;
  }
  /** ∇ₓ of −Σ q·log softmax(W·x) = Wᵀ(p − q). */
  private async gradientFor(images: Float32Array, batch: number, targets: Float32Array): Promise<Float32Array> {
    const p = softmaxAtTemperature(await this.logits(images, batch), CLASSES, 1);
    const g = new Float32Array(images.length);
    for (let n = 0; n < batch; n++) for (let k = 0; k < CLASSES; k++) for (let i = 0; i < SIZE; i++) g[n * SIZE + i] += this.w[k][i] * (p[n * CLASSES + k] - targets[n * CLASSES + k]);
    return g;
  }
  async lossAndGradient(images: Float32Array, batch: number, labels: Int32Array, _loss: LossSpec) {
    const targets = new Float32Array(batch * CLASSES);
    labels.forEach((l, n) => (targets[n * CLASSES + l] = 1));
    const logits = await this.logits(images, batch);
    const p = softmaxAtTemperature(logits, CLASSES, 1);
    return { loss: Float32Array.from(labels, (l, n) => -Math.log(p[n * CLASSES + l])), gradient: await this.gradientFor(images, batch, targets), logits };
  }
  async probabilities(images: Float32Array, batch: number) {
    return softmaxAtTemperature(await this.logits(images, batch), CLASSES, 1);
  }
  async softTargetGradient(images: Float32Array, batch: number, targets: Float32Array) {
    return this.gradientFor(images, batch, targets);
  }
}

/** Three samples (ids 7, 3, 9) of 2×2 grey images in [0.2, 0.8]. */
function batchOf(ids: number[]) {
  const pixels = new Float32Array(ids.length * SIZE);
  ids.forEach((id, b) => {
    const rng = new Rng(id);
    for (let i = 0; i < SIZE; i++) pixels[b * SIZE + i] = rng.uniformIn(0.2, 0.8);
  });
  return sampleRows(pixels, ids, ids.map((id) => id % CLASSES));
}

const rowOf = (rows: { pixels: Float32Array; rowSamples: readonly number[] }, sample: number, copy = 0) => {
  const r = rows.rowSamples.map((s, i) => [s, i]).filter(([s]) => s === sample)[copy][1];
  return Array.from(rows.pixels.subarray(r * SIZE, (r + 1) * SIZE));
};

test('adversarial rows: a sample gets the same PGD or TRADES example wherever it sits in the batch', async () => {
  const model = new Linear();
  for (const mode of ['adversarial', 'trades'] as const) {
    const settings = { eps: 0.1, steps: 3, stepSize: 0.04, randomStart: true, mode, beta: 6 };
    const forward = await adversarialRows(model, settings, batchOf([7, 3, 9]), rngFor(1, 2));
    const reversed = await adversarialRows(model, settings, batchOf([9, 3, 7]), rngFor(1, 2));
    for (const sample of [7, 3, 9]) assert.deepEqual(rowOf(reversed, sample, mode === 'trades' ? 1 : 0), rowOf(forward, sample, mode === 'trades' ? 1 : 0), `${mode} sample ${sample}`);
    const other = await adversarialRows(model, settings, batchOf([7, 3, 9]), rngFor(1, 3));
    assert.notDeepEqual(rowOf(other, 7, mode === 'trades' ? 1 : 0), rowOf(forward, 7, mode === 'trades' ? 1 : 0), 'another attack stream, another start');
  }
});

test('row layouts: clean-adversarial halves the batch and averages over every row; TRADES and AugMix pair rows and average over samples', async () => {
  const model = new Linear();
  const half = await adversarialRows(model, { eps: 0.1, steps: 1, stepSize: 0.1, randomStart: true, mode: 'clean-adversarial' }, batchOf([7, 3, 9, 4]), rngFor(1, 2));
  assert.deepEqual(half.rowSamples, [7, 3, 7, 3]);
  assert.equal(averagedRows(half), 4);
  const trades = await adversarialRows(model, { eps: 0.1, steps: 1, stepSize: 0.1, randomStart: true, mode: 'trades' }, batchOf([7, 3]), rngFor(1, 2));
  assert.deepEqual(trades.rowSamples, [7, 3, 7, 3]);
  assert.equal(averagedRows(trades), 2);
  const targets = rowTargets(trades, CLASSES, 0.1);
  assert.deepEqual(Array.from(targets.subarray(2 * CLASSES)), [0, 0, 0, 0], 'the KL rows have no label term');
  assert.ok(Math.abs(targets[1] - 0.95) < 1e-7 && Math.abs(targets[0] - 0.05) < 1e-7, 'sample 7 (label 1) smoothed');
  const views = augmixViews(batchOf([7, 3]), { severity: 3, width: 3, depth: -1, alpha: 1 }, 5, 1, SHAPE);
  assert.deepEqual(views.rowSamples, [7, 3, 7, 3, 7, 3]);
  assert.equal(averagedRows(views), 2);
  assert.deepEqual(rowOf(views, 3, 0), rowOf(batchOf([3]), 3));
  assert.deepEqual(rowOf(augmixViews(batchOf([3, 7]), { severity: 3, width: 3, depth: -1, alpha: 1 }, 5, 1, SHAPE), 7, 2), rowOf(views, 7, 2), 'views keyed by sample, not row');
});

test('dropout feeds: row r is copy c of its sample and its mask comes from (sample, copy, mask) alone', () => {
  const mask = { input: 'features_mask', rate: 0.5, perSample: 6 };
  const shapes: ShapeMap = new Map([[mask.input, { dims: [null, 6], dataType: DataType.FLOAT }]]);
  const stream = (sample: number, copy: number, k: number) => rngFor(11, sample, copy, k);
  const rows = { ...batchOf([7, 3]), rowSamples: [7, 3, 7, 3], labels: [1, 1, 1, 1], paired: true };
  const feeds = dropoutFeeds([mask], shapes, rows, stream);
  const data = feeds[mask.input].data as Float32Array;
  assert.deepEqual(feeds[mask.input].dims, [4, 6]);
  const expected = (sample: number, copy: number) => {
    const rng = stream(sample, copy, 0);
    return Array.from({ length: 6 }, () => (rng.uniform() < 0.5 ? 2 : 0));
  };
  assert.deepEqual(Array.from(data.subarray(0, 6)), expected(7, 0));
  assert.deepEqual(Array.from(data.subarray(12, 18)), expected(7, 1));
  assert.deepEqual(Array.from(data.subarray(18, 24)), expected(3, 1));
});

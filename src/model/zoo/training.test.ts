// Training graphs of the zoo: for each family, the training form (BatchNorm on batch statistics, as
// src/train builds it) of the reduced reference model differentiates to PyTorch autograd's summed
// cross-entropy gradients (float64 reference from tools/zoo-reference.py, train mode, no dropout),
// and each family's small preset runs a training step with src/train's trainer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readParityFixture, fixtureGraph } from '../../testing/zoo-fixtures.js';
import { loadWeights, presetEntries, buildPreset, architectureNames } from './index.js';
import { prepareModel, buildGradientGraph } from '../../autodiff/gradient.js';
import { LABELS_INPUT } from '../../autodiff/loss-heads.js';
import { batchNormToTraining } from '../../train/batchnorm.js';
import { trainClassifier, type TrainingData } from '../../train/trainer.js';
import { createSession, tensor } from '../../onnx/runtime.js';
import { Rng } from '../../util/rng.js';

const GRADIENTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'zoo', 'gradients');
const TOLERANCE = 1e-4;

function relativeL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < b.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    norm += b[i] ** 2;
  }
  return Math.sqrt(diff / norm);
}

for (const family of architectureNames().sort()) {
  test(`${family}: training-graph gradients match PyTorch autograd (rel err <= ${TOLERANCE})`, async (t) => {
    const meta = JSON.parse(readFileSync(join(GRADIENTS, `${family}.json`), 'utf8'));
    const blob = readFileSync(join(GRADIENTS, `${family}.bin`));
    const tensors = new Map<string, { dims: number[]; data: Float32Array }>();
    for (const { name, dims, offset } of meta.tensors as { name: string; dims: number[]; offset: number }[]) {
      const n = dims.reduce((a, b) => a * b, 1);
      tensors.set(name, { dims, data: new Float32Array(blob.buffer.slice(blob.byteOffset + offset, blob.byteOffset + offset + 4 * n)) });
    }
    const f = readParityFixture(family);
    const prepared = await prepareModel(loadWeights(fixtureGraph(f), f.weights));
    const training = prepared.graph.clone();
    const shapes = new Map(prepared.shapes);
    batchNormToTraining(training, shapes);
    const parameters = [...tensors.keys()].filter((k) => k.startsWith('grad:') && k !== 'grad:input').map((k) => k.slice(5));
    const gradient = await buildGradientGraph({ ...prepared, graph: training, shapes }, { loss: 'ce', input: true, parameters });
    const session = await createSession(gradient.graph);
    const x = tensors.get('input')!;
    const out = await session.run({ input: tensor('float32', x.data, x.dims), [LABELS_INPUT]: tensor('int64', BigInt64Array.from(meta.labels.map(BigInt)), [meta.labels.length]) });
    await session.release();
    const loss = Array.from(out[gradient.lossName].data as Float32Array).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(loss - meta.loss) <= TOLERANCE * Math.abs(meta.loss), `loss ${loss} vs ${meta.loss}`);
    for (const source of ['input', ...parameters]) {
      const err = relativeL2(out[gradient.gradients.get(source)!].data as Float32Array, tensors.get(`grad:${source}`)!.data);
      t.diagnostic(`${source}: rel err ${err.toExponential(2)}`);
      assert.ok(err <= TOLERANCE, `${source}: gradient rel err ${err.toExponential(2)}`);
    }
  });
}

/** The images are already centred: the trainer's normalisation leaves them as they are. */
const IDENTITY = { mean: [0, 0, 0], std: [1, 1, 1] };

/** A few synthetic 3×32×32 images whose class shifts the mean brightness (learnable in a step or two). */
function syntheticData(count: number, seed: number): TrainingData {
  const rng = new Rng(seed);
  const labels = Array.from({ length: count }, (_, i) => i % 10);
  const images = labels.map((label) => Float32Array.from({ length: 3 * 32 * 32 }, () => rng.normal() * 0.5 + (label - 4.5) / 5));
  return {
    count,
    label: (i) => labels[i],
    pixels: (indices) => {
      const out = new Float32Array(indices.length * 3 * 32 * 32);
      Array.from(indices).forEach((idx, j) => out.set(images[idx], j * 3 * 32 * 32));
      return out;
    },
  };
}

test('the small preset of every family trains a step on 3×32×32 inputs with 10 classes', async () => {
  const small = presetEntries().filter((e) => e.preset.small);
  assert.deepEqual(small.map((e) => e.architecture).sort(), architectureNames().sort(), 'one small preset per family');
  const data = syntheticData(8, 3);
  const heldOut = syntheticData(2, 4);
  for (const entry of small) {
    const graph = buildPreset(entry.name, { seed: 1 });
    assert.deepEqual(JSON.parse(graph.metadata.input_size), [3, 32, 32]);
    const result = await trainClassifier(graph, data, heldOut, { epochs: 1, batchSize: 8, seed: 1, optimizer: { kind: 'sgd', momentum: 0.9, nesterov: false, weightDecay: 0 }, schedule: { baseLr: 0.01, warmupLr: 0.01, minLr: 0.01, warmupEpochs: 0 }, normalization: IDENTITY });
    assert.ok(Number.isFinite(result.history[0].trainLoss), `${entry.name}: loss ${result.history[0].trainLoss}`);
    const changed = [...graph.initializers].some(([name, t]) => {
      const after = result.graph.initializers.get(name)!.data as Float32Array;
      return t.dims.length > 1 && (t.data as Float32Array).some((v, i) => v !== after[i]);
    });
    assert.ok(changed, `${entry.name}: a training step changes the weights`);
  }
});

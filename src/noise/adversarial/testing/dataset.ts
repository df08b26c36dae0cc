// A tiny synthetic image-classification task and a tanh MLP trained on it, made by code so tests need no fixture files.
// Each class is a smooth random prototype image; samples are prototype + Gaussian pixel noise, clipped to [0,1].
import { Rng } from '../../../util/rng.js';
import { MlpClassifier, softmax } from './mlp.js';

export interface TinyDataset {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

export interface TinyTask {
  readonly model: MlpClassifier;
  readonly train: TinyDataset;
  readonly test: TinyDataset;
}

function prototypes(classes: number, size: number, rng: Rng): Float64Array[] {
  return Array.from({ length: classes }, () => {
    const p = new Float64Array(size);
    for (let i = 0; i < size; i++) p[i] = rng.uniformIn(0.15, 0.85);
    return p;
  });
}

function sample(protos: Float64Array[], count: number, noise: number, rng: Rng): TinyDataset {
  const size = protos[0].length;
  const images = new Float32Array(count * size);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const y = n % protos.length;
    labels[n] = y;
    for (let i = 0; i < size; i++) images[n * size + i] = Math.min(1, Math.max(0, protos[y][i] + rng.normal(0, noise)));
  }
  return { images, labels, count };
}

/** Trains the MLP by full-batch gradient descent on softmax cross-entropy (a few hundred ms). */
export function makeTinyTask({ channels = 1, side = 8, classes = 10, hidden = 16, trainCount = 200, testCount = 40, noise = 0.25, epochs = 150, seed = 7 } = {}): TinyTask {
  const rng = new Rng(seed);
  const size = channels * side * side;
  const protos = prototypes(classes, size, rng);
  const train = sample(protos, trainCount, noise, rng);
  const test = sample(protos, testCount, noise, rng);
  const w1 = Float64Array.from({ length: hidden * size }, () => rng.normal(0, 1 / Math.sqrt(size)));
  const b1 = new Float64Array(hidden);
  const w2 = Float64Array.from({ length: classes * hidden }, () => rng.normal(0, 1 / Math.sqrt(hidden)));
  const b2 = new Float64Array(classes);
  const model = new MlpClassifier([channels, side, side], classes, hidden, w1, b1, w2, b2);
  const lr = 0.5;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const g1 = new Float64Array(w1.length), gb1 = new Float64Array(hidden), g2 = new Float64Array(w2.length), gb2 = new Float64Array(classes);
    for (let n = 0; n < train.count; n++) {
      const { h, z } = model.forwardOne(train.images, n * size);
      const p = softmax(z);
      p[train.labels[n]] -= 1;
      for (let c = 0; c < classes; c++) {
        gb2[c] += p[c];
        for (let j = 0; j < hidden; j++) g2[c * hidden + j] += p[c] * h[j];
      }
      for (let j = 0; j < hidden; j++) {
        let gh = 0;
        for (let c = 0; c < classes; c++) gh += w2[c * hidden + j] * p[c];
        const ga = gh * (1 - h[j] * h[j]);
        gb1[j] += ga;
        for (let i = 0; i < size; i++) g1[j * size + i] += ga * train.images[n * size + i];
      }
    }
    const scale = lr / train.count;
    for (let i = 0; i < w1.length; i++) w1[i] -= scale * g1[i];
    for (let i = 0; i < w2.length; i++) w2[i] -= scale * g2[i];
    for (let i = 0; i < hidden; i++) b1[i] -= scale * gb1[i];
    for (let i = 0; i < classes; i++) b2[i] -= scale * gb2[i];
  }
  return { model, train, test };
}

// `npm run bench -- attack [--images 8] [--batch-size 8] [--size 224] [--steps 10]`: PGD-10 (L∞, ε = 4/255) images/s
// on a ResNet-50-sized model (random weights, built here) through the autodiff engine, against forward-only images/s
// of the same classifier in the same run. The ideal ratio is about 1/(steps·(1 + backward/forward) + 2).
import { buildResNet } from '../model/builders/index.js';
import { createDifferentiableClassifier } from '../autodiff/classifier.js';
import { PGD } from '../noise/adversarial/pgd.js';
import { argmax, indexStreams } from '../noise/adversarial/attack.js';
import { Rng } from '../util/rng.js';
import { flag, peakRssMiB, timeIt } from './_timing.js';

export async function run(args: string[]): Promise<void> {
  const count = flag(args, 'images', 8);
  const batchSize = flag(args, 'batch-size', 8);
  const size = flag(args, 'size', 224);
  const steps = flag(args, 'steps', 10);
  const graph = buildResNet({ block: 'bottleneck', layers: [3, 4, 6, 3], inputSize: [3, size, size], numClasses: 1000, seed: 0 });
  const classifier = await createDifferentiableClassifier(graph);
  const perImage = 3 * size * size;
  const rng = new Rng(0);
  const images = Float32Array.from({ length: count * perImage }, () => rng.uniform());
  // Labels are the model's own predictions, so every image is attacked (none counts as misclassified from the start).
  const labels = new Int32Array(count);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const logits = await classifier.logits(images.subarray(start * perImage, (start + n) * perImage), n);
    if (!logits.every(Number.isFinite)) throw new Error('the classifier returned non-finite logits; the autodiff engine is not ready for this benchmark');
    for (let i = 0; i < n; i++) labels[start + i] = argmax(logits, i, 1000);
  }
  const batches = async (fn: (x: Float32Array, y: Int32Array, n: number) => Promise<unknown>) => {
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      await fn(images.subarray(start * perImage, (start + n) * perImage), labels.subarray(start, start + n), n);
    }
  };
  const forward = await timeIt(count, () => batches((x, _y, n) => classifier.logits(x, n)));
  // Warm-up: builds the gradient session once, outside the timing.
  await classifier.lossAndGradient(images.subarray(0, perImage), 1, labels.subarray(0, 1), { kind: 'ce' });
  const pgd = new PGD(classifier, { eps: 4 / 255, steps, earlyStop: false }); // every image pays for all steps
  let modelCalls = 0;
  const attack = await timeIt(count, () => batches(async (x, y, n) => {
    const r = await pgd.run(x, y, n, indexStreams(0, 'pgd', n));
    modelCalls += r.queries.reduce((a, b) => a + b, 0);
  }), false);
  await classifier.release();
  process.stdout.write(`ResNet-50 (random weights), ${count} images of ${size}x${size}, batch ${batchSize}, autodiff engine on CPU\n`);
  process.stdout.write(`forward only: ${forward.perSecond.toFixed(2)} img/s\n`);
  process.stdout.write(`PGD-${steps} L∞ 4/255: ${attack.perSecond.toFixed(3)} img/s (${(modelCalls / count).toFixed(1)} model calls per image)\n`);
  process.stdout.write(`ratio PGD-${steps} / forward: ${(attack.perSecond / forward.perSecond).toFixed(4)} (ideal ≈ ${(1 / (steps * 3 + 2)).toFixed(4)} if a backward costs two forwards)\n`);
  process.stdout.write(`peak RSS ${peakRssMiB().toFixed(0)} MiB\n`);
}

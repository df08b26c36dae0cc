// Attack a batch tensor with PGD and read the per-sample results: the bundled Fashion-MNIST CNN, eight demo
// images, L∞ ε = 8/255.
//   npx tsx examples/attack.ts
import { fileURLToPath } from 'node:url';
import { loadImageFolder, loadImages } from 'robustart/data';
import { resolveModel } from 'robustart/models';
import { createDifferentiableClassifier } from 'robustart/autodiff';
import { PGD, sampleStreams } from 'robustart/attacks';

const model = resolveModel('fashion-cnn');
const samples = loadImageFolder(fileURLToPath(new URL('../demo/data/fashion-mnist', import.meta.url))).samples.slice(0, 8);
const images = await loadImages(samples, model); // N×C×H×W in [0,1]
const labels = Int32Array.from(samples, (s) => s.label);

await using classifier = await createDifferentiableClassifier(model, { threads: 1 });
const pgd = new PGD(classifier, { norm: 'linf', eps: 8 / 255, steps: 10 });
// One random stream per sample, keyed by its id: a sample's result never depends on what else is in the batch.
const result = await pgd.run(images, labels, samples.length, sampleStreams(0, 'pgd', samples.map((s) => s.id)));

samples.forEach((sample, i) => {
  console.log(`${sample.id.padEnd(40)} ${result.success[i] ? 'fooled' : 'robust'}  ‖δ‖∞ = ${result.norms[i].toFixed(4)}  queries ${result.queries[i]}`);
});
console.log(`robust accuracy: ${samples.length - result.success.reduce((a, b) => a + b, 0)} of ${samples.length}`);

// Child process of `npm run bench -- grad`: builds one model's differentiable classifier (start-up cache in the
// directory given, 'off' for none), runs two forward+input-gradient steps at the given batch, and prints its peak
// RSS (after set-up, and overall) as JSON. A process per measurement, because the peak RSS of a process only grows.
import { createDifferentiableClassifier } from '../autodiff/classifier.js';
import { buildBenchModel } from './_models.js';
import { peakRssMiB } from './_timing.js';

const [name, batchText, cacheDir] = process.argv.slice(2);
const batch = Number(batchText);
const model = await createDifferentiableClassifier(buildBenchModel(name), { graphCache: cacheDir === 'off' ? false : cacheDir });
const setupPeak = peakRssMiB();
const [c, h, w] = model.inputShape;
const images = new Float32Array(batch * c * h * w);
for (let k = 0; k < images.length; k++) images[k] = ((k * 2654435761) % 1000) / 1000;
const labels = Int32Array.from({ length: batch }, (_, k) => k % model.numClasses);
for (let i = 0; i < 2; i++) await model.lossAndGradient(images, batch, labels, { kind: 'ce' });
const steadyRss = process.memoryUsage().rss / 2 ** 20;
await model.release();
process.stdout.write(`${JSON.stringify({ setupPeak, peak: peakRssMiB(), steadyRss })}\n`);

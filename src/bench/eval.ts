// `npm run bench -- eval`: images/s of the full evaluation pipeline (read, decode, resize, crop, batch,
// infer, record) against inference alone (ORT on every core) on the same preprocessed images, on a
// ResNet-50-sized model (random weights, built here): with the workers/threads split the calibration picks
// (what `eval` does when neither --workers nor --threads is given) and with the fixed default (cores - 1
// workers beside ORT on every core, or --workers N). Target: pipeline >= 0.9 of inference alone.
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { buildResNet } from '../model/builders/index.js';
import { writeModel } from '../onnx/proto.js';
import { loadModelFile } from '../model/load.js';
import { OnnxClassifier } from '../model/classifier.js';
import { decodeImage } from '../data/decode.js';
import { resizeAndCrop } from '../data/preprocess.js';
import { modelResizer } from '../data/resize.js';
import { toFloatImage, writeChw } from '../data/image.js';
import { evaluate } from '../eval/evaluate.js';
import { cleanSuite } from '../eval/suites/clean.js';
import { loadDataset } from '../data/dataset.js';
import { ResultStore } from '../store/store.js';
import { tempDir } from '../testing/fixtures.js';
import { Rng } from '../util/rng.js';
import { flag, given, peakRssMiB } from './_timing.js';
import { calibratePipeline } from '../eval/pipeline-plan.js';
import { defaultWorkers } from '../util/workers.js';
import { availableParallelism, loadavg } from 'node:os';

/** ImageNet-typical 500x375 JPEGs with smooth structure and noise (so JPEG sizes are realistic). */
async function writeImages(dir: string, count: number, rng: Rng): Promise<string> {
  mkdirSync(join(dir, 'images'), { recursive: true });
  const lines = ['path,label'];
  for (let i = 0; i < count; i++) {
    const w = 500;
    const h = 375;
    const data = new Uint8Array(w * h * 3);
    const fx = rng.uniformIn(0.005, 0.05);
    const fy = rng.uniformIn(0.005, 0.05);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const base = 128 + 90 * Math.sin(fx * x + i) * Math.cos(fy * y);
        const o = (y * w + x) * 3;
        data[o] = base + rng.int(30);
        data[o + 1] = 255 - base + rng.int(30);
        data[o + 2] = (x + y + i * 7) & 255;
      }
    }
    const file = `images/${String(i).padStart(4, '0')}.jpg`;
    await sharp(data, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toFile(join(dir, file));
    lines.push(`${file},${rng.int(1000)}`);
  }
  writeFileSync(join(dir, 'val.csv'), `${lines.join('\n')}\n`);
  return join(dir, 'val.csv');
}

export async function run(args: string[]): Promise<void> {
  const count = flag(args, 'images', 160);
  const batchSize = flag(args, 'batch-size', 16);
  const rounds = flag(args, 'rounds', 3);
  const workers = given(args, 'workers') ? flag(args, 'workers', 1) : undefined;
  const dir = tempDir('robustart-bench-eval-');
  const rng = new Rng(0);
  const graph = buildResNet({ block: 'bottleneck', layers: [3, 4, 6, 3], inputSize: [3, 224, 224], numClasses: 1000, seed: 0 });
  const modelPath = join(dir, 'resnet50.onnx');
  writeModel(modelPath, graph.toModel());
  writeFileSync(join(dir, 'resnet50.json'), JSON.stringify({ input_size: [3, 224, 224], num_classes: 1000, interpolation: 'bicubic', crop_pct: 0.875, family: 'CNN' }));
  const csv = await writeImages(dir, count, rng);
  const model = loadModelFile(modelPath);
  process.stdout.write(`ResNet-50 (random weights, ${(model.parameters / 1e6).toFixed(1)}M parameters), ${count} JPEGs of 500x375, batch ${batchSize}\n`);

  // Inference alone: the same images, preprocessed once up front.
  const resizer = modelResizer(model.metadata.interpolation);
  const perImage = 3 * 224 * 224;
  const tensor = new Float32Array(count * perImage);
  const lines = (await readFile(csv, 'utf8')).trim().split('\n').slice(1);
  for (const [i, line] of lines.entries()) {
    const image = await resizeAndCrop(await decodeImage(await readFile(join(dir, line.split(',')[0]))), model.metadata, resizer);
    writeChw(toFloatImage(image), tensor, i * perImage);
  }
  const classifier = await OnnxClassifier.create(model);
  const inferAll = async () => {
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      await classifier.logits(tensor.subarray(start * perImage, (start + n) * perImage), n);
    }
  };
  const store = new ResultStore(join(dir, 'bench.db'));
  const dataset = loadDataset(csv);
  const plan = await calibratePipeline(model, classifier, dataset.samples);
  process.stdout.write(`${plan.cores} cores, load average ${loadavg()[0].toFixed(1)}; calibration: preprocessing ${(plan.preprocessSeconds * 1000).toFixed(1)} ms/img (one thread), inference ${(plan.inferenceSeconds * 1000).toFixed(1)} ms/img (${availableParallelism()} threads)\n`);
  process.stdout.write(`automatic split: ${plan.workers} workers, ${plan.threads} ORT threads (predicted ratio ${plan.predictedRatio.toFixed(3)})\n`);
  const planned = plan.threads === plan.cores ? classifier : await OnnxClassifier.create(model, { threads: plan.threads });
  const fixedWorkers = workers ?? defaultWorkers();
  const evaluateWith = (c: OnnxClassifier, w: number) => () => evaluate({ model, classifier: c, dataset, samples: dataset.samples, store, suite: cleanSuite, seed: 0, batchSize, fresh: true, workers: w });
  const automatic = evaluateWith(planned, plan.workers);
  const fixed = evaluateWith(classifier, fixedWorkers);
  const seconds = async (fn: () => Promise<unknown>) => {
    const t = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - t) / 1e9;
  };
  await inferAll(); // warm-up
  await automatic();
  await fixed();
  // Alternate the measurements and take medians, so a load change on the machine hits all alike.
  const runs = { inference: [] as number[], automatic: [] as number[], fixed: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    runs.inference.push(await seconds(inferAll));
    runs.automatic.push(await seconds(automatic));
    runs.fixed.push(await seconds(fixed));
  }
  const loadSeconds = await seconds(async () => loadModelFile(modelPath));
  store.close();
  if (planned !== classifier) await planned.dispose();
  await classifier.dispose();

  const inference = count / median(runs.inference);
  const automaticRate = count / median(runs.automatic);
  const fixedRate = count / median(runs.fixed);
  process.stdout.write(`inference alone                  ${inference.toFixed(2)} img/s\n`);
  process.stdout.write(`pipeline, automatic split        ${automaticRate.toFixed(2)} img/s  ratio ${(automaticRate / inference).toFixed(3)} (target >= 0.9)\n`);
  process.stdout.write(`pipeline, ${String(fixedWorkers).padStart(2)} workers + ORT all   ${fixedRate.toFixed(2)} img/s  ratio ${(fixedRate / inference).toFixed(3)}\n`);
  process.stdout.write(`(medians of ${rounds} alternating rounds; load average at the end ${loadavg()[0].toFixed(1)})\n`);
  process.stdout.write(`model load        ${loadSeconds.toFixed(2)} s once per run (read, hash, prepend normalisation)\n`);
  process.stdout.write(`peak RSS          ${peakRssMiB().toFixed(0)} MiB\n`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// `npm run bench -- grad`: forward-only vs forward + input-gradient throughput of the autodiff engine
// on a ResNet-50 and a ViT-B/16 from the TS builders at 224² (random weights, 1000 classes), on the
// same machine in the same run. Issue 3's target: forward+backward ≤ 3× forward (PyTorch's own ratio
// for ResNet-50 on this machine class is 3.3×).
// Then the memory of forward+input-gradient: peak RSS of a fresh process per model and batch (--memory-batches,
// default 1,2,8,32; --memory-models, default resnet50,convnext-t; --no-memory skips it, --memory-only skips the throughput part) beside the target, <= 1.2 GiB at
// batch 2 (PyTorch 1.13's peak for ResNet-50 at batch 2 on this machine class is about 0.75 GiB): once without the
// start-up cache and once with an empty one, then warm at each batch, and the growth per image beside the forward values the backward reads.
// Flags: --batch N (default 2), --repeats N (timed runs, default 3), --models resnet50,vit-b16 (also convnext-t, or a
// path to an .onnx file: tools/export-bench-swin.py writes Swin-T)
import { createDifferentiableClassifier } from '../autodiff/classifier.js';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { peakRssMiB, flag, option } from './_timing.js';
import { benchModelLabel, buildBenchModel } from './_models.js';
import { keptActivationBytesPerImage } from './_activations.js';
import { buildGradientGraph, prepareModel } from '../autodiff/gradient.js';
import { tempDir } from '../testing/fixtures.js';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';

/** Target peak RSS of forward+input-gradient at batch 2, MiB (1.2 GiB). */
const MEMORY_TARGET_MIB = 1.2 * 1024;

async function seconds(fn: () => Promise<unknown>, repeats: number): Promise<number> {
  await fn(); // warm-up
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return best;
}

export async function run(args: string[]): Promise<void> {
  const batch = flag(args, 'batch', 2);
  const repeats = flag(args, 'repeats', 3);
  const names = option(args, 'models', 'resnet50,vit-b16').split(',');
  const list = (flagName: string, fallback: string) => option(args, flagName, fallback).split(',');
  if (!args.includes('--memory-only')) await speed(names, batch, repeats);
  if (args.includes('--no-memory')) return;
  console.log(`\nmemory of forward+input-gradient (a fresh process each; load average ${loadavg()[0].toFixed(1)}; target <= ${MEMORY_TARGET_MIB.toFixed(0)} MiB peak at batch 2)`);
  console.log('off: no start-up cache; cold: an empty one (both: shape discovery, backward build and ORT optimisation; above 32 MiB of weights shape discovery and the optimisation of a built graph in a child process, and with the cache the build too); warm: the cache cold filled');
  console.log('model      batch  cache  set-up peak MiB  peak MiB  RSS after steps MiB  peak / target');
  const child = fileURLToPath(new URL('./_grad-memory.js', import.meta.url));
  for (const name of list('memory-models', 'resnet50,convnext-t')) {
    const cache = tempDir('robustart-bench-grad-');
    try {
      const measure = (batch: number, label: string) => {
        const m = JSON.parse(execFileSync(process.execPath, [child, name, String(batch), label === 'off' ? 'off' : cache], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as { setupPeak: number; peak: number; steadyRss: number };
        console.log(`${benchModelLabel(name).padEnd(10)} ${String(batch).padStart(5)}  ${label.padEnd(5)}  ${m.setupPeak.toFixed(0).padStart(15)}  ${m.peak.toFixed(0).padStart(8)}  ${m.steadyRss.toFixed(0).padStart(19)}  ${(m.peak / MEMORY_TARGET_MIB).toFixed(2).padStart(13)}`);
        return m.peak;
      };
      measure(2, 'off');
      measure(2, 'cold');
      const peaks = list('memory-batches', '1,2,8,32').map(Number).map((batch) => [batch, measure(batch, 'warm')] as const);
      const prepared = await prepareModel(buildBenchModel(name), { session: { graphCache: cache } });
      const kept = keptActivationBytesPerImage((await buildGradientGraph(prepared, { loss: 'ce' })).graph, prepared.logitsName, prepared.shapes) / 2 ** 20;
      if (peaks.length > 1) console.log(`${benchModelLabel(name).padEnd(10)} growth ${slope(peaks).toFixed(1)} MiB per image (least squares over batches ${peaks.map(([b]) => b).join(', ')}); forward values the backward reads: ${kept.toFixed(1)} MiB per image`);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }
}

/** Least-squares slope of y over x. */
function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n, my = points.reduce((a, [, y]) => a + y, 0) / n;
  return points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
}

async function speed(names: string[], batch: number, repeats: number): Promise<void> {
  console.log(`grad bench: batch ${batch}, best of ${repeats} timed runs after one warm-up, onnxruntime CPU`);
  console.log('model      fwd img/s  fwd+grad img/s  ratio  setup s');
  for (const name of names) {
    const setupStart = Date.now();
    const model = await createDifferentiableClassifier(buildBenchModel(name));
    const [c, h, w] = model.inputShape;
    const images = new Float32Array(batch * c * h * w);
    for (let k = 0; k < images.length; k++) images[k] = ((k * 2654435761) % 1000) / 1000;
    const labels = Int32Array.from({ length: batch }, (_, k) => k % model.numClasses);
    await model.lossAndGradient(images, batch, labels, { kind: 'ce' }); // builds the gradient session
    const setup = (Date.now() - setupStart) / 1000;
    const forward = await seconds(() => model.logits(images, batch), repeats);
    const backward = await seconds(() => model.lossAndGradient(images, batch, labels, { kind: 'ce' }), repeats);
    console.log(`${benchModelLabel(name).padEnd(10)} ${(batch / forward).toFixed(2).padStart(9)}  ${(batch / backward).toFixed(2).padStart(14)}  ${(backward / forward).toFixed(2).padStart(5)}  ${setup.toFixed(1).padStart(7)}`);
    await model.release();
  }
  console.log(`peak RSS ${peakRssMiB().toFixed(0)} MiB`);
}

// `npm run bench -- gpu [--batch 2] [--steps 10] [--repeats 2] [--models resnet50,vit-b16] [--providers cpu,webgpu]`:
// forward, forward + input-gradient and PGD-n (L∞, ε = 4/255, no early stop) images/s of a ResNet-50 and a ViT-B/16
// (random weights, 224², built here) through the autodiff engine, on each execution provider in the same run, with
// each provider's ratio to CPU. On WebGPU the backward graph takes MaxPool's Indices-free rule (rules/pool.ts).
// A provider that cannot start (no GPU adapter, no driver) is reported as unavailable and the rest still run.
import { createDifferentiableClassifier } from '../autodiff/classifier.js';
import { buildResNet } from '../model/builders/resnet.js';
import { buildViT } from '../model/builders/vit.js';
import { PGD } from '../noise/adversarial/pgd.js';
import { indexStreams } from '../noise/adversarial/attack.js';
import type { Graph } from '../onnx/graph.js';
import { Rng } from '../util/rng.js';
import { RobustartError } from '../errors.js';
import { flag, list, peakRssMiB } from './_timing.js';

const MODELS: Record<string, () => Graph> = {
  resnet50: () => buildResNet({ inputSize: [3, 224, 224], numClasses: 1000, block: 'bottleneck', layers: [3, 4, 6, 3], width: 64, seed: 0 }),
  'vit-b16': () => buildViT({ inputSize: [3, 224, 224], numClasses: 1000, patchSize: 16, dim: 768, depth: 12, heads: 12, seed: 0 }),
};

interface Figures {
  readonly forward: number;
  readonly gradient: number;
  readonly pgd: number;
}

/** Best of `repeats` timed calls after one warm-up, in seconds. */
async function best(fn: () => Promise<unknown>, repeats: number): Promise<number> {
  await fn();
  let fastest = Infinity;
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    await fn();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return fastest;
}

async function measure(graph: Graph, provider: string, batch: number, steps: number, repeats: number): Promise<Figures> {
  // CPU stays listed after an accelerator for the few ops it may not run (onnxruntime places them on CPU).
  const executionProviders = provider === 'cpu' ? ['cpu'] : [provider, 'cpu'];
  const classifier = await createDifferentiableClassifier(graph, { executionProviders });
  try {
    const [c, h, w] = classifier.inputShape;
    const rng = new Rng(0);
    const images = Float32Array.from({ length: batch * c * h * w }, () => rng.uniform());
    const labels = Int32Array.from({ length: batch }, (_, k) => k % classifier.numClasses);
    const forward = await best(() => classifier.logits(images, batch), repeats);
    const gradient = await best(() => classifier.lossAndGradient(images, batch, labels, { kind: 'ce' }), repeats);
    const pgd = new PGD(classifier, { eps: 4 / 255, steps, earlyStop: false });
    const attack = await best(() => pgd.run(images, labels, batch, indexStreams(1, 'pgd', batch)), 1);
    return { forward: batch / forward, gradient: batch / gradient, pgd: batch / attack };
  } finally {
    await classifier.dispose();
  }
}

export async function run(args: string[]): Promise<void> {
  const batch = flag(args, 'batch', 2);
  const steps = flag(args, 'steps', 10);
  const repeats = flag(args, 'repeats', 2);
  const models = list(args, 'models', Object.keys(MODELS));
  for (const m of models) if (!MODELS[m]) throw new RobustartError(`unknown model '${m}'; available: ${Object.keys(MODELS).join(', ')}`);
  const providers = list(args, 'providers', ['cpu', 'webgpu']);
  console.log(`gpu bench: batch ${batch}, 224x224, random weights, best of ${repeats} after one warm-up (PGD-${steps}: one timed run after one warm-up)`);
  console.log(`${'model'.padEnd(9)} ${'provider'.padEnd(8)} ${'fwd img/s'.padStart(10)} ${'fwd+grad img/s'.padStart(15)} ${`PGD-${steps} img/s`.padStart(13)}  vs CPU (fwd, grad, PGD)`);
  for (const name of models) {
    let cpu: Figures | undefined;
    for (const provider of providers) {
      let f: Figures;
      try {
        f = await measure(MODELS[name](), provider, batch, steps, repeats);
      } catch (err) {
        if (!(err instanceof RobustartError)) throw err;
        console.log(`${name.padEnd(9)} ${provider.padEnd(8)} unavailable on this machine: ${err.message}`);
        continue;
      }
      if (provider === 'cpu') cpu = f;
      const ratios = cpu && provider !== 'cpu' ? `${(f.forward / cpu.forward).toFixed(2)}x, ${(f.gradient / cpu.gradient).toFixed(2)}x, ${(f.pgd / cpu.pgd).toFixed(2)}x` : '';
      console.log(`${name.padEnd(9)} ${provider.padEnd(8)} ${f.forward.toFixed(2).padStart(10)} ${f.gradient.toFixed(2).padStart(15)} ${f.pgd.toFixed(3).padStart(13)}  ${ratios}`);
    }
  }
  console.log(`peak RSS ${peakRssMiB().toFixed(0)} MiB`);
}

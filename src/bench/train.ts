// `npm run bench -- train`: training throughput of robustart's trainer (forward + backward + SGD update
// + BN statistics, on the autodiff engine) against forward-only inference of the same graph, on
// ResNet-18 and ViT-S/16 from the TS builders at 224², batch 32, in the same run; plus peak RSS.
// The training figure is the best step of the second epoch of a two-epoch run (sessions built; a step from
// the previous step's end, the first from the first epoch's end), so neither setup nor the per-epoch
// evaluation is counted. The forward figure is the best of --repeats runs before and after the training, so
// load that comes and goes during the run affects both (tools/bench-train-pytorch.py also takes the best).
// Target (issue: training throughput): a training step at most 3.5 × the forward time of the same graph.
// Flags: --batch N (default 32), --steps N (training steps per epoch, default 2), --repeats N (forward runs
// before and after, default 2), --models resnet18,vit-s16,resnet50, --threads N (onnxruntime threads of the forward
// and the training sessions, default: all cores), --pytorch (also run
// tools/bench-train-pytorch.py with Debian's /usr/bin/python3, for its ratio in the same run).
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { buildResNet } from '../model/builders/resnet.js';
import { buildViT } from '../model/builders/vit.js';
import type { Graph } from '../onnx/graph.js';
import { createSession, tensor } from '../onnx/runtime.js';
import { trainClassifier, type TrainingData } from '../train/trainer.js';
import { peakRssMiB, flag, option, timeIt } from './_timing.js';
import { buildBenchGraph } from './_models.js';

/** Training step time over forward time of the same graph. */
const TARGET_RATIO = 3.5;

/** The models the train benches build, by --models name. */
export const TRAIN_BENCH_MODELS: Record<string, () => Graph> = {
  resnet18: () => buildResNet({ inputSize: [3, 224, 224], numClasses: 1000, block: 'basic', layers: [2, 2, 2, 2], width: 64, stem: 'imagenet', seed: 0 }),
  resnet50: () => buildBenchGraph('resnet50'),
  'vit-s16': () => buildViT({ inputSize: [3, 224, 224], numClasses: 1000, patchSize: 16, dim: 384, depth: 12, heads: 6, seed: 0 }),
};

/** Deterministic pseudo-images in [0, 1) at 224², labels spread over 1000 classes. */
export function syntheticImages(count: number): TrainingData {
  const size = 3 * 224 * 224;
  return {
    count,
    label: (i) => (i * 37) % 1000,
    pixels: (indices) => {
      const out = new Float32Array(indices.length * size);
      for (let k = 0; k < out.length; k++) out[k] = ((k * 2654435761 + indices[Math.floor(k / size)]) % 1000) / 1000;
      return out;
    },
  };
}

export async function run(args: string[]): Promise<void> {
  const batch = flag(args, 'batch', 32);
  const steps = flag(args, 'steps', 2);
  const repeats = flag(args, 'repeats', 2);
  const names = option(args, 'models', 'resnet18,vit-s16').split(',');
  const threads = flag(args, 'threads', 0);
  console.log(`train bench: batch ${batch}, ${steps} steps timed (second epoch), onnxruntime CPU (${threads || 'default'} threads), SGD + momentum; load ${loadavg()[0].toFixed(1)} at the start`);
  console.log(`model      fwd img/s  train img/s  train/fwd time  target  setup+epoch1 s`);
  for (const name of names) {
    const graph = TRAIN_BENCH_MODELS[name]();
    const forwardSession = await createSession(graph, { threads });
    const input = tensor('float32', syntheticImages(batch).pixels(Array.from({ length: batch }, (_, k) => k)), [batch, 3, 224, 224]);
    const forwardOnce = () => forwardSession.run({ [graph.inputs[0].name!]: input });
    let forwardSeconds = Infinity;
    const timeForward = async () => {
      for (let r = 0; r < repeats; r++) forwardSeconds = Math.min(forwardSeconds, (await timeIt(batch, forwardOnce, r === 0)).seconds);
    };
    await timeForward();
    /** Wall-clock times of each epoch's end (after its evaluation) and [time, samples seen] at progress reports of the second epoch. */
    const epochEnds: number[] = [];
    const stepEnds: [number, number][] = [];
    const started = Date.now();
    await trainClassifier(graph, syntheticImages(batch * steps), syntheticImages(batch), {
      epochs: 2, batchSize: batch, seed: 0, ...(threads ? { threads } : {}),
      optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 1e-4 },
      schedule: { baseLr: 0.01, warmupLr: 0.01, minLr: 0, warmupEpochs: 0 },
      normalization: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
      log: () => epochEnds.push(Date.now()),
      progress: (p) => {
        if (p.epoch === 2) stepEnds.push([Date.now(), p.seen]);
      },
    });
    await timeForward();
    await forwardSession.release();
    // Progress comes after a step at most every 0.5 s: an interval between reports may hold several steps.
    let stepSeconds = Infinity;
    stepEnds.reduce(([time, seen], [t, s]) => {
      stepSeconds = Math.min(stepSeconds, (t - time) / 1000 / Math.round((s - seen) / batch));
      return [t, s];
    }, [epochEnds[0], 0]);
    const trainRate = batch / stepSeconds;
    const forwardRate = batch / forwardSeconds;
    console.log(`${name.padEnd(10)} ${forwardRate.toFixed(2).padStart(9)}  ${trainRate.toFixed(2).padStart(11)}  ${(stepSeconds / forwardSeconds).toFixed(2).padStart(14)}  ${`≤ ${TARGET_RATIO}`.padStart(6)}  ${((epochEnds[0] - started) / 1000).toFixed(1).padStart(14)}`);
  }
  console.log(`peak RSS ${peakRssMiB().toFixed(0)} MiB`);
  if (args.includes('--pytorch')) {
    console.log('PyTorch (tools/bench-train-pytorch.py), same machine, now:');
    const torch = spawnSync('/usr/bin/python3', ['tools/bench-train-pytorch.py', '--batch', String(batch), '--steps', String(steps)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    console.log(torch.status === 0 ? torch.stdout.trimEnd() : `not run: ${(torch.error?.message ?? torch.stderr).trim().split('\n').pop()}`);
  }
}

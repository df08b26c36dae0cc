// `npm run bench -- train-profile`: where a training step's time goes. Runs the trainer's step graph
// (`buildTrainingGraph`: weights as inputs, BatchNorm on batch statistics, backward pass) and the inference
// graph of the same model under onnxruntime's profiler, and prints the last run's kernel time per op type,
// split into the forward and backward halves of the step graph (backward nodes are the autodiff rules'
// `grad_*` nodes), with backward Convs split into input gradients (batch-major output) and weight
// gradients. Each row is also given as a multiple of the inference forward pass, the bench's yardstick
// (`npm run bench -- train` divides by the same forward time).
// Flags: --models resnet18 (names as the train bench), --batch N (default 32), --runs N (runs of the step graph,
// default 2; the forward runs once more), --rows N (table rows, default 24), --threads N (onnxruntime threads of both
// graphs, default: all cores).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType } from '../onnx/proto.js';
import { createSession, tensor, type OrtTensor } from '../onnx/runtime.js';
import { prepareModel } from '../autodiff/gradient.js';
import { buildTrainingGraph } from '../train/trainer.js';
import { runningStatistics } from '../train/batchnorm.js';
import { SOFT_TARGETS_INPUT } from '../train/loss-head.js';
import { RobustartError } from '../errors.js';
import { flag, option } from './_timing.js';
import { TRAIN_BENCH_MODELS, syntheticImages } from './train.js';

interface ProfileEvent {
  readonly cat: string;
  readonly name: string;
  readonly ts: number;
  readonly dur: number;
  readonly args?: { readonly op_name?: string; readonly output_type_shape?: Record<string, number[]>[] };
}

/**
 * Kernel milliseconds of the fastest `model_run` after the first (which also allocates) in an onnxruntime
 * profile, keyed by `classify(node name, op, first output dims)`.
 */
function fastestRunByKey(file: string, classify: (name: string, op: string, outputDims: number[]) => string): { runMs: number; byKey: Map<string, number> } {
  const events = JSON.parse(readFileSync(file, 'utf8')) as ProfileEvent[];
  const run = events.filter((e) => e.name === 'model_run').slice(1).sort((a, b) => a.dur - b.dur)[0];
  if (!run) throw new RobustartError(`onnxruntime's profile ${file} has no model run`);
  const byKey = new Map<string, number>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || e.ts < run.ts || e.ts > run.ts + run.dur) continue;
    const outputDims = Object.values(e.args?.output_type_shape?.[0] ?? {})[0] ?? [];
    const key = classify(e.name.slice(0, -'_kernel_time'.length), e.args?.op_name ?? '?', outputDims);
    byKey.set(key, (byKey.get(key) ?? 0) + e.dur / 1000);
  }
  return { runMs: run.dur / 1000, byKey };
}

/** Runs `runs` times with profiling on and returns the path of the profile onnxruntime wrote. */
async function profiledRuns(dir: string, label: string, graph: Parameters<typeof createSession>[0], feeds: Record<string, OrtTensor>, runs: number, threads: number): Promise<string> {
  const session = await createSession(graph, { threads }, label, { profileFilePrefix: join(dir, label) });
  for (let r = 0; r < runs; r++) await session.run(feeds);
  session.endProfiling();
  await session.release();
  const file = readdirSync(dir).find((f) => f.startsWith(label) && f.endsWith('.json'));
  if (!file) throw new RobustartError(`onnxruntime wrote no profile for the ${label} graph into ${dir}`);
  return join(dir, file);
}

export async function run(args: string[]): Promise<void> {
  const batch = flag(args, 'batch', 32);
  const rows = flag(args, 'rows', 24);
  const runs = Math.max(2, flag(args, 'runs', 2));
  const name = option(args, 'models', 'resnet18');
  const threads = flag(args, 'threads', 0);
  const build = TRAIN_BENCH_MODELS[name] ?? (() => {
    throw new RobustartError(`unknown model '${name}'; use one of ${Object.keys(TRAIN_BENCH_MODELS).join(', ')}`);
  });
  const model = build();
  const prepared = await prepareModel(model);
  const running = runningStatistics(prepared.graph);
  const parameters = [...prepared.graph.initializers].filter(([n, t]) => t.dataType === DataType.FLOAT && t.dims.length > 0 && !running.has(n)).map(([n]) => n);
  const dims = new Map([...prepared.graph.initializers].map(([n, t]) => [n, t.dims]));
  const step = await buildTrainingGraph(prepared, parameters, dims, { distillation: false, jsdWeight: 0, trades: false });
  if (step.dropouts.length > 0) throw new RobustartError(`'${name}' has Dropout nodes, whose masks this bench does not feed; profile a model without them`);
  const images = tensor('float32', syntheticImages(batch).pixels(Array.from({ length: batch }, (_, k) => k)), [batch, 3, 224, 224]);
  const classes = prepared.numClasses;
  const feeds: Record<string, OrtTensor> = {
    [prepared.inputName]: images,
    [SOFT_TARGETS_INPUT]: tensor('float32', new Float32Array(batch * classes).fill(1 / classes), [batch, classes]),
  };
  for (const p of parameters) feeds[p] = tensor('float32', prepared.graph.initializers.get(p)!.data as Float32Array, dims.get(p)!);
  const dir = mkdtempSync(join(tmpdir(), 'robustart-train-profile-'));
  try {
    console.log(`train-profile bench: ${name}, batch ${batch}, onnxruntime CPU profiler, ${threads || 'default'} threads, the fastest run after the first of each graph; load ${loadavg()[0].toFixed(1)} at the start`);
    const forward = fastestRunByKey(await profiledRuns(dir, 'forward', model, { [prepared.inputName]: images }, runs + 1, threads), (_n, op) => op);
    const training = fastestRunByKey(await profiledRuns(dir, 'training', step.gradientGraph.graph, feeds, runs, threads), (node, op, out) => {
      if (!node.startsWith('grad_')) return `forward   ${op}`;
      if (op === 'Conv') return `backward  Conv (${out[0] === batch ? 'input' : 'weight'} gradient)`;
      return `backward  ${op}`;
    });
    const forwardMs = [...forward.byKey.values()].reduce((a, v) => a + v, 0);
    const kernelMs = [...training.byKey.values()].reduce((a, v) => a + v, 0);
    console.log(`inference forward: ${forward.runMs.toFixed(0)} ms per run (${[...forward.byKey].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([op, ms]) => `${op} ${ms.toFixed(0)}`).join(', ')} ms)`);
    console.log(`training step: ${training.runMs.toFixed(0)} ms per run = ${(training.runMs / forward.runMs).toFixed(2)}× the forward (the train bench adds the update and feeds)`);
    console.log(`half      op                              ms  share  × forward`);
    const sorted = [...training.byKey].sort((a, b) => b[1] - a[1]);
    const line = (key: string, ms: number) => console.log(`${key.padEnd(40)} ${ms.toFixed(0).padStart(6)}  ${((100 * ms) / kernelMs).toFixed(1).padStart(4)}%  ${(ms / forwardMs).toFixed(2).padStart(8)}`);
    for (const [key, ms] of sorted.slice(0, rows)) line(key, ms);
    const rest = sorted.slice(rows).reduce((a, [, ms]) => a + ms, 0);
    if (rest > 0) line(`(${sorted.length - rows} more)`, rest);
    for (const half of ['forward', 'backward']) line(`all ${half}`, sorted.filter(([k]) => k.startsWith(half)).reduce((a, [, ms]) => a + ms, 0));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Training on the autodiff engine: the weights become graph inputs of one forward+backward session
// (soft-target cross-entropy head, gradients w.r.t. every trainable weight, BatchNorm on batch
// statistics); the update, the schedule and every technique (label smoothing, Mixup/CutMix, EMA, PGD
// adversarial training, distillation, augmentation) run in TypeScript around it; the trained weights go
// back into the original graph. Random draws: the epoch's order from (seed, 'order', epoch), a sample's
// augmentation from (seed, epoch, sample), a row's dropout / drop-path masks from (seed, 'dropout', epoch,
// sample, copy, node), a batch's mixing and attack from (seed, 'mix'|'attack', step),
// so a run resumed at an epoch boundary repeats the unbroken run exactly.
import { DataType } from '../onnx/proto.js';
import { makeValueInfo } from '../onnx/build.js';
import type { Graph } from '../onnx/graph.js';
import { createSession, tensor, type OrtSession } from '../onnx/runtime.js';
import { buildGradientGraph, prepareModel, targetExecutionProvider, type GradientGraph, type PreparedModel } from '../autodiff/gradient.js';
import type { ShapeMap } from '../onnx/shapes.js';
import { hashString, rngFor, type Rng } from '../util/rng.js';
import { RobustartError } from '../errors.js';
import { createOptimizer, clipGradientNorm, weightDecayFlags, type OptimizerSettings } from './optimizer.js';
import { learningRateAt, stepSchedule } from './schedule.js';
import { batchNormToTraining, foldBatchStatistics, runningStatistics, type BatchNormStatistics } from './batchnorm.js';
import { mixBatch, type MixSettings } from './targets.js';
import { softTargetHead, SOFT_TARGETS_INPUT } from './loss-head.js';
import { TRADES_DEFAULTS } from './trades.js';
import { WeightEma } from './ema.js';
import { openLiveClassifier, normalizeBatch, type AdversarialSettings, type LiveClassifier, type Normalization } from './adversarial.js';
import { resumeFromCheckpoint, saveCheckpoint } from './checkpoint.js';
import { dropoutToTraining, type DropoutMask } from './dropout.js';
import type { AugMixSettings } from './auto-augment.js';
import { sampleRows, augmixViews, adversarialRows, averagedRows, rowTargets, teacherFeeds, pairFeeds, dropoutFeeds, type Feeds } from './rows.js';

/** Labelled images in [0,1], NCHW, all of one shape. */
export interface TrainingData {
  readonly count: number;
  label(index: number): number;
  /** [0,1] pixels of the given samples as one NCHW batch. */
  pixels(indices: ArrayLike<number>): Float32Array;
}

/** A per-sample training transform on one CHW [0,1] image (returns a new or the same array). */
export type SampleTransform = (image: Float32Array, rng: Rng) => Float32Array;

export interface AdversarialTraining extends AdversarialSettings {
  /**
   * 'clean-adversarial': half the batch clean plus the adversarial copies of that half (RobustART);
   * 'adversarial': every sample replaced by its adversarial example; 'trades': TRADES (src/train/trades.ts),
   * every sample clean plus its KL-maximising copy, loss CE + β·KL.
   */
  readonly mode: 'clean-adversarial' | 'adversarial' | 'trades';
  /** TRADES' weight β on the KL term (the reference's 6). */
  readonly beta?: number;
}

export interface Distillation {
  /** Teacher graph: same input (normalised NCHW) and classes as the student. */
  readonly teacher: Graph;
  readonly temperature: number;
  /** Weight of the soft loss; the hard-label loss gets 1 − α. */
  readonly alpha: number;
}

export interface TrainConfig {
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly optimizer: OptimizerSettings;
  readonly schedule: { readonly baseLr: number; readonly warmupLr: number; readonly minLr: number; readonly warmupEpochs: number };
  /** Leave biases and norm parameters (1-d tensors) and names matching these out of weight decay ("no_wd"). */
  readonly noWeightDecay?: boolean;
  readonly noWeightDecayNames?: readonly RegExp[];
  /** Clip the global gradient L2 norm to this value. */
  readonly clipGradNorm?: number;
  readonly labelSmoothing?: number;
  readonly emaDecay?: number;
  readonly mix?: MixSettings;
  readonly transform?: SampleTransform;
  readonly adversarial?: AdversarialTraining;
  readonly distillation?: Distillation;
  /** AugMix with its Jensen–Shannon consistency loss: each sample trains as [clean, augmix₁, augmix₂] with weight λ on JS. */
  readonly augmixConsistency?: { readonly settings: AugMixSettings; readonly weight: number };
  /** Dropout on the classifier's input features (timm drop_rate); the graph's own Dropout nodes keep their ratio. */
  readonly dropRate?: number;
  /** Parameters whose names match are not updated (fine-tuning). */
  readonly frozen?: readonly RegExp[];
  readonly normalization: Normalization;
  readonly threads?: number;
  /** Write a checkpoint after every epoch here, and resume from it when it exists. */
  readonly checkpoint?: string;
  /** Identity of the run, stored in checkpoints so another run's checkpoint is not resumed. */
  readonly runKey?: string;
  readonly log?: (line: string) => void;
  readonly progress?: (p: Progress) => void;
}

export interface Progress {
  readonly epoch: number;
  readonly epochs: number;
  readonly seen: number;
  readonly total: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly imagesPerSecond: number;
  /** Seconds left in the whole run at the current rate. */
  readonly eta: number;
}

export interface EpochRecord {
  readonly epoch: number;
  readonly learningRate: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  /** Top-1 on the test set, of the EMA weights when EMA is on. */
  readonly testAccuracy: number;
  readonly seconds: number;
}

export interface TrainResult {
  /** The input graph with trained initializers (the EMA weights when EMA is on). */
  readonly graph: Graph;
  readonly history: EpochRecord[];
  readonly seconds: number;
  /** Epoch the run resumed after (0 for a fresh run). */
  readonly resumedFrom: number;
}

/**
 * The techniques a run takes together: refuses the combinations one loss head cannot hold, and resolves
 * TRADES' β (undefined when the run is not TRADES).
 */
export function techniqueCombination(config: Pick<TrainConfig, 'adversarial' | 'mix' | 'distillation' | 'augmixConsistency'>): { readonly trades?: AdversarialTraining & { readonly beta: number } } {
  if (config.augmixConsistency && (config.adversarial || config.mix || config.distillation)) throw new RobustartError('AugMix with its consistency loss cannot be combined with adversarial training, Mixup/CutMix or distillation in one run; switch one of them off');
  const trades = config.adversarial?.mode === 'trades' ? { ...config.adversarial, beta: config.adversarial.beta ?? TRADES_DEFAULTS.beta } : undefined;
  if (trades && (config.mix || config.distillation)) throw new RobustartError('TRADES cannot be combined with Mixup/CutMix or distillation in one run; switch one of them off');
  if (trades && !trades.randomStart) throw new RobustartError('TRADES needs its random start: at x′ = x the KL gradient is zero and the examples never move; keep random_start on');
  return { trades };
}

/** Turns the named initializers of `graph` (in place) into graph inputs, so each step feeds their current values. */
export function parametersAsInputs(graph: Graph, names: Iterable<string>, dims: ReadonlyMap<string, readonly number[]>): void {
  for (const name of names) {
    graph.initializers.delete(name);
    graph.inputs.push(makeValueInfo(name, dims.get(name)!));
  }
}

/** The forward+backward graph of one training step, with what the trainer reads back from its outputs. */
export interface TrainingGraph {
  readonly gradientGraph: GradientGraph;
  readonly batchNorms: BatchNormStatistics[];
  readonly dropouts: DropoutMask[];
  /** Shapes of the training-form graph's values (before the backward pass). */
  readonly shapes: ShapeMap;
}

/**
 * The training step's graph: `parameters` become graph inputs (each step feeds their current values), BatchNorm
 * normalises with batch statistics and exposes them, Dropout draws from fed masks, and the soft-target loss head
 * is differentiated w.r.t. every parameter (not the input).
 */
export async function buildTrainingGraph(prepared: PreparedModel, parameters: readonly string[], dims: ReadonlyMap<string, readonly number[]>, head: { readonly dropRate?: number; readonly distillation: boolean; readonly jsdWeight: number; readonly trades: boolean }): Promise<TrainingGraph> {
  const graph = prepared.graph.clone();
  parametersAsInputs(graph, parameters, dims);
  const shapes = new Map(prepared.shapes);
  const batchNorms = batchNormToTraining(graph, shapes);
  const dropouts = dropoutToTraining(graph, shapes, prepared.logitsName, head.dropRate ?? 0);
  const extraOutputs = batchNorms.flatMap((b) => [b.batchMean, b.batchVar]);
  const loss = softTargetHead({ distillation: head.distillation, jsdWeight: head.jsdWeight, trades: head.trades });
  const gradientGraph = await buildGradientGraph({ ...prepared, graph, shapes }, { loss, input: false, parameters, extraOutputs, executionProvider: targetExecutionProvider() });
  return { gradientGraph, batchNorms, dropouts, shapes };
}

export async function trainClassifier(model: Graph, train: TrainingData, test: TrainingData, config: TrainConfig): Promise<TrainResult> {
  const started = Date.now();
  const log = config.log ?? (() => {});
  const prepared = await prepareModel(model);
  const inputDims = prepared.shapes.get(prepared.inputName)!.dims;
  const imageShape = inputDims.slice(1) as [number, number, number];
  if (imageShape.some((d) => typeof d !== 'number')) throw new RobustartError(`model input '${prepared.inputName}' needs a fixed image shape to train, not [${inputDims.join(', ')}]`);
  const [channels, height, width] = imageShape;
  const plane = height * width;
  const classes = prepared.numClasses;
  // Trainable: float tensors of rank >= 1 except BN running statistics (updated from batch
  // statistics instead); 0-d initializers are op constants (GELU's 1/sqrt 2, attention scales).
  const running = runningStatistics(prepared.graph);
  const floats = [...prepared.graph.initializers].filter(([, t]) => t.dataType === DataType.FLOAT && t.dims.length > 0).map(([name]) => name);
  const frozen = new Set(floats.filter((name) => !running.has(name) && config.frozen?.some((r) => r.test(name))));
  const parameters = floats.filter((name) => !running.has(name) && !frozen.has(name));
  if (parameters.length === 0) throw new RobustartError('every parameter of the model is frozen; loosen the frozen name patterns');
  const state = [...parameters, ...running, ...frozen];
  const weights = new Map(state.map((name) => [name, Float32Array.from(prepared.graph.initializers.get(name)!.data as Float32Array)]));
  const dims = new Map(state.map((name) => [name, prepared.graph.initializers.get(name)!.dims]));
  const distill = config.distillation;
  const consistency = config.augmixConsistency;
  const { trades } = techniqueCombination(config);
  const { gradientGraph, batchNorms, dropouts, shapes: trainShapes } = await buildTrainingGraph(prepared, parameters, dims, { dropRate: config.dropRate, distillation: !!distill, jsdWeight: consistency?.weight ?? 0, trades: trades !== undefined });
  const session = await createSession(gradientGraph.graph, { intraOpThreads: config.threads }, 'training graph');
  // Evaluation (and adversarial examples) on live weights: the graph in inference form, state as inputs.
  const evalGraph = prepared.graph.clone();
  parametersAsInputs(evalGraph, state, dims);
  evalGraph.outputs = [{ name: prepared.logitsName }];
  evalGraph.pruneToOutputs();
  const evalSession = await createSession(evalGraph, { intraOpThreads: config.threads }, 'evaluation graph');
  const evalInputs = new Set(evalGraph.inputs.map((i) => i.name));
  const feedsOf = (source: ReadonlyMap<string, Float32Array>, names: Iterable<string>): Feeds => Object.fromEntries([...names].filter((n) => evalInputs.has(n) || parameters.includes(n)).map((name) => [name, tensor('float32', source.get(name)!, dims.get(name)!)]));
  const imageDims = (n: number) => [n, channels, height, width];
  const toModelInput = (pixels: Float32Array) => normalizeBatch(pixels, channels, plane, config.normalization);

  const live = config.adversarial ? await openLiveClassifier({ ...prepared, graph: evalGraph }, evalSession, { trades: trades !== undefined, threads: config.threads, feeds: () => feedsOf(weights, state), normalization: config.normalization }) : undefined;
  const liveModel: LiveClassifier | undefined = live?.model;
  let teacherSession: OrtSession | undefined;
  let teacherLogits = '';
  if (distill) {
    const teacher = await prepareModel(distill.teacher);
    if (teacher.numClasses !== classes) throw new RobustartError(`the teacher has ${teacher.numClasses} classes and the student ${classes}; distillation needs the same classes`);
    teacherSession = await createSession(teacher.graph, { intraOpThreads: config.threads }, 'teacher model');
    teacherLogits = teacher.logitsName;
  }

  const optimizer = createOptimizer(config.optimizer);
  const decayed = weightDecayFlags(parameters, dims, config);
  let ema = config.emaDecay !== undefined && config.emaDecay > 0 ? new WeightEma(config.emaDecay, weights) : undefined;
  const stepsPerEpoch = Math.ceil(train.count / config.batchSize);
  const schedule = stepSchedule(config.schedule, stepsPerEpoch, config.epochs);
  const runKey = config.runKey ?? '';
  // `let`: the epoch loop appends to the history and advances the step.
  let { history, step, firstEpoch } = resumeFromCheckpoint<EpochRecord>(config.checkpoint, { runKey, what: 'config', weights, optimizer, emaShadow: ema?.shadow, log });
  const smoothing = config.labelSmoothing ?? 0;
  const mixSettings = config.mix;
  let lastRate = { time: Date.now(), images: 0 };
  const runStart = Date.now();
  let imagesDone = 0;
  for (let epoch = firstEpoch; epoch <= config.epochs; epoch++) {
    const epochStart = Date.now();
    const order = rngFor(config.seed, hashString('order'), epoch).shuffle(Array.from({ length: train.count }, (_, i) => i));
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let learningRate = 0;
    for (let start = 0; start < train.count; start += config.batchSize) {
      const indices = order.slice(start, start + config.batchSize);
      const pixels = train.pixels(indices);
      const size = channels * plane;
      if (config.transform) {
        indices.forEach((sample, b) => {
          const out = config.transform!(pixels.subarray(b * size, (b + 1) * size), rngFor(config.seed, epoch, sample));
          pixels.set(out, b * size);
        });
      }
      let rows = sampleRows(pixels, indices, indices.map((i) => train.label(i)));
      if (consistency) rows = augmixViews(rows, consistency.settings, config.seed, epoch, { channels, height, width });
      if (config.adversarial) rows = await adversarialRows(liveModel!, config.adversarial, rows, rngFor(config.seed, hashString('attack'), step));
      const { labels } = rows;
      const n = labels.length;
      let images = rows.pixels;
      let targets = rowTargets(rows, classes, smoothing);
      if (mixSettings) {
        const mixed = mixBatch(rngFor(config.seed, hashString('mix'), step), mixSettings, images, targets, { batch: n, channels, height, width, classes });
        images = mixed.images;
        targets = mixed.targets;
      }
      const input = toModelInput(images);
      const feeds: Feeds = { [prepared.inputName]: tensor('float32', input, imageDims(n)), ...feedsOf(weights, [...parameters, ...frozen]) };
      if (distill) {
        const t = await teacherSession!.run({ [prepared.inputName]: tensor('float32', input, imageDims(n)) });
        Object.assign(feeds, teacherFeeds(t[teacherLogits].data as Float32Array, targets, classes, distill));
      }
      feeds[SOFT_TARGETS_INPUT] = tensor('float32', targets, [n, classes]);
      Object.assign(feeds, pairFeeds(rows, classes, { consistency: consistency !== undefined, tradesBeta: trades?.beta }));
      Object.assign(feeds, dropoutFeeds(dropouts, trainShapes, rows, (sample, copy, k) => rngFor(config.seed, hashString('dropout'), epoch, sample, copy, k)));
      const out = await session.run(feeds);
      learningRate = learningRateAt(schedule, step);
      const counted = averagedRows(rows);
      const gradients = parameters.map((name) => out[gradientGraph.gradients.get(name)!].data as Float32Array);
      // The optimizer averages the summed gradients in its update pass; clipping needs them averaged first
      // (each run's outputs are fresh arrays, so in place).
      let rowsLeft = counted;
      if (config.clipGradNorm !== undefined) {
        for (const g of gradients) for (let i = 0; i < g.length; i++) g[i] /= counted;
        clipGradientNorm(gradients, config.clipGradNorm);
        rowsLeft = 1;
      }
      parameters.forEach((name, p) => optimizer.step(name, weights.get(name)!, gradients[p], learningRate, decayed.get(name)!, rowsLeft));
      foldBatchStatistics(batchNorms, weights, out, n);
      ema?.update(weights);
      for (const v of out[gradientGraph.lossName].data as Float32Array) lossSum += v;
      correct += countCorrect((out[prepared.logitsName].data as Float32Array).subarray(0, counted * classes), labels.slice(0, counted), classes);
      seen += counted;
      imagesDone += indices.length;
      step++;
      if (config.progress && (Date.now() - lastRate.time > 500 || start + config.batchSize >= train.count)) {
        const elapsed = (Date.now() - runStart) / 1000;
        const rate = imagesDone / Math.max(elapsed, 1e-3);
        const remaining = (config.epochs - epoch) * train.count + (train.count - Math.min(train.count, start + config.batchSize));
        config.progress({ epoch, epochs: config.epochs, seen: Math.min(train.count, start + config.batchSize), total: train.count, loss: lossSum / seen, accuracy: correct / seen, imagesPerSecond: rate, eta: remaining / rate });
        lastRate = { time: Date.now(), images: imagesDone };
      }
    }
    const evaluated = ema ? ema.shadow : weights;
    const testAccuracy = await accuracy(evalSession, prepared.inputName, prepared.logitsName, test, classes, imageDims, feedsOf(evaluated, state), toModelInput);
    const record: EpochRecord = { epoch, learningRate, trainLoss: lossSum / seen, trainAccuracy: correct / seen, testAccuracy, seconds: (Date.now() - epochStart) / 1000 };
    history.push(record);
    log(`epoch ${epoch}/${config.epochs}: lr ${learningRate.toFixed(5)} train loss ${record.trainLoss.toFixed(4)} train acc ${(100 * record.trainAccuracy).toFixed(2)}% test acc ${(100 * testAccuracy).toFixed(2)}%${ema ? ' (EMA)' : ''} (${record.seconds.toFixed(0)} s)`);
    if (config.checkpoint) saveCheckpoint(config.checkpoint, { epoch, step, seed: config.seed, runKey, weights, ema: ema?.shadow, optimizer: optimizer.state(), history });
  }
  await session.release();
  await evalSession.release();
  await live?.release();
  await teacherSession?.release();
  const final = ema ? ema.shadow : weights;
  const trained = model.clone();
  for (const name of state) {
    if (!trained.initializers.has(name)) continue;
    trained.initializers.set(name, { dims: dims.get(name)!, dataType: DataType.FLOAT, data: Float32Array.from(final.get(name)!) });
  }
  ema = undefined;
  return { graph: trained, history, seconds: (Date.now() - started) / 1000, resumedFrom: firstEpoch - 1 };
}

export function countCorrect(logits: Float32Array, labels: ArrayLike<number>, classes: number): number {
  let correct = 0;
  for (let n = 0; n < labels.length; n++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[n * classes + c] > logits[n * classes + best]) best = c;
    if (best === labels[n]) correct++;
  }
  return correct;
}

export async function accuracy(session: OrtSession, inputName: string, logitsName: string, data: TrainingData, classes: number, imageDims: (n: number) => number[], extraFeeds: Feeds, toModelInput: (pixels: Float32Array) => Float32Array): Promise<number> {
  let correct = 0;
  const batch = 500;
  for (let start = 0; start < data.count; start += batch) {
    const indices = Array.from({ length: Math.min(batch, data.count - start) }, (_, i) => start + i);
    const out = await session.run({ [inputName]: tensor('float32', toModelInput(data.pixels(indices)), imageDims(indices.length)), ...extraFeeds });
    correct += countCorrect(out[logitsName].data as Float32Array, indices.map((i) => data.label(i)), classes);
  }
  return correct / data.count;
}

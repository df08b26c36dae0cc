// Supernet training with the sandwich rule (BigNAS, Yu et al. 2020; RobustART's bignas solver): every step
// runs the largest subnet, the smallest and N random ones (drawn from (seed, 'nas-subnet', step, k)) on the
// same batch, accumulates their gradients, and takes one optimizer step. With in-place distillation the
// smaller subnets learn from the largest one's soft labels (softmax of its logits on this batch) instead
// of the labels. One gradient session per input resolution serves every subnet: the supernet's selection
// inputs (src/nas/supernet.ts) pick the subnet. The optimizer, schedule, label smoothing, augmentation,
// gradient clipping, weight-decay exclusions, EMA and per-epoch checkpoints are src/train's, and so is
// every technique inside the step (src/train/rows.ts builds each pass's rows as the trainer does):
// - AugMix's consistency views are made once per step; every subnet sees them, with its own JS term;
// - PGD-AT / TRADES: each subnet attacks itself, in the form it trains in (BatchNorm on batch
//   statistics: the supernet's running statistics belong to the largest subnet), from per-sample
//   starts keyed by (seed, 'attack', step, position in the sandwich, sample);
// - Mixup/CutMix: one mix per step from (seed, 'mix', step), so every subnet sees the same mixed batch;
//   the largest learns the mixed targets, the others its soft labels on that batch;
// - a teacher teaches the largest subnet (every subnet without in-place distillation);
// - dropout / drop-path masks are drawn per row and per pass from (seed, 'dropout', epoch, sample, copy,
//   mask, position in the sandwich).
import { nodeCrypto } from '../util/native.js';
import { DataType } from '../onnx/proto.js';
import type { Graph } from '../onnx/graph.js';
import { createSession, tensor, type OrtSession } from '../onnx/runtime.js';
import { buildGradientGraph, prepareModel, targetExecutionProvider } from '../autodiff/gradient.js';
import { hashString, rngFor } from '../util/rng.js';
import { canonicalJson } from '../util/json.js';
import { RobustartError } from '../errors.js';
import { createOptimizer, clipGradientNorm, weightDecayFlags } from '../train/optimizer.js';
import { learningRateAt, stepSchedule } from '../train/schedule.js';
import { batchNormToTraining, foldBatchStatistics, runningStatistics } from '../train/batchnorm.js';
import { mixBatch, softmaxAtTemperature } from '../train/targets.js';
import { softTargetHead, SOFT_TARGETS_INPUT, TEACHER_TARGETS_INPUT, INVERSE_TEMPERATURE_INPUT } from '../train/loss-head.js';
import { WeightEma } from '../train/ema.js';
import { normalizeBatch, openLiveClassifier, type LiveClassifier } from '../train/adversarial.js';
import { dropoutToTraining, type DropoutMask } from '../train/dropout.js';
import { resumeFromCheckpoint, saveCheckpoint } from '../train/checkpoint.js';
import { sampleRows, augmixViews, adversarialRows, averagedRows, rowTargets, zeroPairedRows, teacherFeeds, pairFeeds, dropoutFeeds, type BatchRows, type Feeds } from '../train/rows.js';
import { accuracy, countCorrect, parametersAsInputs, techniqueCombination, type TrainConfig, type TrainingData, type Progress } from '../train/trainer.js';
import type { ShapeMap } from '../onnx/shapes.js';
import { buildSupernet, selectionFeeds, type Supernet } from './supernet.js';
import { extractSubnet } from './extract.js';
import { recalibrateBatchNorm, recalibrationIndices } from './recalibrate.js';
import { largestChoices, smallestChoices, randomChoices, spaceHash, type SearchSpace, type Choices } from './space.js';

/** BigNAS's sandwich: the largest, the smallest and two random subnets per step. */
export const SANDWICH_RANDOM_SUBNETS = 2;
/** Training images the per-epoch check recalibrates BatchNorm on. */
const CHECK_RECALIBRATION_IMAGES = 1024;

export type SupernetTrainSettings = Pick<TrainConfig, 'epochs' | 'batchSize' | 'seed' | 'optimizer' | 'schedule' | 'noWeightDecay' | 'noWeightDecayNames' | 'clipGradNorm' | 'labelSmoothing' | 'emaDecay' | 'transform' | 'mix' | 'adversarial' | 'distillation' | 'augmixConsistency' | 'dropRate' | 'normalization' | 'threads' | 'checkpoint' | 'log' | 'progress'> & {
  /** Drop-path rate of the last residual branch (timm's linear rule: block i of B gets rate·i/(B − 1)). */
  readonly dropPath?: number;
  /** Random subnets per step besides the largest and the smallest. */
  readonly randomSubnets?: number;
  /** In-place distillation from the largest subnet (default true). */
  readonly inplaceDistillation?: boolean;
  /** Identity of the recipe, stored in checkpoints. */
  readonly runKey?: string;
  /** Sees every subnet pass of every step (what it was fed and what it gave), in sandwich order. */
  readonly onPass?: (pass: SubnetPass) => void;
};

export interface SubnetPass {
  readonly step: number;
  /** Position in the sandwich (0: the largest). */
  readonly position: number;
  readonly choices: Choices;
  /** The rows the pass trained on, before mixing. */
  readonly rows: BatchRows;
  /** The normalised model input and the loss head's feeds (soft targets, teacher, pairs, masks). */
  readonly feeds: Readonly<Feeds>;
  readonly logits: Float32Array;
  /** The loss head's value per row. */
  readonly loss: Float32Array;
}

export interface SupernetEpochRecord {
  readonly epoch: number;
  readonly learningRate: number;
  /** Mean loss and top-1 of the largest subnet on the training batches (hard labels). */
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  /** Test top-1 of the largest and the smallest subnet, each with BatchNorm recalibrated. */
  readonly testAccuracy: { readonly largest: number; readonly smallest: number };
  readonly seconds: number;
}

export interface SupernetTrainResult {
  /** The supernet graph (largest resolution) with the trained weights. */
  readonly graph: Graph;
  readonly history: SupernetEpochRecord[];
  readonly seconds: number;
  readonly resumedFrom: number;
}

/** The subnets of one step: largest, smallest, then random ones seeded by (seed, step, index). */
export function sandwich(space: SearchSpace, seed: number, step: number, random: number): Choices[] {
  const out = [largestChoices(space), smallestChoices(space)];
  for (let k = 0; k < random; k++) out.push(randomChoices(space, rngFor(seed, hashString('nas-subnet'), step, k)));
  return out;
}

/** The recipe's identity for checkpoints: settings that change the weights, and the space. */
export function supernetRunKey(space: SearchSpace, recipe: unknown): string {
  return nodeCrypto.createHash('sha256').update(canonicalJson({ space: spaceHash(space), recipe })).digest('hex').slice(0, 16);
}

interface ResolutionSessions {
  readonly session: OrtSession;
  readonly net: Supernet;
  readonly gradients: ReadonlyMap<string, string>;
  readonly lossName: string;
  readonly logitsName: string;
  readonly batchNorms: ReturnType<typeof batchNormToTraining>;
  readonly dropouts: readonly DropoutMask[];
  readonly shapes: ShapeMap;
  /** The subnet under attack (adversarial training): its forward in training form, selected by `selection`. */
  readonly live?: { readonly model: LiveClassifier; selection: Feeds; release(): Promise<void> };
}

/**
 * Trains the supernet of `space`. `train`/`test` hold the same samples at each resolution of the
 * space (keyed by resolution).
 */
export async function trainSupernet(space: SearchSpace, train: ReadonlyMap<number, TrainingData>, test: ReadonlyMap<number, TrainingData>, config: SupernetTrainSettings): Promise<SupernetTrainResult> {
  const started = Date.now();
  const log = config.log ?? (() => {});
  for (const r of space.resolution) if (!train.has(r) || !test.has(r)) throw new RobustartError(`no training or test images at resolution ${r} of space ${space.name}`);
  const count = train.get(space.resolution[0])!.count;
  const largest = largestChoices(space);
  const supernet = buildSupernet(space, { seed: config.seed });
  const running = runningStatistics(supernet.graph);
  const parameters = [...supernet.graph.initializers].filter(([name, t]) => t.dataType === DataType.FLOAT && t.dims.length > 0 && !running.has(name)).map(([name]) => name);
  const state = [...parameters, ...running];
  const weights = new Map(state.map((name) => [name, Float32Array.from(supernet.graph.initializers.get(name)!.data as Float32Array)]));
  const dims = new Map(state.map((name) => [name, supernet.graph.initializers.get(name)!.dims]));

  const { trades } = techniqueCombination(config);
  const distill = config.inplaceDistillation ?? true;
  const teacher = config.distillation ? await openTeacher(space, config, distill) : undefined;
  const consistency = config.augmixConsistency;
  const weightFeeds = (): Feeds => Object.fromEntries(parameters.map((name) => [name, tensor('float32', weights.get(name)!, dims.get(name)!)]));
  // One gradient session per resolution: weights and selection inputs fed, BN on batch statistics.
  const sessions = new Map<number, ResolutionSessions>();
  for (const resolution of new Set(space.resolution)) {
    const net = buildSupernet(space, { resolution, initialize: false, dropPath: config.dropPath });
    const prepared = await prepareModel(net.graph);
    const graph = prepared.graph.clone();
    parametersAsInputs(graph, parameters, dims);
    const shapes = new Map(prepared.shapes);
    const batchNorms = batchNormToTraining(graph, shapes);
    let live: ResolutionSessions['live'];
    if (config.adversarial) {
      // The attacked forward: the training form without dropout (Dropout nodes are the identity here).
      const attacked = graph.clone();
      attacked.outputs = [{ name: prepared.logitsName }];
      attacked.pruneToOutputs();
      const forward = await createSession(attacked, { intraOpThreads: config.threads }, `supernet forward at ${resolution}`);
      const state: { selection: Feeds } = { selection: {} };
      const opened = await openLiveClassifier({ ...prepared, graph: attacked, shapes: new Map(shapes) }, forward, { trades: trades !== undefined, threads: config.threads, feeds: () => ({ ...weightFeeds(), ...state.selection }), normalization: config.normalization });
      live = Object.assign(state, { model: opened.model, release: async () => (await opened.release(), await forward.release()) });
    }
    const dropouts = dropoutToTraining(graph, shapes, prepared.logitsName, config.dropRate ?? 0);
    const head = softTargetHead({ distillation: teacher !== undefined, jsdWeight: consistency?.weight ?? 0, trades: trades !== undefined });
    const gradient = await buildGradientGraph({ ...prepared, graph, shapes }, { loss: head, input: false, parameters, extraOutputs: batchNorms.flatMap((b) => [b.batchMean, b.batchVar]), executionProvider: targetExecutionProvider() });
    sessions.set(resolution, { session: await createSession(gradient.graph, { intraOpThreads: config.threads }, `supernet training graph at ${resolution}`), net, gradients: gradient.gradients, lossName: gradient.lossName, logitsName: prepared.logitsName, batchNorms, dropouts, shapes, live });
  }

  const optimizer = createOptimizer(config.optimizer);
  const decayed = weightDecayFlags(parameters, dims, config);
  const ema = config.emaDecay !== undefined && config.emaDecay > 0 ? new WeightEma(config.emaDecay, weights) : undefined;
  const stepsPerEpoch = Math.ceil(count / config.batchSize);
  const schedule = stepSchedule(config.schedule, stepsPerEpoch, config.epochs);
  const randomSubnets = config.randomSubnets ?? SANDWICH_RANDOM_SUBNETS;
  const runKey = config.runKey ?? '';
  // `let`: the epoch loop appends to the history and advances the step.
  let { history, step, firstEpoch } = resumeFromCheckpoint<SupernetEpochRecord>(config.checkpoint, { runKey, what: 'config or space', weights, optimizer, emaShadow: ema?.shadow, log });
  const channels = space.channels;
  const classes = space.classes;
  const runStart = Date.now();
  let imagesDone = 0;
  let lastProgress = 0;
  // The recalibration images of the per-epoch check: one seeded draw per resolution, the same every epoch.
  const smallest = smallestChoices(space);
  const recalibration = new Map([largest.resolution, smallest.resolution].map((r) => [r, recalibrationIndices(config.seed, train.get(r)!.count, CHECK_RECALIBRATION_IMAGES)]));
  for (let epoch = firstEpoch; epoch <= config.epochs; epoch++) {
    const epochStart = Date.now();
    const order = rngFor(config.seed, hashString('order'), epoch).shuffle(Array.from({ length: count }, (_, i) => i));
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let learningRate = 0;
    for (let start = 0; start < count; start += config.batchSize) {
      const indices = order.slice(start, start + config.batchSize);
      const labels = indices.map((i) => train.get(space.resolution[0])!.label(i));
      // The rows every subnet at a resolution starts from: augmented samples (and their AugMix views).
      const sampleRowsAt = new Map<number, BatchRows>();
      const rowsAt = (resolution: number) => {
        let rows = sampleRowsAt.get(resolution);
        if (!rows) {
          const pixels = train.get(resolution)!.pixels(indices);
          const size = channels * resolution * resolution;
          if (config.transform) indices.forEach((sample, b) => pixels.set(config.transform!(pixels.subarray(b * size, (b + 1) * size), rngFor(config.seed, epoch, sample)), b * size));
          rows = sampleRows(pixels, indices, labels);
          if (consistency) rows = augmixViews(rows, consistency.settings, config.seed, epoch, { channels, height: resolution, width: resolution });
          sampleRowsAt.set(resolution, rows);
        }
        return rows;
      };
      const gradients = parameters.map((name) => new Float32Array(weights.get(name)!.length));
      let soft: Float32Array | undefined;
      for (const [k, choices] of sandwich(space, config.seed, step, randomSubnets).entries()) {
        const resolution = choices.resolution;
        const s = sessions.get(resolution)!;
        const selection: Feeds = {};
        for (const [name, f] of selectionFeeds(space, s.net.selectors, choices)) selection[name] = tensor('float32', f.data, f.dims);
        let rows = rowsAt(resolution);
        if (config.adversarial) {
          s.live!.selection = selection;
          rows = await adversarialRows(s.live!.model, config.adversarial, rows, rngFor(config.seed, hashString('attack'), step, k));
        }
        const n = rows.labels.length;
        const imageDims = [n, channels, resolution, resolution];
        let images = rows.pixels;
        let targets = rowTargets(rows, classes, config.labelSmoothing ?? 0);
        if (config.mix) ({ images, targets } = mixBatch(rngFor(config.seed, hashString('mix'), step), config.mix, images, targets, { batch: n, channels, height: resolution, width: resolution, classes }));
        const inplace = k > 0 && distill;
        if (inplace) {
          // The largest subnet's soft labels on the same rows (for an adversarial row: on its own example of that sample).
          targets = zeroPairedRows(rows, soft!.slice(), classes);
        }
        const input = normalizeBatch(images, channels, resolution * resolution, config.normalization);
        const feeds: Feeds = { input: tensor('float32', input, imageDims), ...weightFeeds(), ...selection };
        if (teacher) {
          if (inplace) {
            feeds[TEACHER_TARGETS_INPUT] = tensor('float32', new Float32Array(n * classes), [n, classes]);
            feeds[INVERSE_TEMPERATURE_INPUT] = tensor('float32', Float32Array.of(1), []);
          } else {
            const t = await teacher.session.run({ [teacher.inputName]: tensor('float32', input, imageDims) });
            Object.assign(feeds, teacherFeeds(t[teacher.logitsName].data as Float32Array, targets, classes, config.distillation!));
          }
        }
        feeds[SOFT_TARGETS_INPUT] = tensor('float32', targets, [n, classes]);
        Object.assign(feeds, pairFeeds(rows, classes, { consistency: consistency !== undefined, tradesBeta: trades?.beta }));
        Object.assign(feeds, dropoutFeeds(s.dropouts, s.shapes, rows, (sample, copy, mask) => rngFor(config.seed, hashString('dropout'), epoch, sample, copy, mask, k)));
        const out = await s.session.run(feeds);
        const averaged = averagedRows(rows);
        parameters.forEach((name, p) => {
          const g = out[s.gradients.get(name)!].data as Float32Array;
          const sum = gradients[p];
          for (let i = 0; i < g.length; i++) sum[i] += g[i] / averaged;
        });
        const logits = out[s.logitsName].data as Float32Array;
        const loss = out[s.lossName].data as Float32Array;
        config.onPass?.({ step, position: k, choices, rows, feeds, logits, loss });
        if (k === 0) {
          // The largest subnet: its soft labels teach the others; its batch statistics keep the supernet's BN running estimate.
          soft = softmaxAtTemperature(logits, classes, 1);
          foldBatchStatistics(s.batchNorms, weights, out, n);
          for (const v of loss) lossSum += v;
          correct += countCorrect(logits.subarray(0, averaged * classes), rows.labels.slice(0, averaged), classes);
          seen += averaged;
        }
      }
      if (config.clipGradNorm !== undefined) clipGradientNorm(gradients, config.clipGradNorm);
      learningRate = learningRateAt(schedule, step);
      parameters.forEach((name, p) => optimizer.step(name, weights.get(name)!, gradients[p], learningRate, decayed.get(name)!));
      ema?.update(weights);
      imagesDone += indices.length;
      step++;
      if (config.progress && (Date.now() - lastProgress > 500 || start + config.batchSize >= count)) {
        lastProgress = Date.now();
        const rate = imagesDone / Math.max((Date.now() - runStart) / 1000, 1e-3);
        const remaining = (config.epochs - epoch) * count + (count - Math.min(count, start + config.batchSize));
        config.progress({ epoch, epochs: config.epochs, seen: Math.min(count, start + config.batchSize), total: count, loss: lossSum / seen, accuracy: correct / seen, imagesPerSecond: rate, eta: remaining / rate } satisfies Progress);
      }
    }
    const evaluated = withWeights(supernet.graph, ema ? ema.shadow : weights);
    const testAccuracy = {
      largest: await subnetAccuracy(space, evaluated, largest, train, test, recalibration, config),
      smallest: await subnetAccuracy(space, evaluated, smallest, train, test, recalibration, config),
    };
    const record: SupernetEpochRecord = { epoch, learningRate, trainLoss: lossSum / seen, trainAccuracy: correct / seen, testAccuracy, seconds: (Date.now() - epochStart) / 1000 };
    history.push(record);
    log(`epoch ${epoch}/${config.epochs}: lr ${learningRate.toFixed(5)} largest: train loss ${record.trainLoss.toFixed(4)} train acc ${(100 * record.trainAccuracy).toFixed(2)}%; test acc (BN recalibrated) largest ${(100 * testAccuracy.largest).toFixed(2)}% smallest ${(100 * testAccuracy.smallest).toFixed(2)}%${ema ? ' (EMA)' : ''} (${record.seconds.toFixed(0)} s)`);
    if (config.checkpoint) saveCheckpoint(config.checkpoint, { epoch, step, seed: config.seed, runKey, weights, ema: ema?.shadow, optimizer: optimizer.state(), history });
  }
  for (const s of sessions.values()) {
    await s.session.release();
    await s.live?.release();
  }
  await teacher?.session.release();
  return { graph: withWeights(supernet.graph, ema ? ema.shadow : weights), history, seconds: (Date.now() - started) / 1000, resumedFrom: firstEpoch - 1 };
}

/**
 * The teacher's session. It teaches the passes it sees at their own resolution: the largest subnet's with
 * in-place distillation, every subnet's without.
 */
async function openTeacher(space: SearchSpace, config: SupernetTrainSettings, inplace: boolean): Promise<{ session: OrtSession; inputName: string; logitsName: string }> {
  const teacher = await prepareModel(config.distillation!.teacher);
  if (teacher.numClasses !== space.classes) throw new RobustartError(`the teacher has ${teacher.numClasses} classes and space ${space.name} ${space.classes}; distillation needs the same classes`);
  const dims = teacher.shapes.get(teacher.inputName)!.dims.slice(1);
  const taught = inplace ? [Math.max(...space.resolution)] : [...new Set(space.resolution)];
  for (const r of taught) {
    const wanted = [space.channels, r, r];
    if (dims.some((d, i) => typeof d === 'number' && d !== wanted[i])) throw new RobustartError(`the teacher takes ${dims.join('×')} inputs and the subnets it teaches in space ${space.name} see ${wanted.join('×')}; use a teacher for that input size${inplace ? '' : ', or keep in-place distillation on so that it teaches the largest subnet only'}`);
  }
  return { session: await createSession(teacher.graph, { intraOpThreads: config.threads }, 'teacher model'), inputName: teacher.inputName, logitsName: teacher.logitsName };
}

function withWeights(graph: Graph, weights: ReadonlyMap<string, Float32Array>): Graph {
  const out = graph.clone();
  for (const [name, w] of weights) out.initializers.set(name, { dims: out.initializers.get(name)!.dims, dataType: DataType.FLOAT, data: Float32Array.from(w) });
  return out;
}

/** Test top-1 of one subnet, extracted and BatchNorm-recalibrated on the first training images of a seeded draw. */
async function subnetAccuracy(space: SearchSpace, supernet: Graph, choices: Choices, train: ReadonlyMap<number, TrainingData>, test: ReadonlyMap<number, TrainingData>, recalibration: ReadonlyMap<number, readonly number[]>, config: SupernetTrainSettings): Promise<number> {
  const resolution = choices.resolution;
  const images = train.get(resolution)!;
  const indices = recalibration.get(resolution)!;
  const subnet = await recalibrateBatchNorm(extractSubnet(space, supernet, choices), images, { indices, normalization: config.normalization, threads: config.threads });
  const session = await createSession(subnet, { intraOpThreads: config.threads }, 'subnet');
  try {
    const plane = resolution * resolution;
    return await accuracy(session, 'input', 'logits', test.get(resolution)!, space.classes, (n) => [n, space.channels, resolution, resolution], {}, (pixels) => normalizeBatch(pixels, space.channels, plane, config.normalization));
  } finally {
    await session.release();
  }
}

// One experiment config -> one trained model: loads the data, builds (or reads) the model, turns the
// config's switches into the trainer's settings, trains, and writes the ONNX model (timm metadata plus
// the resolved config in metadata_props) and its training record beside it.
import { readFileSync, writeFileSync } from 'node:fs';
import { buildSmallCnn, buildResNet, buildViT, buildMixer } from '../model/builders/index.js';
import { buildPreset, findPreset } from '../model/zoo/index.js';
import { Graph } from '../onnx/graph.js';
import { decodeModel, writeModel } from '../onnx/proto.js';
import { RobustartError } from '../errors.js';
import { runtimeVersions } from '../version.js';
import { loadPixelSet, asTrainingData, channelStatistics, type PixelSet } from './images.js';
import { trainTransform } from './augment.js';
import { trainClassifier, type TrainConfig, type EpochRecord, type Progress } from './trainer.js';
import { PGD_TRAIN_REL_STEPSIZE, runKey, type ExperimentConfig } from './config.js';
import { TRADES_DEFAULTS } from './trades.js';

export interface ExperimentOptions {
  /** Where to write the trained ONNX model; the record goes to <out without .onnx>.training.json. */
  readonly out: string;
  /** Checkpoint file (default <out>.ckpt); a run finds and resumes its own checkpoint. */
  readonly checkpoint?: string;
  readonly log?: (line: string) => void;
  readonly progress?: (p: Progress) => void;
}

export interface TrainingRecord {
  readonly name: string;
  readonly config: ExperimentConfig;
  readonly seed: number;
  readonly dataset: { readonly train: string; readonly test: string };
  readonly history: EpochRecord[];
  readonly testAccuracy: number;
  readonly seconds: number;
  readonly resumedFrom: number;
  readonly versions: Record<string, string>;
}

type Family = 'CNN' | 'ViT' | 'MLP';

/** The model a config names, for the data's input size and classes. */
/** The family a graph's metadata declares (timm-style JSON value), CNN when absent or unreadable. */
function familyOf(graph: Graph): Family {
  try {
    return JSON.parse(graph.metadata?.family ?? '"CNN"') as Family;
  } catch {
    return 'CNN';
  }
}

/** Builder options a config's model takes (a zoo preset's option names, or a builder's); none for ONNX files. */
function modelKnobs(model: ExperimentConfig['model']): readonly string[] {
  if ('onnx' in model) return [];
  if ('zoo' in model) {
    try {
      return Object.keys(findPreset(model.zoo).preset.options as object);
    } catch {
      return []; // an unknown preset is reported by the build
    }
  }
  return { 'small-cnn': [], resnet: [], vit: ['dropPath', 'dropout'], mixer: ['dropPath'] }[model.builder];
}

/** The drop-path and dropout rates of the techniques, as the model builder's options. */
function regularizationOptions(config: ExperimentConfig): Record<string, number> {
  const knobs = modelKnobs(config.model);
  const { drop_path: dropPath, dropout } = config.techniques;
  const out: Record<string, number> = {};
  if (dropPath !== null) {
    if (knobs.includes('dropPath')) out.dropPath = dropPath;
    else if (dropPath > 0) throw new RobustartError(`techniques.drop_path needs a model with residual drop-path blocks (zoo or builder ViT, Mixer, ConvNeXt, EfficientNet); this model has none, so set it to null or 0`);
  }
  if (dropout !== null && knobs.includes('dropout')) out.dropout = dropout;
  return out;
}

export function buildModel(config: ExperimentConfig, classes: number, initialize = true): { graph: Graph; family: Family; architecture: string } {
  const regularization = regularizationOptions(config);
  if ('onnx' in config.model) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(config.model.onnx);
    } catch {
      throw new RobustartError(`cannot read model ${config.model.onnx}; check model.onnx in the experiment config`);
    }
    const graph = Graph.fromModel(decodeModel(bytes));
    return { graph, family: familyOf(graph), architecture: config.model.onnx.replace(/^.*\//, '').replace(/\.onnx$/, '') };
  }
  if ('zoo' in config.model) {
    const [channels, height, width] = config.data.input_size;
    if (height !== width) throw new RobustartError(`model.zoo ${config.model.zoo} builds square inputs; data.input_size is ${height}×${width}`);
    const { zoo, width: widthMultiplier, depth, options } = config.model;
    const graph = buildPreset(zoo, { resolution: height, channels, classes, seed: config.seed, initialize, width: widthMultiplier, depth, options: { ...options, ...regularization } });
    return { graph, family: familyOf(graph), architecture: zoo };
  }
  const base = { inputSize: config.data.input_size, numClasses: classes, seed: config.seed, initialize };
  const options = { ...config.model.options, ...regularization } as Record<string, never>;
  const knobs = Object.entries(config.model.options).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',');
  const architecture = `${config.model.builder}${knobs ? `(${knobs})` : ''}`;
  try {
    switch (config.model.builder) {
      case 'small-cnn':
        return { graph: buildSmallCnn({ widths: [16, 32, 64], hidden: 128, ...options, ...base }), family: 'CNN', architecture };
      case 'resnet':
        return { graph: buildResNet({ block: 'basic', layers: [2, 2, 2], width: 16, stem: 'cifar', ...options, ...base }), family: 'CNN', architecture };
      case 'vit':
        return { graph: buildViT({ patchSize: 4, dim: 64, depth: 4, heads: 4, mlpRatio: 2, ...options, ...base }), family: 'ViT', architecture };
      case 'mixer':
        return { graph: buildMixer({ patchSize: 4, dim: 64, depth: 4, tokenHidden: 32, channelHidden: 128, ...options, ...base }), family: 'MLP', architecture };
    }
  } catch (error) {
    if (error instanceof RobustartError) throw error;
    throw new RobustartError(`model.options do not fit builder ${config.model.builder}: ${(error as Error).message}`);
  }
}

/** The teacher model of techniques.distillation, when the config has one. */
export function readTeacher(config: ExperimentConfig): Graph | undefined {
  const distillation = config.techniques.distillation;
  if (!distillation) return undefined;
  try {
    return Graph.fromModel(decodeModel(readFileSync(distillation.teacher)));
  } catch {
    throw new RobustartError(`cannot read the teacher model ${distillation.teacher}; check techniques.distillation.teacher`);
  }
}

/** The trainer's settings for a config (data-dependent parts passed in). */
export function trainerSettings(config: ExperimentConfig, normalization: { mean: number[]; std: number[] }, teacher?: Graph): TrainConfig {
  const t = config.techniques;
  const o = config.optimizer;
  const [channels, height, width] = config.data.input_size;
  const augmix = config.transforms.augmix;
  if (config.transforms.rand_augment && config.transforms.rand_augment.magnitude >= config.transforms.rand_augment.num_bins) throw new RobustartError(`transforms.rand_augment.magnitude ${config.transforms.rand_augment.magnitude} must be below num_bins ${config.transforms.rand_augment.num_bins}`);
  return {
    epochs: config.epochs,
    batchSize: config.batch_size,
    seed: config.seed,
    optimizer: o.kind === 'sgd'
      ? { kind: 'sgd', momentum: o.momentum, nesterov: o.nesterov, weightDecay: o.weight_decay }
      : { kind: 'adamw', beta1: o.betas[0], beta2: o.betas[1], eps: o.eps, weightDecay: o.weight_decay },
    schedule: { baseLr: config.schedule.base_lr, warmupLr: config.schedule.warmup_lr ?? config.schedule.base_lr, minLr: config.schedule.min_lr, warmupEpochs: config.schedule.warmup_epochs },
    noWeightDecay: o.no_wd,
    clipGradNorm: o.clip_grad_norm ?? undefined,
    labelSmoothing: t.label_smoothing,
    emaDecay: t.ema?.decay,
    mix: t.mixup ? { mixupAlpha: t.mixup.mixup_alpha, cutmixAlpha: t.mixup.cutmix_alpha, switchProbability: t.mixup.switch_prob } : undefined,
    transform: trainTransform({
      randomResizedCrop: config.transforms.random_resized_crop ?? undefined,
      horizontalFlip: config.transforms.hflip,
      colorJitter: config.transforms.color_jitter ?? undefined,
      autoAugment: config.transforms.auto_augment ?? undefined,
      randAugment: config.transforms.rand_augment ? { numOps: config.transforms.rand_augment.num_ops, magnitude: config.transforms.rand_augment.magnitude, bins: config.transforms.rand_augment.num_bins } : undefined,
      augMix: augmix && !augmix.jsd ? augmix : undefined,
    }, channels, height, width),
    augmixConsistency: augmix?.jsd ? { settings: augmix, weight: augmix.jsd_weight } : undefined,
    adversarial: t.adversarial ? { eps: t.adversarial.eps, steps: t.adversarial.steps, stepSize: t.adversarial.step_size ?? t.adversarial.eps * (t.adversarial.mode === 'trades' ? TRADES_DEFAULTS.stepSize / TRADES_DEFAULTS.eps : PGD_TRAIN_REL_STEPSIZE), randomStart: t.adversarial.random_start, mode: t.adversarial.mode, beta: t.adversarial.beta } : undefined,
    distillation: t.distillation && teacher ? { teacher, temperature: t.distillation.temperature, alpha: t.distillation.alpha } : undefined,
    // A model with its own dropout took the rate in buildModel; others get it on the classifier's input.
    dropRate: modelKnobs(config.model).includes('dropout') ? 0 : (t.dropout ?? 0),
    frozen: t.frozen.map((p) => {
      try {
        return new RegExp(p);
      } catch {
        throw new RobustartError(`techniques.frozen pattern '${p}' is not a valid regular expression`);
      }
    }),
    normalization,
    threads: config.threads,
  };
}

/** One split of the experiment's data at `inputSize`, with its crop, interpolation and size limit. */
export function loadSplit(config: ExperimentConfig, split: 'train' | 'test', inputSize: readonly [number, number, number], log: (line: string) => void): Promise<PixelSet> {
  return loadPixelSet(config.data[split], {
    split, inputSize, cropPct: config.data.crop_pct, interpolation: config.data.interpolation, limit: split === 'train' ? config.data.train_limit : config.data.test_limit, log,
  });
}

/** A trained classifier's metadata (input size, preprocessing, classes, family, labels), in this key order. */
export function classifierMetadata(config: ExperimentConfig, inputSize: readonly [number, number, number], statistics: { readonly mean: readonly number[]; readonly std: readonly number[] }, numClasses: number, family: string, labels: readonly string[]): Record<string, string> {
  return {
    input_size: JSON.stringify(inputSize),
    interpolation: JSON.stringify(config.data.interpolation),
    crop_pct: JSON.stringify(config.data.crop_pct),
    mean: JSON.stringify(statistics.mean),
    std: JSON.stringify(statistics.std),
    num_classes: JSON.stringify(numClasses),
    family: JSON.stringify(family),
    labels: JSON.stringify(labels),
  };
}

export async function runExperiment(config: ExperimentConfig, options: ExperimentOptions): Promise<TrainingRecord & { graph: Graph }> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const trainSet = await loadSplit(config, 'train', config.data.input_size, log);
  const testSet = await loadSplit(config, 'test', config.data.input_size, log);
  if (trainSet.classes.length !== testSet.classes.length) throw new RobustartError(`the training data has ${trainSet.classes.length} classes and the test data ${testSet.classes.length}; use sets with the same classes`);
  const statistics = config.data.mean && config.data.std ? { mean: config.data.mean, std: config.data.std } : channelStatistics(trainSet);
  const { graph, family, architecture } = buildModel(config, trainSet.classes.length);
  const settings: TrainConfig = {
    ...trainerSettings(config, statistics, readTeacher(config)),
    checkpoint: options.checkpoint ?? `${options.out}.ckpt`,
    runKey: runKey(config),
    log,
    progress: options.progress,
  };
  log(`${config.name}: ${architecture} on ${trainSet.count} training / ${testSet.count} test images, ${config.epochs} epochs of batch ${config.batch_size}`);
  const result = await trainClassifier(graph, asTrainingData(trainSet), asTrainingData(testSet), settings);
  const testAccuracy = result.history[result.history.length - 1]?.testAccuracy ?? NaN;
  const seconds = (Date.now() - started) / 1000;
  const versions = runtimeVersions();
  const record: TrainingRecord = { name: config.name, config, seed: config.seed, dataset: { train: trainSet.fingerprint, test: testSet.fingerprint }, history: result.history, testAccuracy, seconds, resumedFrom: result.resumedFrom, versions };
  result.graph.metadata = {
    ...result.graph.metadata,
    ...classifierMetadata(config, config.data.input_size, statistics, trainSet.classes.length, family, trainSet.classes),
    architecture: JSON.stringify(architecture),
    training: JSON.stringify({ trainer: 'robustart train', name: config.name, config, dataset: record.dataset, test_top1: Math.round(testAccuracy * 1e4) / 1e4, epochs: result.history.length, versions }),
  };
  writeModel(options.out, result.graph.toModel());
  writeFileSync(trainingRecordPath(options.out), JSON.stringify(record, null, 2) + '\n');
  return { ...record, graph: result.graph };
}

export function trainingRecordPath(modelPath: string): string {
  return modelPath.replace(/\.onnx$/, '') + '.training.json';
}

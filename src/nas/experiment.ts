// `nas train`: an experiment config (src/train/config.ts: data, optimizer, schedule, transforms and every
// technique) applied to a space's supernet. The config's model is replaced by the supernet, so its
// dropout and drop-path rates go to the supernet's classifier input and residual branches; frozen
// layers are refused (every subnet shares the weights being trained). Writes the supernet ONNX (with
// its space in the metadata) and a training record beside it.
import { writeFileSync } from 'node:fs';
import { writeModel } from '../onnx/proto.js';
import type { Graph } from '../onnx/graph.js';
import { RobustartError } from '../errors.js';
import { runtimeVersions } from '../version.js';
import { asTrainingData, channelStatistics, type PixelSet } from '../train/images.js';
import { trainerSettings, readTeacher, trainingRecordPath, loadSplit, classifierMetadata } from '../train/experiment.js';
import { runKey as recipeKey, type ExperimentConfig } from '../train/config.js';
import { techniqueCombination, type Progress, type TrainingData } from '../train/trainer.js';
import { trainSupernet, supernetRunKey, SANDWICH_RANDOM_SUBNETS, type SupernetEpochRecord } from './train.js';
import { supernetMetadata } from './supernet-file.js';
import { spaceHash, type SearchSpace } from './space.js';

export interface SupernetExperimentOptions {
  readonly out: string;
  readonly checkpoint?: string;
  readonly randomSubnets?: number;
  readonly inplaceDistillation?: boolean;
  readonly log?: (line: string) => void;
  readonly progress?: (p: Progress) => void;
}

export interface SupernetTrainingRecord {
  readonly name: string;
  readonly space: { readonly name: string; readonly hash: string };
  /** The experiment config without its model (the supernet replaces it). */
  readonly config: Omit<ExperimentConfig, 'model'>;
  readonly sandwich: { readonly randomSubnets: number; readonly inplaceDistillation: boolean };
  readonly dataset: { readonly train: string; readonly test: string };
  readonly history: SupernetEpochRecord[];
  readonly seconds: number;
  readonly resumedFrom: number;
  readonly versions: Record<string, string>;
}

export async function runSupernetExperiment(space: SearchSpace, config: ExperimentConfig, options: SupernetExperimentOptions): Promise<SupernetTrainingRecord & { graph: Graph }> {
  const log = options.log ?? (() => {});
  if (config.techniques.frozen.length > 0) throw new RobustartError('supernet training does not take techniques.frozen (every subnet trains the shared weights); remove it from the experiment config');
  const teacher = readTeacher(config);
  // The trainer's refused combinations, before any data is read (the normalisation plays no part in them).
  techniqueCombination(trainerSettings(config, { mean: [], std: [] }, teacher));
  const largestResolution = Math.max(...space.resolution);
  const sets = new Map<number, { train: PixelSet; test: PixelSet }>();
  for (const resolution of new Set(space.resolution)) {
    const inputSize = [space.channels, resolution, resolution] as const;
    sets.set(resolution, { train: await loadSplit(config, 'train', inputSize, log), test: await loadSplit(config, 'test', inputSize, log) });
  }
  const reference = sets.get(largestResolution)!;
  if (reference.train.classes.length !== space.classes) throw new RobustartError(`space ${space.name} has ${space.classes} classes and the training data ${reference.train.classes.length}; use data with the space's classes`);
  const statistics = config.data.mean && config.data.std ? { mean: config.data.mean, std: config.data.std } : channelStatistics(reference.train);
  const settings = {
    ...trainerSettings({ ...config, data: { ...config.data, input_size: [space.channels, largestResolution, largestResolution] } }, statistics, teacher),
    // The supernet has no Dropout of its own: the rates go to its classifier input and residual branches.
    dropRate: config.techniques.dropout ?? 0,
    dropPath: config.techniques.drop_path ?? 0,
  };
  const sandwich = { randomSubnets: options.randomSubnets ?? SANDWICH_RANDOM_SUBNETS, inplaceDistillation: options.inplaceDistillation ?? true };
  const asData = (pick: (s: { train: PixelSet; test: PixelSet }) => PixelSet) => new Map<number, TrainingData>([...sets].map(([r, s]) => [r, asTrainingData(pick(s))]));
  log(`${config.name}: supernet of ${space.name} on ${reference.train.count} training / ${reference.test.count} test images, ${config.epochs} epochs of batch ${config.batch_size}, the largest, the smallest and ${sandwich.randomSubnets} random subnets per step${sandwich.inplaceDistillation ? ', in-place distillation' : ''}`);
  const result = await trainSupernet(space, asData((s) => s.train), asData((s) => s.test), {
    ...settings,
    ...sandwich,
    checkpoint: options.checkpoint ?? `${options.out}.ckpt`,
    runKey: supernetRunKey(space, { recipe: recipeKey(config), sandwich }),
    log,
    progress: options.progress,
  });
  const versions = runtimeVersions();
  const { model: _replaced, ...recipe } = config;
  const record: SupernetTrainingRecord = {
    name: config.name, space: { name: space.name, hash: spaceHash(space) }, config: recipe, sandwich,
    dataset: { train: reference.train.fingerprint, test: reference.test.fingerprint },
    history: result.history, seconds: result.seconds, resumedFrom: result.resumedFrom, versions,
  };
  const last = result.history[result.history.length - 1];
  result.graph.metadata = {
    ...supernetMetadata(space),
    ...classifierMetadata(config, [space.channels, largestResolution, largestResolution], statistics, space.classes, 'CNN', reference.train.classes),
    training: JSON.stringify({ trainer: 'robustart nas train', name: config.name, space: space.name, sandwich, dataset: record.dataset, test_top1: last?.testAccuracy, epochs: result.history.length, versions }),
  };
  writeModel(options.out, result.graph.toModel());
  writeFileSync(trainingRecordPath(options.out), JSON.stringify(record, null, 2) + '\n');
  return { ...record, graph: result.graph };
}

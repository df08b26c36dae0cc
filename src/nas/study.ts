// `nas sample` as a study: draw subnets; for each, extract it from the supernet with its BatchNorm
// recalibrated, write it as an ONNX file, register it in the store's model registry as `<space>/<id>` with
// its choices, parameters and MACs, and evaluate it under the chosen suites through the study runner, so
// each (subnet, suite) is an ordinary stored run that the study views and the dashboard show. A rerun
// draws the same subnets, reuses the files already written (each is written whole and renamed into
// place) and resumes the study's missing cells.
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { writeModel } from '../onnx/proto.js';
import { RobustartError } from '../errors.js';
import { ResultStore } from '../store/store.js';
import { parseStudy } from '../study/config.js';
import type { RecordExecutor } from '../eval/evaluate.js';
import { runStudy, type StudyRunResult, type StudyProgress, type StudyCellEvent } from '../study/runner.js';
import { loadModelFile } from '../model/load.js';
import { loadPixelSet, asTrainingData, type DataSource } from '../train/images.js';
import type { TrainingData } from '../train/trainer.js';
import { extractSubnet } from './extract.js';
import { recalibrateBatchNorm, recalibrationIndices, RECALIBRATION_IMAGES } from './recalibrate.js';
import { loadSupernet, type SupernetFile } from './supernet-file.js';
import { sampleSubnets, type SamplingStrategy, type SubnetSummary } from './sample.js';
import { spaceHash, type SearchSpace } from './space.js';

export interface NasSuiteEntry {
  readonly suite: string;
  readonly name?: string;
  readonly options?: Record<string, string | number | boolean | (string | number)[]>;
  readonly limit?: number;
}

export interface NasSampleOptions {
  readonly space: SearchSpace;
  /** Path of the trained supernet (robustart nas train). */
  readonly supernet: string;
  readonly n: number;
  readonly seed?: number;
  readonly strategy?: SamplingStrategy;
  /** Path of the results store (default: the default store). */
  readonly store?: string;
  /** Evaluation images (an ImageFolder or CSV dataset). */
  readonly data: string;
  /** Evaluate a seeded subset of this many images. */
  readonly limit?: number;
  readonly suites: readonly NasSuiteEntry[];
  /** Training images for BatchNorm recalibration. */
  readonly recalibrationData: DataSource;
  /** Recalibration images (default 4,096). */
  readonly recalibrationImages?: number;
  /** Study name (default nas-<space>). */
  readonly studyName?: string;
  /** Folder under which the subnet files go, as <space>/<supernet hash>/<id>.onnx (default <store folder>/nas). */
  readonly subnetsDir?: string;
  readonly batchSize?: number;
  readonly workers?: number;
  /** Computes the evaluation cells' records elsewhere (`queueExecutor`: shards on queue workers). */
  readonly executor?: RecordExecutor;
  readonly onSubnet?: (e: SubnetEvent) => void;
  readonly onProgress?: (p: StudyProgress) => void;
  readonly onCell?: (e: StudyCellEvent) => void;
  readonly log?: (line: string) => void;
}

export interface SubnetEvent {
  readonly index: number;
  readonly total: number;
  readonly subnet: SubnetSummary;
  readonly path: string;
  /** false: the file was already there (a resumed run). */
  readonly extracted: boolean;
  /** Extraction + recalibration + writing (near 0 when reused). */
  readonly seconds: number;
  /** Evaluating the subnet's cells. */
  readonly evaluateSeconds: number;
}

export interface NasSampleResult {
  readonly subnets: readonly (SubnetSummary & { readonly path: string })[];
  readonly extracted: number;
  readonly extractSeconds: number;
  readonly study: StudyRunResult & { readonly name: string; readonly seconds: number };
}

/** The model-registry metadata of a subnet: what NAS analyses read. */
export interface NasModelMetadata {
  readonly nas: { readonly space: string; readonly spaceHash: string; readonly choices: Record<string, number>; readonly params: number; readonly macs: number; readonly supernet: string };
}

/** The study's model name of a subnet (study names cannot hold '/'). */
const studyModelName = (s: SubnetSummary) => s.name.replace('/', '.');

export async function runNasSample(options: NasSampleOptions): Promise<NasSampleResult> {
  const log = options.log ?? (() => {});
  const space = options.space;
  const supernet = loadSupernet(options.supernet, space);
  const seed = options.seed ?? 0;
  const subnets = sampleSubnets(space, options.n, seed, options.strategy ?? 'uniform');
  const store = new ResultStore(options.store);
  try {
    const storeDir = dirname(resolve(store.path));
    const folder = join(options.subnetsDir ?? join(storeDir, 'nas'), space.name, supernet.sha256.slice(0, 12));
    mkdirSync(folder, { recursive: true });
    const recalibration = new RecalibrationImages(supernet, options.recalibrationData, options.recalibrationImages ?? RECALIBRATION_IMAGES, seed, log);
    const placed: (SubnetSummary & { path: string })[] = [];
    const name = options.studyName ?? `nas-${space.name}`;
    const studyOf = (models: readonly (SubnetSummary & { path: string })[]) => parseStudy({
      name,
      description: `${subnets.length} subnets of NAS space ${space.name} (${options.strategy ?? 'uniform'} sampling, seed ${seed}), BatchNorm recalibrated on ${recalibration.count} training images`,
      seed,
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      models: models.map((s) => ({ name: studyModelName(s), onnx: s.path, family: 'CNN', technique: 'baseline', architecture: space.name, tags: { subnet: s.name, params: String(s.params), macs: String(s.macs) } })),
      // Relative to the store, so a store shipped with its data (the demo) keeps its cells' identities.
      datasets: [{ name: 'data', path: relative(storeDir, resolve(options.data)) || '.', ...(options.limit !== undefined ? { limit: options.limit } : {}) }],
      suites: options.suites.map((s) => ({ ...s })),
    }, storeDir, `nas study ${name}`);
    // Checks the suites before any subnet is extracted.
    if (subnets.length) studyOf([{ ...subnets[0], path: join(folder, 'check.onnx') }]);
    let extracted = 0;
    let extractSeconds = 0;
    let studySeconds = 0;
    const totals = { cells: 0, alreadyDone: 0, runningElsewhere: 0, evaluated: 0, trained: 0, failed: 0 };
    let deferred = false;
    // Subnet by subnet (extract, register, evaluate), so an interrupted run leaves whole subnets behind.
    for (const [index, subnet] of subnets.entries()) {
      const started = Date.now();
      const path = join(folder, `${subnet.id}.onnx`);
      const fresh = !existsSync(path);
      if (fresh) {
        const graph = extractSubnet(space, supernet.graph, subnet.choices);
        const images = await recalibration.at(subnet.choices.resolution);
        const recalibrated = await recalibrateBatchNorm(graph, images.data, { indices: images.indices, normalization: supernet.normalization });
        writeModel(`${path}.tmp`, recalibrated.toModel());
        renameSync(`${path}.tmp`, path);
        extracted++;
      }
      const loaded = loadModelFile(path, subnet.name);
      const metadata: NasModelMetadata & Record<string, unknown> = { ...loaded.metadata, nas: { space: space.name, spaceHash: spaceHash(space), choices: subnet.choices, params: subnet.params, macs: subnet.macs, supernet: supernet.sha256 } };
      store.putModel({ name: subnet.name, path: loaded.path, sha256: loaded.sha256, metadata, parameters: subnet.params, macs: subnet.macs });
      placed.push({ ...subnet, path: loaded.path });
      const extractedAt = Date.now();
      extractSeconds += (extractedAt - started) / 1000;
      // The study grows by this subnet; its earlier cells are done and skipped. After a failed cell (which
      // the runner would retry on every call) the remaining subnets are extracted first and evaluated once.
      const last = index === subnets.length - 1;
      if (!deferred || last) {
        const result = await runStudy(studyOf(placed), { store, executor: options.executor, onProgress: options.onProgress, onCell: options.onCell });
        totals.evaluated += result.evaluated;
        if (result.failed > 0) deferred = true;
        // Every call retries the failed cells: the last call's failures are the study's.
        if (last) Object.assign(totals, { cells: result.cells, failed: result.failed, alreadyDone: result.cells - totals.evaluated - result.failed - result.runningElsewhere, runningElsewhere: result.runningElsewhere });
      }
      studySeconds += (Date.now() - extractedAt) / 1000;
      options.onSubnet?.({ index: index + 1, total: subnets.length, subnet, path, extracted: fresh, seconds: (extractedAt - started) / 1000, evaluateSeconds: (Date.now() - extractedAt) / 1000 });
    }
    return { subnets: placed, extracted, extractSeconds, study: { ...totals, storePath: store.path, name, seconds: studySeconds } };
  } finally {
    store.close();
  }
}

/** The recalibration images per input resolution: the same seeded draw of the training set for every subnet. */
class RecalibrationImages {
  private readonly sets = new Map<number, Promise<{ data: TrainingData; indices: number[] }>>();
  constructor(private readonly supernet: SupernetFile, private readonly source: DataSource, readonly count: number, private readonly seed: number, private readonly log: (line: string) => void) {}

  at(resolution: number): Promise<{ data: TrainingData; indices: number[] }> {
    let set = this.sets.get(resolution);
    if (!set) this.sets.set(resolution, (set = this.load(resolution)));
    return set;
  }

  private async load(resolution: number): Promise<{ data: TrainingData; indices: number[] }> {
    const set = await loadPixelSet(this.source, { split: 'train', inputSize: [3, resolution, resolution], cropPct: this.supernet.cropPct, interpolation: this.supernet.interpolation, log: this.log });
    if (set.count < this.count) throw new RobustartError(`the recalibration data has ${set.count} images, fewer than the ${this.count} BatchNorm recalibration images asked for; ask for at most ${set.count}`);
    return { data: asTrainingData(set), indices: recalibrationIndices(this.seed, set.count, this.count) };
  }
}

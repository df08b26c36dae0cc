// One shard computed by the same evaluate() an in-process run uses: the shard's samples, only its condition,
// an in-memory store. The records it leaves there are what the coordinator writes into the real store.
import { loadDataset, type Dataset, type Sample } from '../data/dataset.js';
import { loadModelFile, type LoadedModel } from '../model/load.js';
import { OnnxClassifier } from '../model/classifier.js';
import type { Device } from '../model/session.js';
import { ResultStore } from '../store/store.js';
import { evaluate } from '../eval/evaluate.js';
import { findSuite } from '../eval/run.js';
import type { Suite } from '../eval/suite.js';
import { RobustartError } from '../errors.js';
import { packRecords } from './payload.js';
import type { ShardJobData, ShardResult, ShardWorkerInfo } from './shard.js';

export interface ComputeRequest {
  readonly shard: ShardJobData;
  /** The model's local path (from the worker's cache). */
  readonly modelPath: string;
  /** The dataset root on this machine (after the worker's path map). */
  readonly datasetRoot: string;
  /** Suite options with paths mapped onto this machine. */
  readonly suiteOptions: Record<string, unknown>;
  readonly device: Device;
  readonly threads?: number;
  readonly worker: ShardWorkerInfo;
}

/** Keeps the last model session and dataset listing between shards (a worker sees many shards of one run). */
export class ShardComputer {
  private model: { key: string; model: LoadedModel; classifier: OnnxClassifier } | undefined;
  private dataset: { key: string; dataset: Dataset; byId: Map<string, Sample> } | undefined;

  async compute(request: ComputeRequest): Promise<ShardResult> {
    const { shard } = request;
    const suite = findSuite(shard.suite);
    const { model, classifier } = await this.modelFor(request);
    const { dataset, byId } = this.datasetFor(request, suite, model);
    const samples = shard.sampleIds.map((id) => {
      const sample = byId.get(id);
      if (!sample) throw new RobustartError(`sample ${id} is not in the dataset at ${request.datasetRoot}`);
      return sample;
    });
    const started = process.hrtime.bigint();
    const store = new ResultStore(':memory:');
    try {
      const result = await evaluate({
        model,
        classifier,
        dataset,
        samples,
        store,
        suite: onlyCondition(suite, shard.conditionName),
        seed: shard.seed,
        batchSize: shard.batchSize,
        suiteOptions: request.suiteOptions,
        workers: 0,
      });
      const records = packRecords(shard.sampleIds, store.records(result.run.id, shard.conditionName));
      return { records, computeSeconds: Number(process.hrtime.bigint() - started) / 1e9, worker: request.worker };
    } finally {
      store.close();
    }
  }

  async close(): Promise<void> {
    await this.model?.classifier.dispose();
    this.model = undefined;
  }

  private async modelFor(request: ComputeRequest) {
    const key = `${request.modelPath}\n${request.device}\n${request.threads ?? ''}`;
    if (this.model?.key !== key) {
      await this.close();
      const model = loadModelFile(request.modelPath, request.shard.model.name);
      if (model.sha256 !== request.shard.model.sha256) throw new RobustartError(`cached model ${request.modelPath} does not hash to ${request.shard.model.sha256.slice(0, 12)}; delete it from the model cache`);
      this.model = { key, model, classifier: await OnnxClassifier.create(model, { device: request.device, threads: request.threads }) };
    }
    return this.model;
  }

  private datasetFor(request: ComputeRequest, suite: Suite, model: LoadedModel) {
    const key = JSON.stringify([request.datasetRoot, suite.name, request.suiteOptions, model.sha256]);
    if (this.dataset?.key !== key) {
      const loaded = loadDataset(request.datasetRoot, model.metadata.labels);
      const dataset = suite.prepareDataset ? suite.prepareDataset(loaded, request.suiteOptions) : loaded;
      if (dataset.fingerprint !== request.shard.dataset.fingerprint) {
        throw new RobustartError(
          `dataset at ${request.datasetRoot} has fingerprint ${dataset.fingerprint} but the run's (${request.shard.dataset.root}) is ${request.shard.dataset.fingerprint}; map the run's dataset path onto an identical copy`,
        );
      }
      this.dataset = { key, dataset, byId: new Map(dataset.samples.map((s) => [s.id, s])) };
    }
    return this.dataset;
  }
}

/** The suite restricted to one of its conditions, without suite-level metrics (they need every condition). */
export function onlyCondition(suite: Suite, name: string): Suite {
  return {
    name: suite.name,
    description: suite.description,
    async conditions(context) {
      const all = await suite.conditions(context);
      const condition = all.find((c) => c.name === name);
      if (!condition) throw new RobustartError(`suite ${suite.name} has no condition ${name} with these options; the worker runs another robustart version than the coordinator`);
      return [condition];
    },
  };
}

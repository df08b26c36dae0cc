// A training run in the results store: one run (suite 'train') whose config is the resolved experiment
// config, with per-epoch curves as metrics under the noise key 'epoch/<n>' (train_loss, train_acc,
// test_acc, lr, seconds), so the HTML report can draw them next to the robustness results.
import { readFileSync } from 'node:fs';
import { nodeCrypto } from '../util/native.js';
import type { ResultStore } from '../store/store.js';
import type { TrainingRecord } from './experiment.js';

export const TRAIN_SUITE = 'train';

export function epochKey(epoch: number): string {
  return `epoch/${epoch}`;
}

export function storeTrainingRun(store: ResultStore, record: TrainingRecord, modelPath: string): string {
  const sha256 = nodeCrypto.createHash('sha256').update(readFileSync(modelPath)).digest('hex');
  const id = nodeCrypto.createHash('sha256').update(`${TRAIN_SUITE}\n${sha256}\n${JSON.stringify(record.config)}`).digest('hex').slice(0, 16);
  store.putDataset({ fingerprint: record.dataset.train, kind: typeof record.config.data.train === 'string' ? record.config.data.train : record.config.data.train.kind, root: typeof record.config.data.train === 'string' ? record.config.data.train : record.config.data.train.path, numSamples: 0, classes: [] });
  store.openRun({ id, suite: TRAIN_SUITE, modelName: record.name, modelSha256: sha256, datasetFingerprint: record.dataset.train, config: record.config as unknown as Record<string, unknown>, seed: record.seed, versions: record.versions });
  for (const h of record.history) {
    store.setMetrics(id, epochKey(h.epoch), { train_loss: h.trainLoss, train_acc: h.trainAccuracy, test_acc: h.testAccuracy, lr: h.learningRate, seconds: h.seconds });
  }
  store.finishRun(id, 'finished', { test_top1: record.testAccuracy, epochs: record.history.length, seconds: record.seconds, model: modelPath });
  return id;
}

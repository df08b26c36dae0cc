// Transfer attacks: adversarial images crafted on each source model (through the one attack pipeline) and classified by
// each target model; the source × target matrix of AR (among the target's clean-correct samples, as RobustART) and of
// robust accuracy (over all samples). The matrix is stored as a run per source (suite "transfer", one metric row per
// target, condition and convention).
import { nodeCrypto } from '../util/native.js';
import type { DifferentiableClassifier } from '../model/differentiable.js';
import type { Dataset, Sample } from '../data/dataset.js';
import type { ResultStore } from '../store/store.js';
import { RobustartError } from '../errors.js';
import { runtimeVersions } from '../version.js';
import { attackConditions, type AttackPlan } from '../noise/adversarial/conditions.js';
import { runConditions, stillCorrect } from '../noise/adversarial/suite.js';
import { conditionalAccuracy, accuracy } from '../metrics/adversarial.js';

export interface TransferModel {
  readonly name: string;
  readonly sha256: string;
  readonly classifier: DifferentiableClassifier;
}

export interface TransferCell {
  readonly source: string;
  readonly target: string;
  /** Condition name, e.g. "fgsm/linf/8/255". */
  readonly condition: string;
  readonly attack: string;
  readonly norm: string;
  readonly eps: number | null;
  /** Among the target's clean-correct samples, the fraction still correct on the source's adversarial images. */
  readonly ar: number;
  /** Over all samples, the fraction the target classifies correctly on the source's adversarial images. */
  readonly robustAccuracy: number;
}

export interface TransferOptions {
  readonly sources: readonly TransferModel[];
  readonly targets: readonly TransferModel[];
  readonly dataset: Dataset;
  readonly samples: readonly Sample[];
  /** N,C,H,W in [0,1], one row per sample. */
  readonly images: Float32Array;
  readonly plans: readonly AttackPlan[];
  readonly seed: number;
  readonly batchSize?: number;
  /** The protocol named for the run (recorded and part of each run's identity). */
  readonly protocol?: string | null;
  readonly store?: ResultStore;
}

export interface TransferResult {
  readonly cells: readonly TransferCell[];
  readonly cleanAccuracy: Readonly<Record<string, number>>;
  /** Stored run id per source (when a store was given). */
  readonly runs: Readonly<Record<string, string>>;
}

export async function runTransfer(options: TransferOptions): Promise<TransferResult> {
  const { sources, targets, images, samples, seed } = options;
  if (sources.length === 0 || targets.length === 0) throw new RobustartError('transfer needs at least one source and one target model');
  const labels = Int32Array.from(samples, (s) => s.label);
  const sampleIds = samples.map((s) => s.id);
  const shape = sources[0].classifier.inputShape.join('×');
  for (const m of [...sources, ...targets]) {
    if (m.classifier.inputShape.join('×') !== shape) throw new RobustartError(`model ${m.name} takes ${m.classifier.inputShape.join('×')} inputs but ${sources[0].name} takes ${shape}; transfer needs models with one input size`);
    if (m.classifier.numClasses !== sources[0].classifier.numClasses) throw new RobustartError(`model ${m.name} predicts ${m.classifier.numClasses} classes but ${sources[0].name} predicts ${sources[0].classifier.numClasses}; transfer needs models over the same classes`);
  }
  const names = targets.map((t) => t.name);
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated) throw new RobustartError(`target model ${repeated} is named twice; name each target once`);
  const cleanCorrect = new Map<string, Uint8Array>();
  for (const t of targets) cleanCorrect.set(t.name, await stillCorrect(t.classifier, images, labels, labels.length));
  const cells: TransferCell[] = [];
  const runs: Record<string, string> = {};
  for (const source of sources) {
    const sourceCells: TransferCell[] = [];
    const conditions = attackConditions(source.classifier, options.plans);
    const attacked = await runConditions(conditions, images, labels, { seed, sampleIds, batchSize: options.batchSize, keepImages: true });
    for (const [k, condition] of conditions.entries()) {
      for (const target of targets) {
        const correct = await stillCorrect(target.classifier, attacked[k].adversarial!, labels, labels.length);
        sourceCells.push({
          source: source.name, target: target.name, condition: condition.name, attack: condition.meta.attack, norm: condition.meta.norm, eps: condition.meta.eps,
          ar: conditionalAccuracy(correct, cleanCorrect.get(target.name)!), robustAccuracy: accuracy(correct),
        });
      }
    }
    cells.push(...sourceCells);
    if (options.store) runs[source.name] = storeTransfer(options.store, options, source, sourceCells, cleanCorrect);
  }
  return { cells, cleanAccuracy: Object.fromEntries([...cleanCorrect].map(([name, c]) => [name, accuracy(c)])), runs };
}

function storeTransfer(store: ResultStore, options: TransferOptions, source: TransferModel, cells: readonly TransferCell[], cleanCorrect: ReadonlyMap<string, Uint8Array>): string {
  const { dataset, samples } = options;
  const identity = {
    suite: 'transfer', source: source.sha256, targets: options.targets.map((t) => t.sha256), dataset: dataset.fingerprint,
    samples: nodeCrypto.createHash('sha256').update(samples.map((s) => s.id).join('\n')).digest('hex').slice(0, 16),
    protocol: options.protocol ?? null, plans: options.plans, seed: options.seed, robustart: runtimeVersions().robustart,
  };
  const id = nodeCrypto.createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 16);
  store.putDataset({ fingerprint: dataset.fingerprint, kind: dataset.kind, root: dataset.root, numSamples: dataset.samples.length, classes: dataset.classes });
  store.openRun({
    id, suite: 'transfer', modelName: source.name, modelSha256: source.sha256, datasetFingerprint: dataset.fingerprint,
    config: { ...identity, targetNames: options.targets.map((t) => t.name), datasetRoot: dataset.root, sampleCount: samples.length }, seed: options.seed, versions: runtimeVersions(),
  });
  for (const target of options.targets) {
    const row: Record<string, number | null> = { clean_accuracy: accuracy(cleanCorrect.get(target.name)!) };
    for (const c of cells.filter((x) => x.target === target.name)) {
      row[`ar/${c.condition}`] = Number.isNaN(c.ar) ? null : c.ar;
      row[`robust_accuracy/${c.condition}`] = c.robustAccuracy;
    }
    store.setMetrics(id, target.name, row);
  }
  store.finishRun(id, 'finished', { targets: options.targets.map((t) => t.name), cells: cells.length });
  return id;
}

// The transfer cells of a study: one per source model and dataset, each an ordinary stored transfer run
// (src/eval/transfer.ts: attacks crafted on the source, classified by every target), and the source × target
// matrix the dashboard's transfer view draws, read back from those runs.
import { nodeCrypto } from '../util/native.js';
import type { ResultStore } from '../store/store.js';
import type { Study, StudyDataset, StudyModel } from './config.js';
import type { StudyState } from './state.js';
import { cellStatus, modelIdentity } from './cells.js';

export const TRANSFER_SUITE = 'transfer';

export interface TransferStudyCell {
  readonly cell: string;
  readonly source: StudyModel;
  readonly targets: readonly StudyModel[];
  readonly dataset: StudyDataset;
  readonly limit: number | undefined;
}

export interface TransferMatrixCell {
  readonly source: string;
  readonly target: string;
  /** The attack condition crafted on the source, e.g. "fgsm/linf/8/255". */
  readonly condition: string;
  /** Among the target's clean-correct samples, the fraction still classified correctly. */
  readonly ar: number | null;
  /** Over all samples, the fraction the target classifies correctly. */
  readonly robustAccuracy: number | null;
}

/** A cell's identity holds each model's identity as the evaluation cells use it (its file hash or training recipe). */
export function transferCells(study: Study): TransferStudyCell[] {
  const identity = (m: StudyModel) => modelIdentity(study, m);
  const transfer = study.transfer;
  if (!transfer) return [];
  const byName = (names: readonly string[] | undefined) => (names ? names.map((n) => study.models.find((m) => m.name === n)!) : study.models);
  const sources = byName(transfer.sources);
  const targets = byName(transfer.targets);
  const options = { eps: transfer.eps ?? null, pgd: transfer.pgd };
  return study.datasets.flatMap((dataset) => sources.map((source) => {
    const limit = transfer.limit ?? dataset.limit;
    const key = { suite: TRANSFER_SUITE, source: identity(source), targets: targets.map((t) => [t.name, identity(t)]), dataset: dataset.declaredPath ?? dataset.path, limit: limit ?? null, options, seed: study.seed };
    return { cell: nodeCrypto.createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 16), source, targets, dataset, limit };
  }));
}

/** Runs one transfer cell: the source's attacks on the dataset's (limited) samples, classified by every target. */
export async function runTransferCell(study: Study, cell: TransferStudyCell, modelPath: (m: StudyModel) => string, store: ResultStore): Promise<string> {
  // The attack stack loads on first use: studies without transfer never import it.
  const [{ loadModelFile }, { createDifferentiableClassifier }, { loadDataset, limitSamples }, { loadImages }, { runTransfer }, { transferPlans }, { parseEpsilon }] = await Promise.all([
    import('../model/load.js'), import('../autodiff/classifier.js'), import('../data/dataset.js'), import('../data/batch.js'),
    import('../eval/transfer.js'), import('../noise/adversarial/protocols.js'), import('../noise/adversarial/threat.js'),
  ]);
  const opened: { release(): Promise<void> }[] = [];
  const open = async (m: StudyModel) => {
    const model = loadModelFile(modelPath(m), m.name);
    const classifier = await createDifferentiableClassifier(model.pixelModelBytes);
    opened.push(classifier);
    return { name: m.name, sha256: model.sha256, model, classifier };
  };
  try {
    const source = await open(cell.source);
    const targets = [];
    for (const t of cell.targets) targets.push(t.name === cell.source.name ? source : await open(t));
    // Every model sees the same [0,1] tensor, made with the source's preprocessing (the models share an input size).
    const dataset = loadDataset(cell.dataset.path, source.model.metadata.labels);
    const samples = limitSamples(dataset, cell.limit, study.seed);
    const images = await loadImages(samples, source.model);
    const plans = transferPlans(undefined, { pgd: study.transfer!.pgd, epsilons: study.transfer!.eps?.split(',').map(parseEpsilon) });
    const result = await runTransfer({ sources: [source], targets, dataset, samples, images, plans, seed: study.seed, batchSize: study.batchSize, protocol: 'robustart-paper', store });
    return result.runs[source.name];
  } finally {
    for (const c of opened) await c.release();
  }
}

/** The source × target matrix of a dataset from the study's finished transfer runs (one metric row per target). */
export function storedTransferMatrix(study: Study, store: ResultStore, state: StudyState, dataset: string): TransferMatrixCell[] {
  const rows = new Map(state.cells(study.name).map((r) => [r.cell, r]));
  const runFinished = (id: string) => store.getRun(id)?.status === 'finished';
  const out: TransferMatrixCell[] = [];
  for (const cell of transferCells(study)) {
    const row = rows.get(cell.cell);
    if (cell.dataset.name !== dataset || cellStatus(row, runFinished).status !== 'done') continue;
    const byTarget = new Map<string, Map<string, number | null>>();
    for (const m of store.metrics(row!.runId!)) {
      let values = byTarget.get(m.noise);
      if (!values) byTarget.set(m.noise, (values = new Map()));
      values.set(m.name, m.value);
    }
    for (const [target, values] of byTarget) {
      for (const [name, ar] of values) {
        if (!name.startsWith('ar/')) continue;
        const condition = name.slice('ar/'.length);
        out.push({ source: cell.source.name, target, condition, ar, robustAccuracy: values.get(`robust_accuracy/${condition}`) ?? null });
      }
    }
  }
  return out;
}

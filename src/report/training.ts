// The training curves of a model in the results store: runs of suite 'train' (src/train/record.ts) whose
// model file is the evaluated one, drawn per epoch (train loss; train and test top-1).
import type { ResultStore, RunEntry } from '../store/store.js';
import { escapeHtml, lineChart } from './svg.js';

export interface EpochPoint {
  readonly epoch: number;
  readonly values: Record<string, number | null>;
}

/** Per-epoch metrics of a training run, in epoch order. */
export function trainingCurves(store: ResultStore, runId: string): EpochPoint[] {
  const byEpoch = new Map<number, Record<string, number | null>>();
  for (const m of store.metrics(runId)) {
    const match = /^epoch\/(\d+)$/.exec(m.noise);
    if (!match) continue;
    const epoch = Number(match[1]);
    byEpoch.set(epoch, { ...byEpoch.get(epoch), [m.name]: m.value });
  }
  return [...byEpoch].sort((a, b) => a[0] - b[0]).map(([epoch, values]) => ({ epoch, values }));
}

/** Training runs that produced the model of `run` (same model file hash). */
export function trainingRunsOf(store: ResultStore, run: RunEntry): RunEntry[] {
  return store.listRuns().filter((r) => r.suite === 'train' && r.modelSha256 === run.modelSha256);
}

/** The report section: one pair of charts per training run, or '' when the store has none. */
export function trainingSection(store: ResultStore, run: RunEntry): string {
  const runs = run.suite === 'train' ? [run] : trainingRunsOf(store, run);
  return runs.map((r) => {
    const curves = trainingCurves(store, r.id);
    if (curves.length === 0) return '';
    const series = (key: string, name: string, color: string) => ({ name, color, points: curves.filter((c) => typeof c.values[key] === 'number').map((c) => ({ x: c.epoch, y: c.values[key] as number })) });
    const loss = lineChart([series('train_loss', 'train loss', '#c0392b')], { xLabel: 'epoch', yLabel: 'loss', yMax: 'data' });
    const acc = lineChart([series('train_acc', 'train top-1', '#2e86ab'), series('test_acc', 'test top-1', '#27ae60')], { xLabel: 'epoch', yLabel: 'top-1' });
    return `<h2>Training (${escapeHtml(r.modelName)}, run ${escapeHtml(r.id)})</h2>
<div class="charts"><div>${loss}</div><div>${acc}</div></div>
<p class="meta">${curves.length} epochs; the resolved experiment config is stored with the run (robustart results show ${escapeHtml(r.id)}).</p>`;
  }).join('\n');
}

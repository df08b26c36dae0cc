// Exports a run's per-sample records (and, in JSON, its config and metrics) for analysis elsewhere.
import type { ResultStore } from './store.js';
import { csvField } from '../util/csv.js';

export type ExportFormat = 'csv' | 'json';

export function exportRun(store: ResultStore, runId: string, format: ExportFormat): string {
  const records = store.records(runId);
  if (format === 'json') {
    return `${JSON.stringify({ run: store.getRun(runId), metrics: store.metrics(runId), records }, null, 2)}\n`;
  }
  const header = ['run_id', 'noise', 'sample_id', 'label', 'status', 'prediction', 'top5', 'confidence', 'true_probability', 'correct', 'error', 'extra'];
  const lines = [header.join(',')];
  for (const r of records) {
    const prediction = r.top5?.[0];
    lines.push(
      [runId, r.noise, r.sampleId, r.label, r.status, prediction ?? '', r.top5 ? r.top5.join(' ') : '', r.confidence ?? '', r.trueProbability ?? '', prediction === undefined ? '' : prediction === r.label ? 1 : 0, r.error ?? '', r.extra ?? '']
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

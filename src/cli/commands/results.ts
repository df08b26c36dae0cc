import { writeFileSync } from 'node:fs';
import type { Command } from '../command.js';
import { checkOutputPath, stringFlag } from '../command.js';
import { RobustartError } from '../../errors.js';
import { ResultStore } from '../../store/store.js';
import { exportRun, type ExportFormat } from '../../store/export.js';
import { percent, table } from '../format.js';
import { formatHeadlineMetrics, runHeadline } from '../../report/headline.js';
import { runSettingsText } from '../../report/run-settings.js';

const USAGE = [
  'robustart results list                          stored runs, newest first',
  'robustart results show RUN                      a run\'s config, versions and metrics (RUN: id or unique prefix)',
  'robustart results export RUN [--format csv|json] [--out FILE]   per-sample records (+ metrics in json)',
  '',
  '  --store PATH   results database (default .robustart/results.db or $ROBUSTART_STORE)',
  '  --json         machine-readable output for list/show',
].join('\n');

export const resultsCommand: Command = {
  name: 'results',
  summary: 'stored runs: list, show, export as CSV or JSON',
  usage: USAGE,
  options: { store: { type: 'string' }, json: { type: 'boolean' }, format: { type: 'string' }, out: { type: 'string' } },
  positionals: true,
  async run(values, positionals) {
    const [action, ...args] = positionals;
    const json = Boolean(values.json);
    // An explicit --store must exist: reading results never creates an empty database.
    const store = new ResultStore(stringFlag(values, 'store'), { mustExist: stringFlag(values, 'store') !== undefined });
    try {
      switch (action) {
        case 'list': {
          const runs = store.listRuns();
          if (json) return void process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
          if (runs.length === 0) return void process.stdout.write(`no runs in ${store.path}; robustart eval stores one\n`);
          const rows = runs.map((r) => {
            const headline = runHeadline(r.suite, store.metrics(r.id));
            return [r.id, r.createdAt.replace('T', ' ').slice(0, 19), r.suite, r.modelName, String(r.config.sampleCount ?? ''), r.status, percent(headline.cleanTop1), formatHeadlineMetrics(headline.suiteMetrics, ', ')];
          });
          process.stdout.write(table(['run', 'created', 'suite', 'model', 'samples', 'status', 'clean top-1', 'suite metrics'], rows));
          return;
        }
        case 'show': {
          if (args.length !== 1) throw new RobustartError('usage: robustart results show RUN');
          const run = store.findRun(args[0]);
          const metrics = store.metrics(run.id);
          if (json) return void process.stdout.write(`${JSON.stringify({ run, metrics }, null, 2)}\n`);
          process.stdout.write(`run ${run.id} (${run.status})\n  suite    ${run.suite}\n  model    ${run.modelName} (${run.modelSha256.slice(0, 12)})\n  dataset  ${String(run.config.datasetRoot)} (${run.datasetFingerprint})\n  seed     ${run.seed}\n  versions ${Object.entries(run.versions).map(([k, v]) => `${k} ${v}`).join(', ')}\n  created  ${run.createdAt}\n`);
          const settings = runSettingsText(run, '    ');
          process.stdout.write(settings ? `  settings\n${settings}\n` : '\n');
          const names = [...new Set(metrics.map((m) => m.name))];
          const noises = [...new Set(metrics.map((m) => m.noise))];
          const value = (noise: string, name: string) => metrics.find((m) => m.noise === noise && m.name === name)?.value;
          const fmt = (name: string, v: number | null | undefined) => (v === null || v === undefined ? '-' : ['count', 'skipped'].includes(name) ? String(v) : ['top1', 'top5', 'ece'].includes(name) ? percent(v) : v.toFixed(4));
          process.stdout.write(table(['condition', ...names], noises.map((n) => [n, ...names.map((name) => fmt(name, value(n, name)))])));
          return;
        }
        case 'export': {
          if (args.length !== 1) throw new RobustartError('usage: robustart results export RUN [--format csv|json] [--out FILE]');
          const format = (stringFlag(values, 'format') ?? 'csv') as ExportFormat;
          if (format !== 'csv' && format !== 'json') throw new RobustartError(`--format ${format} is not supported; use csv or json`);
          const text = exportRun(store, store.findRun(args[0]).id, format);
          const out = stringFlag(values, 'out');
          if (out) {
            writeFileSync(checkOutputPath(out), text);
            process.stderr.write(`wrote ${out}\n`);
          } else process.stdout.write(text);
          return;
        }
        default:
          throw new RobustartError(`robustart results: unknown action '${action ?? ''}'; use list, show or export`);
      }
    } finally {
      store.close();
    }
  },
};

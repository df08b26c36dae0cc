import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from '../command.js';
import { numberFlag, stringFlag } from '../command.js';
import { progressBar } from '../../eval/progress.js';
import { ResultStore } from '../../store/store.js';
import { renderDemoReport } from '../../report/demo-report.js';
import { packagePath } from '../../util/paths.js';
import { percent, table } from '../format.js';
import { RobustartError } from '../../errors.js';
import { DEMO_DATA, demoReading, demoSummary, runDemo, type DemoModel, type DemoSummary } from '../../eval/demo.js';

export { DEMO_DATA };
export const DEMO_MODEL = 'fashion-cnn';

/** The printed side-by-side table: one row per model, each column naming its protocol and subset size. */
export function demoTable(demos: readonly DemoModel[], summaries: readonly DemoSummary[]): string {
  const first = demos[0].runs;
  const s0 = summaries[0];
  const headers = [
    'model',
    `clean top-1 (n=${first.natural.samples})`,
    `AR ${s0.arCondition ?? ''} (${first.adversarial.protocol}, n=${first.adversarial.samples})`,
    `WCAR ${s0.wcarBudget ?? ''}`,
    `mean corruption error (n=${first.natural.samples})`,
    `NSD (${first.system.protocol}, n=${first.system.samples})`,
  ];
  const rows = summaries.map((s) => [s.model, percent(s.cleanTop1), percent(s.ar), percent(s.wcar), percent(s.meanCorruptionError), s.nsd === null ? '-' : s.nsd.toFixed(4)]);
  return table(headers, rows);
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'benchmark the bundled models under quick adversarial, natural and system noise and write one HTML report',
  usage: [
    'robustart demo [--full] [--limit N] [--store PATH] [--out FILE] [--json]',
    '',
    '  --full         the complete suites (robustart-paper attacks, every corruption at 5 severities, the default',
    '                 decoder x resizer grid) instead of the quick versions',
    '  --limit N      at most N images per suite (a seeded subset)',
    '  --store PATH   results database (default .robustart/results.db or $ROBUSTART_STORE); stored runs are reused',
    '  --out FILE     report path (default .robustart/reports/demo.html, demo-full.html with --full)',
    '  --json         print the summary as JSON',
  ].join('\n'),
  options: { store: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' }, full: { type: 'boolean' }, limit: { type: 'string' }, serve: { type: 'boolean' } },
  async run(values) {
    if (values.serve) throw new RobustartError('demo --serve is not available yet: open the report file the demo writes');
    const json = Boolean(values.json);
    const full = Boolean(values.full);
    const limit = values.limit === undefined ? undefined : numberFlag(values, 'limit', 0, { min: 1, integer: true });
    const store = new ResultStore(stringFlag(values, 'store'));
    try {
      let bar: ReturnType<typeof progressBar> | undefined;
      const demos = await runDemo({
        data: packagePath(DEMO_DATA), store, full, limit,
        onProgress: json ? undefined : (label) => { bar?.end(); if (!json) process.stderr.write(`${label}\n`); bar = progressBar(); return bar; },
      });
      bar?.end();
      const summaries = demos.map((d) => demoSummary(store, d));
      const html = await renderDemoReport({ store, demos, summaries });
      const out = resolve(stringFlag(values, 'out') ?? `.robustart/reports/${full ? 'demo-full' : 'demo'}.html`);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, html);
      const evaluatedNow = demos.reduce((n, d) => n + Object.values(d.runs).reduce((m, r) => m + r.evaluatedNow, 0), 0);
      if (json) {
        const runs = demos.map((d) => ({ model: d.model.name, runs: Object.fromEntries(Object.entries(d.runs).map(([k, r]) => [k, { run: r.run.id, protocol: r.protocol, samples: r.samples, evaluatedNow: r.evaluatedNow }])) }));
        process.stdout.write(`${JSON.stringify({ models: summaries, runs, reading: demoReading(summaries), evaluatedNow, report: out, store: store.path }, null, 2)}\n`);
      } else {
        process.stdout.write(`${demoTable(demos, summaries)}\n${demoReading(summaries)}\n${evaluatedNow === 0 ? 'all results came from the store\n' : ''}report: ${out}\n`);
      }
    } finally {
      store.close();
    }
  },
};

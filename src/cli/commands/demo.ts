import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from '../command.js';
import { stringFlag } from '../command.js';
import { runEvaluation } from '../../eval/run.js';
import { progressBar } from '../../eval/progress.js';
import { ResultStore } from '../../store/store.js';
import { renderRunReport } from '../../report/html.js';
import { packagePath } from '../../util/paths.js';
import { percent } from '../format.js';
import { evaluationText } from './eval.js';
import { RobustartError } from '../../errors.js';

export const DEMO_MODEL = 'fashion-cnn';
/** The bundled models the demo can show: the standard one and its PGD adversarially trained twin. */
export const DEMO_MODELS = ['fashion-cnn', 'fashion-cnn-at'] as const;
export const DEMO_DATA = 'demo/data/fashion-mnist';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'evaluate the bundled Fashion-MNIST model on the bundled images and write an HTML report',
  usage: [
    'robustart demo [--model NAME] [--store PATH] [--out FILE] [--json]',
    '',
    `  --model NAME   ${DEMO_MODELS.join(' | ')} (default ${DEMO_MODEL}; -at: PGD adversarial training, eps 0.1)`,
    '  --store PATH   results database (default .robustart/results.db or $ROBUSTART_STORE)',
    '  --out FILE     report path (default .robustart/reports/<run>.html)',
    '  --json         print the summary as JSON',
  ].join('\n'),
  options: { model: { type: 'string' }, store: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
  async run(values) {
    const json = Boolean(values.json);
    const model = stringFlag(values, 'model') ?? DEMO_MODEL;
    if (!(DEMO_MODELS as readonly string[]).includes(model)) throw new RobustartError(`--model ${model} is not a bundled demo model; use ${DEMO_MODELS.join(' or ')}`);
    const store = new ResultStore(stringFlag(values, 'store'));
    try {
      const bar = json ? undefined : progressBar();
      const result = await runEvaluation({ model, data: packagePath(DEMO_DATA), store, onProgress: bar });
      bar?.end();
      const html = await renderRunReport({ store, runId: result.run.id, dataset: result.dataset, metadata: result.model.metadata });
      const out = resolve(stringFlag(values, 'out') ?? `.robustart/reports/${result.run.id}.html`);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, html);
      const clean = result.perCondition.get('clean')!;
      if (json) {
        process.stdout.write(`${JSON.stringify({ run: result.run.id, top1: clean.top1, top5: clean.top5, nll: clean.nll, ece: clean.ece, count: clean.count, report: out, store: store.path }, null, 2)}\n`);
      } else {
        process.stdout.write(evaluationText(result));
        process.stdout.write(`\ntop-1 of the bundled model ${model}: ${percent(clean.top1)}\nreport: ${out}\n`);
      }
    } finally {
      store.close();
    }
  },
};

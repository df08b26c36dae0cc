import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from '../command.js';
import { stringFlag } from '../command.js';
import { RobustartError } from '../../errors.js';
import { ResultStore, type RunEntry } from '../../store/store.js';
import { renderRunReport } from '../../report/html.js';
import { loadDataset } from '../../data/dataset.js';
import { loadModelFile, ModelNotFoundError, type LoadedModel } from '../../model/load.js';
import { resolveModel } from '../../model/resolve.js';

export const reportCommand: Command = {
  name: 'report',
  summary: 'write the HTML report of a stored run',
  usage: 'robustart report RUN [--out FILE] [--store PATH]\n\n  RUN          run id or unique prefix (robustart results list)\n  --out FILE   default .robustart/reports/<run>.html\n  --store PATH results database',
  options: { store: { type: 'string' }, out: { type: 'string' } },
  positionals: true,
  async run(values, positionals) {
    if (positionals.length !== 1) throw new RobustartError('usage: robustart report RUN [--out FILE]');
    // An explicit --store must exist: reading results never creates an empty database.
    const store = new ResultStore(stringFlag(values, 'store'), { mustExist: stringFlag(values, 'store') !== undefined });
    try {
      const run = store.findRun(positionals[0]);
      const model = reportModel(run, store);
      const dataset = loadDataset(String(run.config.datasetRoot), model.metadata.labels);
      const html = await renderRunReport({ store, runId: run.id, dataset, metadata: model.metadata });
      const out = resolve(stringFlag(values, 'out') ?? `.robustart/reports/${run.id}.html`);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, html);
      process.stdout.write(`report: ${out}\n`);
    } finally {
      store.close();
    }
  },
};

/**
 * The model whose preprocessing and labels the report uses: the file the run recorded, or, for a run that records
 * none (a transfer run names its source by hash), the bundled or registered model of its name when it is that file.
 */
function reportModel(run: RunEntry, store: ResultStore): LoadedModel {
  if (typeof run.config.modelPath === 'string') return loadModelFile(run.config.modelPath, run.modelName);
  try {
    const model = resolveModel(run.modelName, store);
    if (model.sha256 === run.modelSha256) return model;
  } catch (err) {
    if (!(err instanceof ModelNotFoundError)) throw err;
  }
  throw new RobustartError(`run ${run.id} (suite ${run.suite}) records no model file, and no bundled or registered model '${run.modelName}' is the file it used (sha256 ${run.modelSha256.slice(0, 12)}…); register that file with robustart models add ${run.modelName} PATH and run the report again`);
}

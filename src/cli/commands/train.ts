// robustart train: one experiment config (YAML or JSON) -> one trained ONNX model, its training record,
// per-epoch checkpoints (a re-run resumes) and the curves in the results store.
import type { Command } from '../command.js';
import { stringFlag, requireFlag } from '../command.js';
import { loadExperiment } from '../../train/config.js';
import { runExperiment, trainingRecordPath } from '../../train/experiment.js';
import { storeTrainingRun } from '../../train/record.js';
import type { Progress } from '../../train/trainer.js';
import { ResultStore } from '../../store/store.js';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { BUNDLED_MODELS } from '../../model/resolve.js';
import { packagePath } from '../../util/paths.js';
import { RobustartError } from '../../errors.js';

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a model from an experiment config (configs/*.yaml): optimizer, schedule and technique switches',
  usage: [
    'robustart train --config exp.yaml [--set KEY=VALUE ...] [flags]',
    '',
    '--config PATH      experiment config, YAML or JSON (see configs/ and README "Training")',
    '--set KEY=VALUE    override a config field, e.g. --set techniques.label_smoothing=0 (repeatable)',
    '--out PATH         where to write the ONNX model (default <config name>.onnx); the record goes to <out>.training.json',
    '--checkpoint PATH  per-epoch checkpoint (default <out>.ckpt); an interrupted run resumes from it',
    '--fresh            ignore an existing checkpoint and start over',
    '--store PATH       results database for the curves (default .robustart/results.db or $ROBUSTART_STORE)',
    '--replace-bundled  allow --out to be a bundled model (demo/model/*.onnx), replacing it',
  ].join('\n'),
  options: {
    config: { type: 'string' },
    set: { type: 'string', multiple: true },
    out: { type: 'string' },
    checkpoint: { type: 'string' },
    fresh: { type: 'boolean' },
    store: { type: 'string' },
    'replace-bundled': { type: 'boolean' },
  },
  async run(values) {
    const config = loadExperiment(requireFlag(values, 'config', 'train'), (values.set as string[] | undefined) ?? []);
    const out = stringFlag(values, 'out') ?? `${config.name}.onnx`;
    const bundled = Object.values(BUNDLED_MODELS).map((p) => packagePath(p));
    if (bundled.includes(resolve(out)) && values['replace-bundled'] !== true) {
      throw new RobustartError(`--out ${out} is a bundled model; pass --replace-bundled to replace it, or write elsewhere`);
    }
    const checkpoint = stringFlag(values, 'checkpoint') ?? `${out}.ckpt`;
    if (values.fresh) rmSync(checkpoint, { force: true });
    // On a terminal a live bar; otherwise (nohup, CI logs) the same line every 30 s.
    let lastLine = 0;
    const bar = process.stderr.isTTY ? progressBar : (p: Progress) => {
      if (Date.now() - lastLine < 30_000) return;
      lastLine = Date.now();
      process.stdout.write(`${progressLine(p)}\n`);
    };
    const record = await runExperiment(config, {
      out,
      checkpoint,
      log: (line) => {
        if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
        process.stdout.write(`${line}\n`);
      },
      progress: bar,
    });
    const store = new ResultStore(stringFlag(values, 'store'));
    try {
      const id = storeTrainingRun(store, record, out);
      process.stdout.write(`test top-1 ${(100 * record.testAccuracy).toFixed(2)}% after ${record.seconds.toFixed(0)} s; model ${out}, record ${trainingRecordPath(out)}, run ${id} in ${store.path}\n`);
    } finally {
      store.close();
    }
  },
};

/** epoch, bar, position, running loss and accuracy, img/s, ETA of the whole run. */
export function progressLine(p: Progress): string {
  const width = 24;
  const filled = Math.round((width * p.seen) / p.total);
  const eta = Number.isFinite(p.eta) ? `${Math.floor(p.eta / 60)}:${String(Math.floor(p.eta % 60)).padStart(2, '0')}` : '?';
  return `epoch ${p.epoch}/${p.epochs} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.seen}/${p.total} loss ${p.loss.toFixed(4)} acc ${(100 * p.accuracy).toFixed(1)}% ${p.imagesPerSecond.toFixed(0)} img/s ETA ${eta}`;
}

function progressBar(p: Progress): void {
  process.stderr.write(`\r\x1b[K${progressLine(p)}`);
}

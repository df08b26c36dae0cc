import type { Command } from '../command.js';
import { stringFlag } from '../command.js';
import { RobustartError } from '../../errors.js';
import { ResultStore } from '../../store/store.js';
import { progressBar, formatDuration } from '../../eval/progress.js';
import { loadStudy, type Study } from '../../study/config.js';
import { runStudy } from '../../study/runner.js';
import { studyStatus } from '../../study/cells.js';
import { StudyState } from '../../study/state.js';
import { table } from '../format.js';
import { exportStudy } from './study-export.js';
import { QUEUE_FLAGS, QUEUE_USAGE, queueExecutorFromFlags, queueFlagGiven, queueLabel } from '../queue-flags.js';

const USAGE = [
  'robustart study run FILE              evaluate every cell (model x dataset x suite) not yet stored; resumes after a kill',
  'robustart study run FILE --queue URL  the same, each cell\'s shards computed by queue workers (robustart worker)',
  'robustart study status [FILE]         cells done, running, missing and failed (with the reason); all stored studies without FILE',
  'robustart study export [FILE] --format json|csv|parquet [--out PATH] [--dataset NAME]',
  '                                      the leaderboard (every metric of every model) from the store',
  'robustart study export [FILE] --site DIR',
  '                                      the dashboard as a static site (open DIR/index.html)',
  '',
  '  --store PATH     results database (default .robustart/results.db or $ROBUSTART_STORE)',
  '  --study NAME     a study stored in the results database, instead of FILE',
  '  --models DIR     where study run trains zoo models to (default <store>-models/ beside the database)',
  '  --json           status as JSON',
  '',
  'scale-out (study run; rerun the same command to resume after a crash):',
  ...QUEUE_USAGE,
].join('\n');

/** The study named by FILE, by --study, or the only one in the store. */
export function chooseStudy(state: StudyState, file: string | undefined, name: string | undefined): Study {
  if (file) return loadStudy(file);
  if (name) {
    const study = state.study(name);
    if (!study) throw new RobustartError(`no study '${name}' in the results store; stored studies: ${state.studyNames().join(', ') || 'none'}`);
    return study;
  }
  const names = state.studyNames();
  if (names.length === 1) return state.study(names[0])!;
  throw new RobustartError(names.length === 0 ? 'the results store holds no study; run robustart study run FILE first' : `the results store holds several studies (${names.join(', ')}); name one with --study or give its FILE`);
}

export const studyCommand: Command = {
  name: 'study',
  summary: 'run a study (models x datasets x suites) to completion, show its progress, export its leaderboard',
  usage: USAGE,
  options: { store: { type: 'string' }, models: { type: 'string' }, study: { type: 'string' }, json: { type: 'boolean' }, format: { type: 'string' }, out: { type: 'string' }, dataset: { type: 'string' }, site: { type: 'string' }, ...QUEUE_FLAGS },
  positionals: true,
  async run(values, positionals) {
    const [action, file, ...extra] = positionals;
    if (extra.length) throw new RobustartError(`study ${action}: unexpected argument ${extra[0]}; see robustart study --help`);
    if (action === 'run') {
      if (!file) throw new RobustartError('robustart study run: give the study FILE; see robustart study --help');
      const study = loadStudy(file);
      const bar = progressBar(process.stderr, 'cells');
      // Queued cells: the bar's label carries the queue's figures for the cell in progress.
      let queue = '';
      const executor = await queueExecutorFromFlags(values, (view) => (queue = queueLabel(view)));
      const started = Date.now();
      const result = await runStudy(study, {
        store: stringFlag(values, 'store'),
        executor,
        modelsDir: stringFlag(values, 'models'),
        onProgress: (p) => bar(queue ? { ...p, label: `${p.label} · ${queue}` } : p),
        onCell: (e) => {
          if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
          process.stdout.write(`[${e.index}/${e.total}] ${e.outcome === 'done' ? 'done  ' : 'FAILED'} ${e.model} × ${e.suite} (${e.dataset}) ${e.seconds.toFixed(1)} s${e.reason ? `: ${e.reason}` : ''}\n`);
        },
      });
      bar.end();
      const parts = [`${result.cells} cells`, `${result.alreadyDone} already done`, `${result.evaluated} evaluated now`, `${result.failed} failed`];
      if (result.trained) parts.push(`${result.trained} models trained`);
      if (result.runningElsewhere) parts.push(`${result.runningElsewhere} running in another process`);
      process.stdout.write(`study ${study.name}: ${parts.join(', ')} in ${formatDuration((Date.now() - started) / 1000)}; store ${result.storePath}\n`);
      return result.failed > 0 ? 1 : 0;
    }
    const queueFlag = queueFlagGiven(values);
    if (queueFlag) throw new RobustartError(`study ${action ?? ''}: --${queueFlag} applies to study run only`);
    const store = new ResultStore(stringFlag(values, 'store'));
    try {
      const state = new StudyState(store);
      if (action === 'status') {
        const studies = file || stringFlag(values, 'study') ? [chooseStudy(state, file, stringFlag(values, 'study'))] : state.studyNames().map((n) => state.study(n)!);
        if (studies.length === 0) throw new RobustartError('the results store holds no study; run robustart study run FILE first');
        const runFinished = (id: string) => store.getRun(id)?.status === 'finished';
        const reports = studies.map((s) => ({ study: s.name, cells: studyStatus(s, state, runFinished) }));
        if (values.json) {
          process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
          return;
        }
        for (const r of reports) {
          const count = (status: string) => r.cells.filter((c) => c.status === status).length;
          process.stdout.write(`study ${r.study}: ${count('done')} done, ${count('running')} running, ${count('missing')} missing, ${count('failed')} failed of ${r.cells.length}\n\n`);
          process.stdout.write(table(['model', 'dataset', 'suite', 'status', 'run', 'reason'], r.cells.map((c) => [c.model, c.dataset, c.suite, c.status, c.runId ?? '-', c.reason ?? ''])));
        }
        return;
      }
      if (action === 'export') return await exportStudy(chooseStudy(state, file, stringFlag(values, 'study')), store, values);
      throw new RobustartError(`unknown study action '${action ?? ''}'; use run, status or export (robustart study --help)`);
    } finally {
      store.close();
    }
  },
};

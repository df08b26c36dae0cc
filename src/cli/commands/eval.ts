import type { Command } from '../command.js';
import { numberFlag, requireFlag, stringFlag } from '../command.js';
import { runEvaluation, DEFAULT_SEED, type RunEvaluationResult } from '../../eval/run.js';
import { progressBar } from '../../eval/progress.js';
import { parseDevice } from '../../model/session.js';
import { suites } from '../../eval/suites/index.js';
import { percent, table } from '../format.js';
import { RobustartError } from '../../errors.js';
import { queueExecutor } from '../../queue/coordinator.js';

/** Flags that only some suites read; each lands in the suite's options under its own name. */
export const SUITE_STRING_FLAGS = ['corruptions', 'severities', 'perturbations', 'imagenet-c', 'frost-dir', 'decoders', 'resizers', 'attacks', 'steps', 'negatives'] as const;

export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate a model on a dataset under a suite (clean by default); results are stored and resumable',
  usage: [
    'robustart eval --model <path|name> --data <dir|csv> [flags]',
    '',
    '  --model PATH|NAME   .onnx file, registered name (robustart models list) or bundled name',
    '  --data DIR|CSV      ImageFolder directory or CSV manifest (path,label)',
    `  --suite NAME        ${suites.map((s) => s.name).join(' | ')} (default clean)`,
    '  --limit N           evaluate a seeded random subset of N samples',
    '  --batch-size B      images per batch (default: 32 at 224², scaled by input size)',
    '  --seed S            seed of every random draw (default 0); recorded with the results',
    '  --device D          cpu | webgpu | cuda (default cpu)',
    '  --threads T         ONNX Runtime intra-op threads (default: all cores)',
    '  --workers W         preprocessing worker threads (default: cores - 1, at least 1; 0: main thread)',
    '  --store PATH        results database (default .robustart/results.db or $ROBUSTART_STORE)',
    '  --fresh             discard stored records of this exact run and start over',
    '  --json              print the result as JSON, no progress bar',
    '',
    'scale-out (robustart worker computes the shards; rerun the same command to resume after a crash):',
    '  --queue URL         redis://HOST:PORT: split the work into shards, queue them, store what workers return',
    '  --shard-size N      samples per shard (default: sized from each condition\'s first shard)',
    '  --shard-seconds S   target compute time of one shard when --shard-size is not given (default 60)',
    '  --attempts N        tries per shard before it is marked failed (default 3)',
    '',
    'suite options (recorded with the run):',
    '  --corruptions LIST  natural: corruption names, comma-separated, or all (default all 19)',
    '  --severities R      natural: e.g. 1-5 or 1,3,5 (default 1-5)',
    '  --imagenet-p        natural: add ImageNet-P perturbation sequences (flip probability, mT5D)',
    '  --perturbations L   natural: which ImageNet-P types (default all)',
    '  --imagenet-c DIR    natural: read a pre-made ImageNet-C tree (DIR/<corruption>/<severity>/...) instead of corrupting on the fly',
    '  --frost-dir DIR     natural: frost photographs to blend instead of the procedural frost',
    '  --decoders LIST     system: decoder variants, comma-separated, default or all',
    '  --resizers LIST     system: resizer variants, comma-separated, default or all',
    '  --negatives DIR     imagenet-o: ImageNet validation folder whose images of the 200 classes are the negatives',
    '  --attacks LIST      adversarial: attack:norm pairs, e.g. pgd:linf,cw:l2 (default: the spec\'s attack set and budgets)',
    '  --steps K           adversarial: iterations of every iterative attack (quick runs; default: the spec\'s)',
    '  --set KEY=VALUE     any other suite option (repeatable)',
  ].join('\n'),
  options: {
    model: { type: 'string' },
    data: { type: 'string' },
    suite: { type: 'string' },
    limit: { type: 'string' },
    'batch-size': { type: 'string' },
    seed: { type: 'string' },
    device: { type: 'string' },
    threads: { type: 'string' },
    workers: { type: 'string' },
    store: { type: 'string' },
    fresh: { type: 'boolean' },
    json: { type: 'boolean' },
    queue: { type: 'string' },
    'shard-size': { type: 'string' },
    'shard-seconds': { type: 'string' },
    attempts: { type: 'string' },
    ...Object.fromEntries(SUITE_STRING_FLAGS.map((name) => [name, { type: 'string' as const }])),
    'imagenet-p': { type: 'boolean' },
    set: { type: 'string', multiple: true },
  },
  async run(values) {
    const json = Boolean(values.json);
    const bar = json ? undefined : progressBar();
    const queue = stringFlag(values, 'queue');
    if (queue === undefined && (values['shard-size'] ?? values['shard-seconds'] ?? values.attempts) !== undefined) {
      throw new RobustartError('--shard-size, --shard-seconds and --attempts apply to queued evaluations; add --queue redis://HOST:PORT');
    }
    const result = await runEvaluation({
      model: requireFlag(values, 'model', 'eval'),
      data: requireFlag(values, 'data', 'eval'),
      suite: stringFlag(values, 'suite') ?? 'clean',
      limit: values.limit === undefined ? undefined : numberFlag(values, 'limit', 0, { min: 1, integer: true }),
      batchSize: values['batch-size'] === undefined ? undefined : numberFlag(values, 'batch-size', 0, { min: 1, integer: true }),
      seed: numberFlag(values, 'seed', DEFAULT_SEED, { min: 0, integer: true }),
      device: parseDevice(stringFlag(values, 'device')),
      threads: values.threads === undefined ? undefined : numberFlag(values, 'threads', 0, { min: 1, integer: true }),
      workers: values.workers === undefined ? undefined : numberFlag(values, 'workers', 0, { min: 0, integer: true }),
      store: stringFlag(values, 'store'),
      fresh: Boolean(values.fresh),
      suiteOptions: suiteOptionsFrom(values),
      onProgress: bar,
      ...(queue === undefined
        ? {}
        : {
            workers: 0,
            executor: queueExecutor({
              url: queue,
              shardSize: values['shard-size'] === undefined ? undefined : numberFlag(values, 'shard-size', 0, { min: 1, integer: true }),
              shardSeconds: numberFlag(values, 'shard-seconds', 60, { min: 1 }),
              attempts: numberFlag(values, 'attempts', 3, { min: 1, integer: true }),
            }),
          }),
    });
    bar?.end();
    process.stdout.write(json ? `${JSON.stringify(evaluationJson(result), null, 2)}\n` : evaluationText(result));
  },
};

export function suiteOptionsFrom(values: Record<string, unknown>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const name of SUITE_STRING_FLAGS) if (typeof values[name] === 'string') options[name] = values[name];
  if (values['imagenet-p']) options['imagenet-p'] = true;
  for (const pair of (values.set as string[] | undefined) ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new RobustartError(`--set ${pair} must be KEY=VALUE`);
    options[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return options;
}

export function evaluationJson(result: RunEvaluationResult) {
  return {
    run: result.run.id,
    store: result.storePath,
    suite: result.run.suite,
    model: result.model.name,
    dataset: result.dataset.root,
    seed: result.run.seed,
    evaluatedNow: result.evaluatedNow,
    conditions: Object.fromEntries(
      [...result.perCondition].map(([name, m]) => [name, { count: m.count, skipped: result.skipped.get(name) ?? 0, top1: m.top1, top5: m.top5, nll: m.nll, ece: m.ece, perClassAccuracy: m.perClassAccuracy }]),
    ),
    suiteMetrics: result.suiteMetrics,
  };
}

export function evaluationText(result: RunEvaluationResult): string {
  const rows = [...result.perCondition].map(([name, m]) => [name, m.count, result.skipped.get(name) ?? 0, percent(m.top1), percent(m.top5), m.nll.toFixed(4), percent(m.ece)]);
  let out = `model ${result.model.name} on ${result.dataset.root} (suite ${result.run.suite}, seed ${result.run.seed})\n\n`;
  out += table(['condition', 'n', 'skipped', 'top-1', 'top-5', 'NLL', 'ECE'], rows);
  const suiteMetrics = Object.entries(result.suiteMetrics);
  if (suiteMetrics.length) out += `\n${table(['suite metric', 'value'], suiteMetrics.map(([k, v]) => [k, v === null ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(4)]))}`;
  out += `\nrun ${result.run.id} stored in ${result.storePath}${result.evaluatedNow === 0 ? ' (all records were already stored: nothing re-evaluated)' : ''}\n`;
  return out;
}

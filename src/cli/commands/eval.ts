import type { Command, OptionSpec } from '../command.js';
import { numberFlag, requireFlag, stringFlag } from '../command.js';
import { optionFlags, optionUsage, optionsFromFlags } from '../options.js';
import { WORKERS_HELP } from '../../util/workers.js';
import type { Suite } from '../../eval/suite.js';
import { runEvaluation, DEFAULT_SEED, type RunEvaluationResult } from '../../eval/run.js';
import { progressBar } from '../../eval/progress.js';
import { parseDevice } from '../../model/session.js';
import { findSuite, suites } from '../../eval/suites/index.js';
import { runSettingsText } from '../../report/run-settings.js';
import { percent, table } from '../format.js';
import { RobustartError } from '../../errors.js';
import { MODEL_OUTPUTS, type ModelOutputs } from '../../model/outputs.js';
import { MCE_CORRUPTIONS } from '../../metrics/corruption.js';
import { QUEUE_FLAGS, QUEUE_USAGE, queueExecutorFromFlags } from '../queue-flags.js';

const USAGE = [
  'robustart eval --model <path|name> --data <dir|csv> [flags]',
  '',
  '  --model PATH|NAME   .onnx file, registered name (robustart models list) or bundled name',
  '  --data DIR|CSV      ImageFolder directory or CSV manifest (path,label)',
  '  --suite NAME        SUITES (default clean)',
  '  --limit N           evaluate a seeded random subset of N samples',
  '  --batch-size B      images per batch (default: 32 at 224², scaled by input size)',
  '  --seed S            seed of every random draw (default 0); recorded with the results',
  '  --device D          cpu | webgpu | cuda (default cpu)',
  '  --threads T         ONNX Runtime intra-op threads (default: see --workers; else all cores)',
  `  --workers W         ${WORKERS_HELP}`,
  '                      with neither --workers nor --threads, a clean CPU run of 64 or more images times',
  '                      preprocessing and inference on its first images and splits the cores between them',
  '  --store PATH        results database (default .robustart/results.db or $ROBUSTART_STORE)',
  '  --outputs KIND      logits (default) | probabilities: what the model outputs; a model whose rows sum to 1',
  '                      is refused as logits (its NLL and ECE would be wrong) unless declared probabilities',
  '  --fresh             discard stored records of this exact run and start over',
  '  --json              print the result as JSON, no progress bar',
  '  --set KEY=VALUE     any suite option by its name (repeatable)',
  '',
  'scale-out (robustart worker computes the shards; rerun the same command to resume after a crash):',
  ...QUEUE_USAGE,
];

const FIXED_OPTIONS: OptionSpec = {
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
  outputs: { type: 'string' },
  json: { type: 'boolean' },
  set: { type: 'string', multiple: true },
  ...QUEUE_FLAGS,
};

/** Every registered suite's option flags (read when the command runs, so suites registered by plugins count). */
function suiteFlags(): OptionSpec {
  const flags: OptionSpec = {};
  for (const suite of suites) if (suite.options) Object.assign(flags, optionFlags(suite.options));
  return flags;
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate a model on a dataset under a suite (clean by default); results are stored and resumable',
  get usage() {
    const lines = USAGE.map((line) => line.replace('SUITES', suites.map((s) => s.name).join(' | ')));
    lines.push('', 'suite options (recorded with the run; from each suite\'s options schema):');
    for (const suite of suites) {
      if (!suite.options || Object.keys(suite.options.shape).length === 0) continue;
      lines.push(`  ${suite.name}:`, ...optionUsage(suite.options, '    '));
    }
    return lines.join('\n');
  },
  get options() {
    return { ...suiteFlags(), ...FIXED_OPTIONS };
  },
  async run(values) {
    const json = Boolean(values.json);
    const suite = findSuite(stringFlag(values, 'suite') ?? 'clean');
    const suiteOptions = suiteOptionsFrom(suite, values);
    const bar = json ? undefined : progressBar();
    const executor = await queueExecutorFromFlags(values);
    const result = await runEvaluation({
      model: requireFlag(values, 'model', 'eval'),
      data: requireFlag(values, 'data', 'eval'),
      suite,
      limit: values.limit === undefined ? undefined : numberFlag(values, 'limit', 0, { min: 1, integer: true }),
      batchSize: values['batch-size'] === undefined ? undefined : numberFlag(values, 'batch-size', 0, { min: 1, integer: true }),
      seed: numberFlag(values, 'seed', DEFAULT_SEED, { min: 0, integer: true }),
      device: parseDevice(stringFlag(values, 'device')),
      threads: values.threads === undefined ? undefined : numberFlag(values, 'threads', 0, { min: 1, integer: true }),
      workers: values.workers === undefined ? undefined : numberFlag(values, 'workers', 0, { min: 0, integer: true }),
      store: stringFlag(values, 'store'),
      fresh: Boolean(values.fresh),
      outputs: outputsFlag(stringFlag(values, 'outputs')),
      suiteOptions,
      onProgress: bar,
      ...(executor ? { workers: 0, executor } : {}),
    });
    bar?.end();
    for (const note of result.model.notes) process.stderr.write(`robustart: note: ${note}\n`);
    for (const warning of findSuite(result.run.suite).warnings?.(result.suiteMetrics) ?? []) process.stderr.write(`robustart: warning: ${warning}\n`);
    process.stdout.write(json ? `${JSON.stringify(evaluationJson(result), null, 2)}\n` : evaluationText(result));
  },
};

function outputsFlag(value: string | undefined): ModelOutputs | undefined {
  if (value === undefined) return undefined;
  if (!(MODEL_OUTPUTS as readonly string[]).includes(value)) throw new RobustartError(`--outputs ${value} is not one of ${MODEL_OUTPUTS.join(', ')}`);
  return value as ModelOutputs;
}

/**
 * The chosen suite's options from its flags and --set KEY=VALUE pairs. A flag of another suite is an error
 * (it would otherwise be silently ignored).
 */
export function suiteOptionsFrom(suite: Suite, values: Record<string, unknown>): Record<string, unknown> {
  const own = suite.options ? Object.keys(suite.options.shape) : [];
  for (const flag of Object.keys(suiteFlags())) {
    if (values[flag] !== undefined && !own.includes(flag) && !(flag in FIXED_OPTIONS)) {
      const owners = suites.filter((s) => s.options && flag in s.options.shape).map((s) => s.name);
      throw new RobustartError(`eval: --${flag} is an option of suite ${owners.join(', ')}, not of ${suite.name}; add --suite ${owners[0]} or drop it`);
    }
  }
  const options: Record<string, unknown> = suite.options ? optionsFromFlags(suite.options, values) : {};
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
  let out = `model ${result.model.name} on ${result.dataset.root} (suite ${result.run.suite}, seed ${result.run.seed})\n`;
  const settings = runSettingsText(result.run);
  out += settings ? `settings:\n${settings}\n` : '\n';
  if (result.suiteMetrics.quick_protocol === 1) out += 'QUICK protocol: a smoke run, not comparable with other protocols and never ranked\n\n';
  out += table(['condition', 'n', 'skipped', 'top-1', 'top-5', 'NLL', 'ECE'], rows);
  const suiteMetrics = Object.entries(result.suiteMetrics);
  const notes = suites.find((s) => s.name === result.run.suite)?.metricNotes ?? {};
  const subset = result.suiteMetrics.mCE_subset_corruptions;
  const value = (k: string, v: number | null) => {
    if (v === null) return `n/a: ${notes[k] ?? 'not enough conditions ran'}`;
    const text = Number.isInteger(v) ? String(v) : v.toFixed(4);
    return /_subset$/.test(k) && typeof subset === 'number' ? `${text} (over ${subset} of ${MCE_CORRUPTIONS.length} corruptions, not comparable with a full mCE)` : text;
  };
  if (suiteMetrics.length) out += `\n${table(['suite metric', 'value'], suiteMetrics.map(([k, v]) => [k, value(k, v)]))}`;
  out += `\nrun ${result.run.id} stored in ${result.storePath}${result.evaluatedNow === 0 ? ' (all records were already stored: nothing re-evaluated)' : ''}\n`;
  return out;
}

import type { Command } from '../command.js';
import { numberFlag, requireFlag, stringFlag } from '../command.js';
import { runEvaluation, findSuite, DEFAULT_SEED, type RunEvaluationResult } from '../../eval/run.js';
import { progressBar } from '../../eval/progress.js';
import { parseDevice } from '../../model/session.js';
import { suites } from '../../eval/suites/index.js';
import { percent, table } from '../format.js';
import { RobustartError } from '../../errors.js';
import { MODEL_OUTPUTS, type ModelOutputs } from '../../model/outputs.js';
import { MCE_CORRUPTIONS } from '../../metrics/corruption.js';

/** Flags that only some suites read; each lands in the suite's options under its own name. */
export const SUITE_STRING_FLAGS = ['corruptions', 'severities', 'perturbations', 'imagenet-c', 'frost', 'frost-dir', 'elastic', 'decoders', 'resizers', 'attacks', 'steps', 'negatives', 'protocol', 'eps'] as const;

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
    '  --outputs KIND      logits (default) | probabilities: what the model outputs; a model whose rows sum to 1',
    '                      is refused as logits (its NLL and ECE would be wrong) unless declared probabilities',
    '  --fresh             discard stored records of this exact run and start over',
    '  --json              print the result as JSON, no progress bar',
    '',
    'suite options (recorded with the run):',
    '  --corruptions LIST  natural: corruption names, comma-separated, main (15), extra (4) or all (default all 19; main with --imagenet-c)',
    '  --severities R      natural: e.g. 1-5 or 1,3,5 (default 1-5)',
    '  --imagenet-p        natural: add ImageNet-P perturbation sequences (flip probability, mT5D)',
    '  --perturbations L   natural: which ImageNet-P types (default all)',
    '  --imagenet-c DIR    natural: read a pre-made ImageNet-C tree (DIR/<corruption>/<severity>/...) instead of corrupting on the fly;',
    '                      runs the 15 main corruptions unless --corruptions says otherwise; every folder must exist',
    '  --frost SOURCE      natural: photographs (default: the six reference photographs) | procedural',
    '  --frost-dir DIR     natural: your own frost photographs to blend instead of the reference ones',
    '  --elastic VARIANT   natural: original (default, make_imagenet_c.py with its random affine) | imagecorruptions',
    '  --decoders LIST     system: decoder variants, comma-separated, default or all',
    '  --resizers LIST     system: resizer variants, comma-separated, default or all',
    '  --negatives DIR     imagenet-o: ImageNet validation folder whose images of the 200 classes are the negatives',
    '  --attacks LIST      adversarial: attack:norm pairs, e.g. pgd:linf,cw:l2 (default: the spec\'s attack set and budgets)',
    '  --protocol NAME     adversarial: robustart-paper | robustbench | quick (attacks, budgets, steps, subset; flags override fields)',
    '  --eps E[,E...]      adversarial: budgets for every attack, e.g. 2/255 (default: the protocol\'s or the spec\'s)',
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
    outputs: { type: 'string' },
    json: { type: 'boolean' },
    ...Object.fromEntries(SUITE_STRING_FLAGS.map((name) => [name, { type: 'string' as const }])),
    'imagenet-p': { type: 'boolean' },
    set: { type: 'string', multiple: true },
  },
  async run(values) {
    const json = Boolean(values.json);
    const bar = json ? undefined : progressBar();
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
      outputs: outputsFlag(stringFlag(values, 'outputs')),
      suiteOptions: suiteOptionsFrom(values),
      onProgress: bar,
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

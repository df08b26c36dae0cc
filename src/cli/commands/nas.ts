// robustart nas: the weight-sharing supernet study. `train` trains a space's supernet with the sandwich
// rule; `sample` draws subnets, extracts and BatchNorm-recalibrates each, and evaluates them as a study.
// `--demo` selects the bundled Fashion-MNIST space, its trained supernet and the demo store.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { yaml } from '../../util/native.js';
import type { Command } from '../command.js';
import { numberFlag, stringFlag } from '../command.js';
import { RobustartError } from '../../errors.js';
import { humanCount, table } from '../format.js';
import { packagePath } from '../../util/paths.js';
import { loadExperiment } from '../../train/config.js';
import { trainingRecordPath } from '../../train/experiment.js';
import type { DataSource } from '../../train/images.js';
import { loadSpace, type SearchSpace } from '../../nas/space.js';
import { sampleSubnets, SAMPLING_STRATEGIES, type SamplingStrategy } from '../../nas/sample.js';
import { runNasSample, type NasSuiteEntry } from '../../nas/study.js';
import { runSupernetExperiment } from '../../nas/experiment.js';
import { RECALIBRATION_IMAGES } from '../../nas/recalibrate.js';
import { progressLine } from './train.js';
import { WORKERS_HELP } from '../../util/workers.js';
import { QUEUE_FLAGS, QUEUE_USAGE, queueExecutorFromFlags, queueFlagGiven } from '../queue-flags.js';
import { runNasAnalyze, NAS_ANALYZE_OPTIONS, NAS_ANALYZE_USAGE } from './nas-analyze.js';

/** What `--demo` selects (paths inside the package). */
export const NAS_DEMO = {
  space: 'nas/spaces/fashion-tiny.yaml',
  config: 'nas/demo/supernet.yaml',
  supernet: 'nas/demo/supernet.onnx',
  store: 'nas/demo/results.db',
  suites: 'nas/demo/suites.yaml',
  data: 'demo/data/fashion-mnist',
  /** Images per evaluation and BatchNorm recalibration images of the demo study (small: hundreds of subnets on 2 cores). */
  limit: 100,
  recalibrationImages: 1024,
} as const;

const USAGE = [
  'robustart nas train --space S --config exp.yaml [--out supernet.onnx]',
  '    train the supernet of space S (nas/spaces/*.yaml) with the sandwich rule; the experiment config gives data,',
  '    optimizer, schedule, transforms, label smoothing and EMA (its model is replaced by the supernet)',
  '  --random-subnets N     random subnets per step besides the largest and the smallest (default 2, BigNAS)',
  '  --no-inplace-distillation  smaller subnets learn from the labels, not from the largest subnet',
  '  --set KEY=VALUE        override a config field (repeatable); --checkpoint PATH, --fresh as robustart train',
  '',
  'robustart nas sample --space S --supernet W --n 1200 --seed 0 --data DIR --train-data DIR',
  '    draw N distinct subnets, extract each from W (sliced weights), recalibrate its BatchNorm, evaluate it under',
  '    the suites as a study (one stored run per subnet and suite); a rerun resumes',
  '  --strategy uniform|macs  uniform over the dimensions (default) or stratified by MACs',
  '  --data DIR             evaluation images (ImageFolder or CSV)',
  '  --train-data DIR       BatchNorm recalibration images (ImageFolder, CSV, or fashion-mnist)',
  '  --recalibration-images N  (default 4096)',
  '  --suite NAME           suite to run with its default options (repeatable; default clean)',
  '  --suites FILE          suite entries as a study file writes them (YAML list of {suite, name, options, limit})',
  '  --limit N              evaluate a seeded subset of N images',
  '  --study NAME           study name (default nas-<space>)',
  '  --store PATH           results database (default .robustart/results.db or $ROBUSTART_STORE)',
  `  --workers W            ${WORKERS_HELP}`,
  '  --batch-size B         evaluation batch size',
  '  --dry-run              only list the drawn subnets (no supernet needed)',
  '  --json                 list each subnet\'s choices, params and MACs as JSON',
  '  scale-out: the subnets\' evaluation cells as shards for queue workers (robustart worker); rerun to resume',
  ...QUEUE_USAGE,
  '',
  ...NAS_ANALYZE_USAGE,
  '',
  '  --demo   the bundled Fashion-MNIST space (nas/spaces/fashion-tiny.yaml), its trained supernet and store',
].join('\n');

/** Each subcommand's handler (`analyze` lives in nas-analyze.ts; with --demo it reads the bundled NAS store). */
type SubcommandHandler = (values: Record<string, unknown>, args: string[]) => Promise<number | void>;
export const NAS_SUBCOMMANDS: Record<string, SubcommandHandler> = {
  train: (values) => nasTrain(values),
  sample: (values) => nasSample(values),
  analyze: (values) => runNasAnalyze({ ...values, store: orDemo(values, 'store', NAS_DEMO.store) }),
};

export const nasCommand: Command = {
  name: 'nas',
  summary: 'NAS subnet study: train a weight-sharing supernet, sample, extract and evaluate its subnets',
  usage: USAGE,
  options: {
    demo: { type: 'boolean' },
    space: { type: 'string' },
    config: { type: 'string' },
    set: { type: 'string', multiple: true },
    out: { type: 'string' },
    checkpoint: { type: 'string' },
    fresh: { type: 'boolean' },
    'random-subnets': { type: 'string' },
    'no-inplace-distillation': { type: 'boolean' },
    supernet: { type: 'string' },
    n: { type: 'string' },
    seed: { type: 'string' },
    strategy: { type: 'string' },
    data: { type: 'string' },
    'train-data': { type: 'string' },
    'recalibration-images': { type: 'string' },
    suite: { type: 'string', multiple: true },
    suites: { type: 'string' },
    limit: { type: 'string' },
    study: { type: 'string' },
    store: { type: 'string' },
    'batch-size': { type: 'string' },
    workers: { type: 'string' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    ...NAS_ANALYZE_OPTIONS,
    ...QUEUE_FLAGS,
  },
  positionals: true,
  async run(values, positionals) {
    const [action, ...args] = positionals;
    const handler = action === undefined ? undefined : NAS_SUBCOMMANDS[action];
    if (!handler) throw new RobustartError(`nas: ${action === undefined ? 'give a subcommand' : `unknown subcommand ${action}`}: ${Object.keys(NAS_SUBCOMMANDS).join(', ')}; see robustart nas --help`);
    const queueFlag = queueFlagGiven(values);
    if (queueFlag && action !== 'sample') throw new RobustartError(`nas ${action}: --${queueFlag} applies to nas sample only`);
    return handler(values, args);
  },
};

function spaceFlag(values: Record<string, unknown>): SearchSpace {
  const path = stringFlag(values, 'space') ?? (values.demo ? packagePath(NAS_DEMO.space) : undefined);
  if (!path) throw new RobustartError('nas: --space is required (a space file, e.g. nas/spaces/resnet-imagenet.yaml), or pass --demo');
  // A bare name is a bundled space.
  const bundled = packagePath(`nas/spaces/${path}.yaml`);
  return loadSpace(!existsSync(path) && /^[A-Za-z0-9._+-]+$/.test(path) && existsSync(bundled) ? bundled : path);
}

const orDemo = (values: Record<string, unknown>, name: string, demo: string) => stringFlag(values, name) ?? (values.demo ? packagePath(demo) : undefined);

async function nasTrain(values: Record<string, unknown>): Promise<void> {
  const space = spaceFlag(values);
  const configPath = orDemo(values, 'config', NAS_DEMO.config);
  if (!configPath) throw new RobustartError('nas train: --config is required (an experiment config: data, optimizer, schedule, epochs), or pass --demo');
  // The supernet replaces the config's model; a placeholder satisfies the experiment schema.
  const config = loadExperiment(configPath, ['model={builder: small-cnn}', ...((values.set as string[] | undefined) ?? [])]);
  const out = stringFlag(values, 'out') ?? `${config.name}.onnx`;
  if (values.demo && stringFlag(values, 'out') === undefined) throw new RobustartError('nas train --demo: give --out; the bundled supernet is not overwritten by default');
  const checkpoint = stringFlag(values, 'checkpoint') ?? `${out}.ckpt`;
  if (values.fresh) rmSync(checkpoint, { force: true });
  const randomSubnets = values['random-subnets'] === undefined ? undefined : numberFlag(values, 'random-subnets', 2, { min: 0, integer: true });
  let lastLine = 0;
  const record = await runSupernetExperiment(space, config, {
    out,
    checkpoint,
    randomSubnets,
    inplaceDistillation: !values['no-inplace-distillation'],
    log: (line) => process.stdout.write(`${line}\n`),
    progress: (p) => {
      if (Date.now() - lastLine < 30_000) return;
      lastLine = Date.now();
      process.stdout.write(`${progressLine(p)}\n`);
    },
  });
  const last = record.history[record.history.length - 1];
  process.stdout.write(`supernet ${out} (space ${space.name}) after ${record.seconds.toFixed(0)} s; test top-1 largest ${(100 * (last?.testAccuracy.largest ?? NaN)).toFixed(2)}%, smallest ${(100 * (last?.testAccuracy.smallest ?? NaN)).toFixed(2)}%; record ${trainingRecordPath(out)}\n`);
}

function suitesFlag(values: Record<string, unknown>): NasSuiteEntry[] {
  const file = orDemo(values, 'suites', NAS_DEMO.suites);
  const names = (values.suite as string[] | undefined) ?? [];
  if (file && names.length) throw new RobustartError('nas sample: give --suite or --suites, not both');
  if (!file) return (names.length ? names : ['clean']).map((suite) => ({ suite }));
  let raw: unknown;
  try {
    raw = yaml.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new RobustartError(`cannot read suites file ${file}; give a YAML list of suite entries ({suite, options, limit})`);
  }
  if (!Array.isArray(raw)) throw new RobustartError(`suites file ${file} must hold a YAML list of suite entries ({suite, options, limit})`);
  return raw as NasSuiteEntry[];
}

async function nasSample(values: Record<string, unknown>): Promise<void> {
  const space = spaceFlag(values);
  const n = numberFlag(values, 'n', values.demo ? 200 : NaN, { min: 1, integer: true });
  if (!Number.isFinite(n)) throw new RobustartError('nas sample: --n is required (the number of subnets, e.g. 1200)');
  const seed = numberFlag(values, 'seed', 0, { min: 0, integer: true });
  const strategy = (stringFlag(values, 'strategy') ?? 'uniform') as SamplingStrategy;
  if (!SAMPLING_STRATEGIES.includes(strategy)) throw new RobustartError(`nas sample: --strategy ${strategy} is not one of ${SAMPLING_STRATEGIES.join(', ')}`);
  const json = Boolean(values.json);
  if (values['dry-run']) {
    const subnets = sampleSubnets(space, n, seed, strategy);
    if (json) return void process.stdout.write(`${JSON.stringify(subnets, null, 2)}\n`);
    process.stdout.write(`${listing(subnets)}\n`);
    return;
  }
  const supernet = orDemo(values, 'supernet', NAS_DEMO.supernet);
  if (!supernet) throw new RobustartError('nas sample: --supernet is required (a supernet trained by robustart nas train), or pass --demo');
  const data = orDemo(values, 'data', NAS_DEMO.data);
  if (!data) throw new RobustartError('nas sample: --data is required (the evaluation images, an ImageFolder or CSV dataset)');
  const trainData = stringFlag(values, 'train-data') ?? (values.demo ? 'fashion-mnist' : undefined);
  if (!trainData) throw new RobustartError('nas sample: --train-data is required (training images for BatchNorm recalibration: an ImageFolder or CSV dataset, or fashion-mnist)');
  const recalibrationData: DataSource = trainData === 'fashion-mnist' ? 'fashion-mnist' : { kind: trainData.endsWith('.csv') ? 'csv' : 'imagefolder', path: resolve(trainData) };
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const executor = await queueExecutorFromFlags(values);
  const result = await runNasSample({
    space,
    supernet,
    n,
    seed,
    strategy,
    store: orDemo(values, 'store', NAS_DEMO.store),
    data,
    limit: values.limit === undefined ? (values.demo ? NAS_DEMO.limit : undefined) : numberFlag(values, 'limit', 0, { min: 1, integer: true }),
    suites: suitesFlag(values),
    recalibrationData,
    recalibrationImages: numberFlag(values, 'recalibration-images', values.demo ? NAS_DEMO.recalibrationImages : RECALIBRATION_IMAGES, { min: 2, integer: true }),
    // The demo's subnet files are not shipped (the store is): a rerun re-extracts them, byte for byte.
    subnetsDir: values.demo && stringFlag(values, 'store') === undefined ? join(tmpdir(), 'robustart-nas-demo') : undefined,
    studyName: stringFlag(values, 'study'),
    batchSize: values['batch-size'] === undefined ? undefined : numberFlag(values, 'batch-size', 0, { min: 1, integer: true }),
    workers: values.workers === undefined ? undefined : numberFlag(values, 'workers', 0, { min: 0, integer: true }),
    executor,
    log,
    onSubnet: (e) => log(`subnet ${e.index}/${e.total} ${e.subnet.name}: ${e.extracted ? `extracted and recalibrated in ${e.seconds.toFixed(1)} s` : 'already extracted'}, evaluated in ${e.evaluateSeconds.toFixed(1)} s`),
    onCell: (e) => {
      if (e.outcome === 'failed') log(`${e.model} × ${e.suite} failed: ${e.reason}`);
    },
  });
  const s = result.study;
  if (json) {
    process.stdout.write(`${JSON.stringify({ study: s.name, store: s.storePath, extracted: result.extracted, extractSeconds: result.extractSeconds, cells: s.cells, evaluated: s.evaluated, alreadyDone: s.alreadyDone, failed: s.failed, evaluateSeconds: s.seconds, subnets: result.subnets }, null, 2)}\n`);
  } else {
    process.stdout.write(`${listing(result.subnets)}\n`);
    process.stdout.write(`study ${s.name}: ${result.subnets.length} subnets (${result.extracted} extracted now in ${result.extractSeconds.toFixed(1)} s), ${s.cells} cells: ${s.evaluated} evaluated now in ${s.seconds.toFixed(1)} s, ${s.alreadyDone} already done, ${s.failed} failed; store ${s.storePath}\n`);
  }
  if (s.failed > 0) return void (process.exitCode = 1);
}

function listing(subnets: readonly { name: string; choices: Record<string, number>; params: number; macs: number }[]): string {
  const dims = Object.keys(subnets[0]?.choices ?? {});
  return table(['subnet', ...dims, 'params', 'MACs'], subnets.map((s) => [s.name, ...dims.map((d) => s.choices[d]), humanCount(s.params), humanCount(s.macs)]));
}

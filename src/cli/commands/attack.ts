// robustart attack: one adversarial attack on a model and dataset at one or more budgets; prints clean accuracy,
// robust accuracy (AR), success rate, median norms / queries where they apply, and the gradient-masking flags.
import type { Command } from '../command.js';
import { numberFlag, requireFlag, stringFlag } from '../command.js';
import { RobustartError } from '../../errors.js';
import { resolveModel } from '../../model/resolve.js';
import { parseDevice } from '../../model/session.js';
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import { createDifferentiableClassifier } from '../../autodiff/classifier.js';
import { loadDataset, limitSamples } from '../../data/dataset.js';
import { loadImages } from '../../data/batch.js';
import { DEFAULT_SEED } from '../../eval/run.js';
import { attackEntry, ATTACKS, type AttackOptions } from '../../noise/adversarial/registry.js';
import { attackOverEpsilons, stillCorrect, type AttackRun } from '../../noise/adversarial/suite.js';
import { formatEpsilon, modelChecks, resultChecks, type MaskingFlag } from '../../noise/adversarial/masking.js';
import { parseEpsilon, parseNorm, type Norm } from '../../noise/adversarial/threat.js';
import { exampleName, saveExample } from '../../noise/adversarial/examples.js';
import { accuracy, summarizeAttack, type AttackSummary } from '../../metrics/adversarial.js';
import { percent, table } from '../format.js';

export { loadImages };

export interface AttackReport {
  readonly cleanAccuracy: number;
  readonly runs: readonly (AttackRun & { readonly summary: AttackSummary })[];
  readonly flags: readonly MaskingFlag[];
  readonly cleanCorrect: Uint8Array;
}

/** The library form of the command: attack, summarise, check for masking. */
export async function runAttack(
  classifier: DifferentiableClassifier, attack: string, norm: Norm, epsilons: readonly number[], images: Float32Array, labels: Int32Array,
  options: { seed: number; batchSize?: number; keepImages?: boolean; attackOptions?: AttackOptions },
): Promise<AttackReport> {
  const count = labels.length;
  const cleanCorrect = await stillCorrect(classifier, images, labels, count);
  const runs = await attackOverEpsilons(classifier, attack, norm, epsilons, images, labels, count, options);
  const probe = Math.min(count, 16);
  const size = images.length / count;
  const flags = [
    ...(probe >= 2 ? await modelChecks(classifier, images.subarray(0, probe * size), labels.subarray(0, probe), probe) : []),
    ...resultChecks(runs),
  ];
  return { cleanAccuracy: accuracy(cleanCorrect), cleanCorrect, flags, runs: runs.map((r) => ({ ...r, summary: summarizeAttack(cleanCorrect, r) })) };
}


export const attackCommand: Command = {
  name: 'attack',
  summary: 'run one adversarial attack at one or more budgets: robust accuracy, success rate, norms, masking flags',
  usage: [
    'robustart attack --model <path|name> --data <dir|csv> --attack NAME [flags]',
    '',
    `  --attack NAME       ${ATTACKS.map((a) => a.name).join(', ')}`,
    '  --norm N            linf | l2 | l1 (default: the attack\'s first; see the spec budgets)',
    '  --eps E[,E...]      budget(s) in [0,1] pixels, e.g. 4/255 or 0.5,1.0; optional for minimum-norm attacks',
    '  --steps K           iterations (default: the spec\'s, e.g. PGD 20, APGD 100, C&W 100 Adam steps)',
    '  --step-size A       step size α, e.g. 1/255 (PGD default 2.5·ε/steps)',
    '  --restarts R        random restarts (default 1)',
    '  --queries Q         query budget of Square / HopSkipJump / AutoAttack\'s Square',
    '  --targeted          targeted mode (random target ≠ label per sample)',
    '  --limit N           attack a seeded random subset of N samples',
    '  --batch-size B      images per attack batch (default 32)',
    '  --seed S            seed of every random draw (default 0)',
    '  --save-examples DIR write each adversarial image as PNG plus its exact float perturbation as .npy',
    '  --device D          cpu (default), webgpu, cuda',
    '  --json              print the full result, per-sample records included, as JSON',
  ].join('\n'),
  options: {
    model: { type: 'string' }, data: { type: 'string' }, attack: { type: 'string' }, norm: { type: 'string' }, eps: { type: 'string' },
    steps: { type: 'string' }, 'step-size': { type: 'string' }, restarts: { type: 'string' }, queries: { type: 'string' },
    targeted: { type: 'boolean' }, limit: { type: 'string' }, 'batch-size': { type: 'string' }, seed: { type: 'string' },
    'save-examples': { type: 'string' }, device: { type: 'string' }, json: { type: 'boolean' },
  },
  async run(values) {
    const entry = attackEntry(requireFlag(values, 'attack', 'attack'));
    const norm = values.norm === undefined ? entry.norms[0] : parseNorm(String(values.norm));
    const epsilons = (stringFlag(values, 'eps') ?? '').split(',').filter((t) => t.trim() !== '').map(parseEpsilon);
    if (epsilons.length === 0 && !entry.minimumNorm) throw new RobustartError(`robustart attack: --attack ${entry.name} needs --eps (e.g. --eps 4/255)`);
    const int = (name: string) => (values[name] === undefined ? undefined : numberFlag(values, name, 1, { min: 1, integer: true }));
    const attackOptions: AttackOptions = {
      steps: int('steps'), restarts: int('restarts'), queries: int('queries'), targeted: values.targeted === true,
      stepSize: values['step-size'] === undefined ? undefined : parseEpsilon(String(values['step-size'])),
    };
    const seed = numberFlag(values, 'seed', DEFAULT_SEED, { min: 0, integer: true });
    const batchSize = numberFlag(values, 'batch-size', 32, { min: 1, integer: true });
    const model = resolveModel(requireFlag(values, 'model', 'attack'));
    const dataset = loadDataset(requireFlag(values, 'data', 'attack'));
    const samples = limitSamples(dataset, values.limit === undefined ? undefined : numberFlag(values, 'limit', 0, { min: 1, integer: true }), seed);
    const labels = Int32Array.from(samples, (s) => s.label);
    const bad = samples.find((s) => s.label >= model.metadata.num_classes);
    if (bad) throw new RobustartError(`sample ${bad.id} has label ${bad.label} but model ${model.name} predicts ${model.metadata.num_classes} classes`);
    const images = await loadImages(samples, model);
    const classifier = await createDifferentiableClassifier(model.pixelModelBytes, { executionProviders: [parseDevice(stringFlag(values, 'device'))] });
    const saveDir = stringFlag(values, 'save-examples');
    const started = Date.now();
    const report = await runAttack(classifier, entry.name, norm, epsilons, images, labels, { seed, batchSize, keepImages: saveDir !== undefined, attackOptions });
    const seconds = (Date.now() - started) / 1000;
    await classifier.release();
    const size = images.length / samples.length;
    if (saveDir) {
      for (const run of report.runs) for (const [i, s] of samples.entries()) {
        await saveExample(saveDir, exampleName(i, s.id, run.attack, run.eps), images.subarray(i * size, (i + 1) * size), run.adversarial!.subarray(i * size, (i + 1) * size), model.metadata.input_size);
      }
    }
    if (values.json) {
      process.stdout.write(`${JSON.stringify({
        model: model.name, modelSha256: model.sha256, dataset: dataset.root, datasetFingerprint: dataset.fingerprint, attack: entry.name, norm, seed, seconds,
        cleanAccuracy: report.cleanAccuracy,
        runs: report.runs.map((r) => ({ eps: r.eps ?? null, settings: r.settings, ...r.summary })),
        flags: report.flags,
        samples: samples.map((s, i) => ({
          id: s.id, label: s.label, cleanCorrect: report.cleanCorrect[i] === 1,
          results: report.runs.map((r) => ({ eps: r.eps ?? null, robust: r.robust[i] === 1, success: r.success[i] === 1, norm: r.norms[i], queries: r.queries[i], ...(r.minimalNorms ? { minimalNorm: Number.isFinite(r.minimalNorms[i]) ? r.minimalNorms[i] : null } : {}) })),
        })),
      }, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))}\n`);
      return 0;
    }
    const headers = ['eps', 'robust acc', 'success rate', ...(entry.minimumNorm ? ['median norm'] : []), ...(entry.kind !== 'white-box' ? ['queries/success'] : []), 'mean queries'];
    const rows = report.runs.map((r) => [
      formatEpsilon(r.eps, norm), percent(r.summary.robustAccuracy), percent(r.summary.attackSuccessRate),
      ...(entry.minimumNorm ? [r.summary.medianNorm === undefined ? '-' : r.summary.medianNorm.toPrecision(4)] : []),
      ...(entry.kind !== 'white-box' ? [Number.isFinite(r.summary.queriesPerSuccess) ? r.summary.queriesPerSuccess!.toFixed(1) : '-'] : []),
      r.summary.meanQueries.toFixed(1),
    ]);
    let out = `model ${model.name}, ${samples.length} samples of ${dataset.root}, attack ${entry.name} (${norm}), seed ${seed}, ${seconds.toFixed(1)} s\n`;
    out += `clean accuracy ${percent(report.cleanAccuracy)}\n\n${table(headers, rows)}\n`;
    out += report.flags.length === 0 ? '\ngradient-masking checks: no flags\n' : `\ngradient-masking flags:\n${report.flags.map((f) => `  [${f.check}] ${f.message}`).join('\n')}\n`;
    if (saveDir) out += `\nexamples written to ${saveDir} (PNG + float32 perturbation .npy)\n`;
    process.stdout.write(out);
    return 0;
  },
};

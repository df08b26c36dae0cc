// robustart attack: one attack (or a protocol's attack set) on a model and dataset at one or more budgets, through the
// library's one attack pipeline (runAttack); prints clean accuracy, AR and robust accuracy, success rate, median norms /
// queries where they apply, WCAR per budget and the gradient-masking flags.
import type { Command } from '../command.js';
import { numberFlag, requireFlag, stringFlag } from '../command.js';
import { RobustartError } from '../../errors.js';
import { resolveModelFlag } from '../model-flag.js';
import { parseDevice } from '../../model/session.js';
import type { LoadedModel } from '../../model/load.js';
import { createDifferentiableClassifier } from '../../autodiff/classifier.js';
import { loadDataset, limitSamples, type Dataset, type Sample } from '../../data/dataset.js';
import { loadImages } from '../../data/batch.js';
import { DEFAULT_SEED } from '../../eval/run.js';
import { selectProtocolSubset } from '../../eval/suites/adversarial.js';
import { attackEntry, ATTACKS, type AttackOptions } from '../../noise/adversarial/registry.js';
import { runAttack } from '../../noise/adversarial/suite.js';
import { formatEpsilon } from '../../noise/adversarial/masking.js';
import { parseEpsilon, parseNorm } from '../../noise/adversarial/threat.js';
import { exampleName, saveExample } from '../../noise/adversarial/examples.js';
import { PROTOCOL_NAMES, QUICK_NOTE, resolveProtocol, type ProtocolSubset } from '../../noise/adversarial/protocols.js';
import { worstCaseRobustness } from '../../metrics/adversarial.js';
import { percent, table } from '../format.js';
import { conditionSettingsText } from '../../report/run-settings.js';

/** The dataset, the protocol's subset of it, then the seeded --limit, and the images at the model's preprocessing. */
export async function loadAttackData(
  model: LoadedModel, data: string, subset: ProtocolSubset | null, limit: number | undefined, seed: number,
): Promise<{ dataset: Dataset; samples: Sample[]; images: Float32Array; labels: Int32Array }> {
  const dataset = selectProtocolSubset(loadDataset(data, model.metadata.labels), subset);
  const samples = limitSamples(dataset, limit, seed);
  const bad = samples.find((s) => s.label >= model.metadata.num_classes);
  if (bad) throw new RobustartError(`sample ${bad.id} has label ${bad.label} but model ${model.name} predicts ${model.metadata.num_classes} classes`);
  const images = await loadImages(samples, model);
  return { dataset, samples, images, labels: Int32Array.from(samples, (s) => s.label) };
}

const int = (values: Record<string, unknown>, name: string) => (values[name] === undefined ? undefined : numberFlag(values, name, 1, { min: 1, integer: true }));

export const attackCommand: Command = {
  name: 'attack',
  summary: 'run an attack (or a protocol\'s attack set) at one or more budgets: AR, robust accuracy, success rate, norms, WCAR, masking flags',
  usage: [
    'robustart attack --model <path|name> --data <dir|csv> (--attack NAME | --protocol NAME) [flags]',
    '',
    `  --protocol NAME     ${PROTOCOL_NAMES.join(' | ')}: the protocol's attacks, budgets and subset (flags override fields)`,
    `  --attack NAME       ${ATTACKS.map((a) => a.name).join(', ')}`,
    '  --norm N            linf | l2 | l1 (default: the attack\'s first; see the spec budgets)',
    '  --eps E[,E...]      budget(s) in [0,1] pixels, e.g. 4/255 or 0.5,1.0; optional for minimum-norm attacks',
    '  --steps K           iterations (default: the spec\'s or protocol\'s, e.g. PGD 20, APGD 100, C&W 100 Adam steps)',
    '  --step-size A       step size α, e.g. 1/255 (PGD default 2.5·ε/steps)',
    '  --restarts R        random restarts (default 1)',
    '  --queries Q         query budget of Square / HopSkipJump / AutoAttack\'s Square',
    '  --targeted          targeted mode (random target ≠ label per sample)',
    '  --limit N           attack a seeded random subset of N samples',
    '  --batch-size B      images per attack batch (default 32); results do not depend on it',
    '  --seed S            seed of every random draw (default 0)',
    '  --store PATH        results database where registered model names are looked up (default .robustart/results.db)',
    '  --save-examples DIR write each adversarial image as PNG plus its exact float perturbation as .npy',
    '  --device D          cpu (default), webgpu, cuda',
    '  --json              print the full result, per-sample records included, as JSON',
  ].join('\n'),
  options: {
    model: { type: 'string' }, data: { type: 'string' }, attack: { type: 'string' }, protocol: { type: 'string' }, norm: { type: 'string' }, eps: { type: 'string' },
    steps: { type: 'string' }, 'step-size': { type: 'string' }, restarts: { type: 'string' }, queries: { type: 'string' },
    targeted: { type: 'boolean' }, limit: { type: 'string' }, 'batch-size': { type: 'string' }, seed: { type: 'string' }, store: { type: 'string' },
    'save-examples': { type: 'string' }, device: { type: 'string' }, json: { type: 'boolean' },
  },
  async run(values) {
    const protocolName = stringFlag(values, 'protocol');
    const attackName = stringFlag(values, 'attack');
    if (attackName === undefined && protocolName === undefined) throw new RobustartError('robustart attack needs --attack NAME or --protocol NAME (e.g. --attack pgd --eps 4/255, or --protocol quick)');
    const entry = attackName === undefined ? undefined : attackEntry(attackName);
    const norm = values.norm === undefined ? undefined : parseNorm(String(values.norm));
    const epsText = stringFlag(values, 'eps');
    const epsilons = epsText === undefined ? undefined : epsText.split(',').filter((t) => t.trim() !== '').map(parseEpsilon);
    if (entry && !protocolName && (epsilons ?? []).length === 0 && !entry.minimumNorm) throw new RobustartError(`--attack ${entry.name} needs --eps (e.g. --eps 4/255)`);
    const attackOptions: AttackOptions = {
      steps: int(values, 'steps'), restarts: int(values, 'restarts'), queries: int(values, 'queries'), ...(values.targeted === true ? { targeted: true } : {}),
      stepSize: values['step-size'] === undefined ? undefined : parseEpsilon(String(values['step-size'])),
    };
    const settings = resolveProtocol(protocolName, {
      attacks: entry ? [{ attack: entry.name, norm: norm ?? entry.norms[0] }] : undefined,
      // Without a protocol, a single attack has exactly the budgets given (none: a minimum-norm attack's raw run).
      epsilons: epsilons ?? (protocolName ? undefined : []),
      attackOptions,
    });
    const seed = numberFlag(values, 'seed', DEFAULT_SEED, { min: 0, integer: true });
    const batchSize = numberFlag(values, 'batch-size', 32, { min: 1, integer: true });
    const limit = values.limit === undefined ? undefined : numberFlag(values, 'limit', 0, { min: 1, integer: true });
    const model = resolveModelFlag(requireFlag(values, 'model', 'attack'), stringFlag(values, 'store'));
    const { dataset, samples, images, labels } = await loadAttackData(model, requireFlag(values, 'data', 'attack'), settings.subset, limit, seed);
    const classifier = await createDifferentiableClassifier(model.pixelModelBytes, { executionProviders: [parseDevice(stringFlag(values, 'device'))] });
    const saveDir = stringFlag(values, 'save-examples');
    const started = Date.now();
    const report = await runAttack(classifier, settings.plans, images, labels, { seed, batchSize, sampleIds: samples.map((s) => s.id), keepImages: saveDir !== undefined }).finally(() => classifier.release());
    const seconds = (Date.now() - started) / 1000;
    const size = images.length / samples.length;
    if (saveDir) {
      for (const run of report.runs) for (const [i, s] of samples.entries()) {
        await saveExample(saveDir, exampleName(i, s.id, `${run.attack}-${run.norm}`, run.eps), images.subarray(i * size, (i + 1) * size), run.adversarial!.subarray(i * size, (i + 1) * size), model.metadata.input_size);
      }
    }
    // WCAR and worst-case robust accuracy per threat model (norm and budget) over the attacks run at it.
    const budgets = new Map<string, Uint8Array[]>();
    for (const r of report.runs) if (r.eps !== undefined) {
      const key = `${r.norm} ${formatEpsilon(r.eps, r.norm)}`;
      budgets.set(key, [...(budgets.get(key) ?? []), r.robust]);
    }
    const worst = [...budgets].map(([budget, robust]) => ({ budget, ...worstCaseRobustness(robust, report.cleanCorrect) }));
    const label = settings.protocol ? `protocol ${settings.protocol}${settings.quick ? QUICK_NOTE : ''}` : 'no protocol';
    if (values.json) {
      process.stdout.write(`${JSON.stringify({
        model: model.name, modelSha256: model.sha256, dataset: dataset.root, datasetFingerprint: dataset.fingerprint, protocol: settings.protocol, quick: settings.quick,
        settings: { ...settings, runs: report.runs.map((r) => r.settings) }, seed, seconds, cleanAccuracy: report.cleanAccuracy,
        runs: report.runs.map((r) => ({ attack: r.attack, norm: r.norm, eps: r.eps ?? null, ...r.summary })),
        worstCase: worst.map(({ budget, wcar, robustAccuracy }) => ({ budget, wcar, robustAccuracy })),
        flags: report.flags,
        samples: samples.map((s, i) => ({
          id: s.id, label: s.label, cleanCorrect: report.cleanCorrect[i] === 1,
          results: report.runs.map((r) => ({ ...r.extra[i], robust: r.robust[i] === 1 })),
        })),
      }, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))}\n`);
      return 0;
    }
    const anyMinimumNorm = report.runs.some((r) => r.minimalNorms), anyBlackBox = report.runs.some((r) => r.kind !== 'white-box');
    const headers = ['attack', 'eps', 'AR', 'robust acc', 'success rate', ...(anyMinimumNorm ? ['median norm'] : []), ...(anyBlackBox ? ['queries/success'] : []), 'mean queries'];
    const rows = report.runs.map((r) => [
      `${r.attack} ${r.norm}`, formatEpsilon(r.eps, r.norm), percent(r.summary.ar), percent(r.summary.robustAccuracy), percent(r.summary.attackSuccessRate),
      ...(anyMinimumNorm ? [r.summary.medianNorm === undefined ? '-' : r.summary.medianNorm.toPrecision(4)] : []),
      ...(anyBlackBox ? [r.summary.queriesPerSuccess !== undefined && Number.isFinite(r.summary.queriesPerSuccess) ? r.summary.queriesPerSuccess.toFixed(1) : '-'] : []),
      r.summary.meanQueries.toFixed(1),
    ]);
    let out = `model ${model.name}, ${samples.length} samples of ${dataset.root}, ${label}, seed ${seed}, ${seconds.toFixed(1)} s\n`;
    out += `clean accuracy ${percent(report.cleanAccuracy)}; AR and WCAR among clean-correct samples (RobustART), robust accuracy over all (RobustBench)\n\n${table(headers, rows)}\n`;
    out += `settings:\n${report.runs.map((r) => `  ${r.attack} ${r.norm} ${formatEpsilon(r.eps, r.norm)}: ${conditionSettingsText(r.settings)}\n`).join('')}`;
    if (worst.length > 0 && report.runs.length > worst.length) out += `\n${table(['budget', 'WCAR', 'worst-case robust acc'], worst.map((w) => [w.budget, percent(w.wcar), percent(w.robustAccuracy)]))}\n`;
    out += report.flags.length === 0 ? '\ngradient-masking checks: no flags\n' : `\ngradient-masking flags:\n${report.flags.map((f) => `  [${f.check}] ${f.message}`).join('\n')}\n`;
    if (saveDir) out += `\nexamples written to ${saveDir} (PNG + float32 perturbation .npy)\n`;
    process.stdout.write(out);
    return 0;
  },
};

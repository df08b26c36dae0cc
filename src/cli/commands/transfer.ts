// robustart transfer: FGSM (and optionally PGD) crafted on each source model and evaluated on each target model; prints
// and stores the source × target AR matrix (and robust accuracy), one table per attack and budget.
import type { Command } from '../command.js';
import { numberFlag, requireFlag, stringFlag } from '../command.js';
import { RobustartError } from '../../errors.js';
import { parseDevice } from '../../model/session.js';
import { createDifferentiableClassifier } from '../../autodiff/classifier.js';
import { ResultStore } from '../../store/store.js';
import { DEFAULT_SEED } from '../../eval/run.js';
import { runTransfer, type TransferModel } from '../../eval/transfer.js';
import { parseEpsilon } from '../../noise/adversarial/threat.js';
import { PROTOCOL_NAMES, QUICK_NOTE, findProtocol, transferPlans } from '../../noise/adversarial/protocols.js';
import { percent, table } from '../format.js';
import type { LoadedModel } from '../../model/load.js';
import { loadAttackData } from './attack.js';
import { resolveModel } from '../../model/resolve.js';

function names(values: Record<string, unknown>, flag: string): string[] {
  const list = requireFlag(values, flag, 'transfer').split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (list.length === 0) throw new RobustartError(`robustart transfer: --${flag} needs at least one model (comma-separated)`);
  return list;
}

export const transferCommand: Command = {
  name: 'transfer',
  summary: 'transfer attacks: FGSM (and PGD) crafted on each source model, evaluated on each target; the source × target AR matrix',
  usage: [
    'robustart transfer --sources A,B --targets C,D --data <dir|csv> [flags]',
    '',
    '  --sources LIST      models to craft the attacks on: .onnx paths, registered or bundled names, comma-separated',
    '  --targets LIST      models to evaluate the adversarial images on (same forms)',
    `  --protocol NAME     ${PROTOCOL_NAMES.join(' | ')} (default robustart-paper: FGSM at 8/255, 2/255, 0.5/255)`,
    '  --pgd               also craft PGD-L∞ with the protocol\'s PGD settings',
    '  --eps E[,E...]      L∞ budgets instead of the protocol\'s',
    '  --limit N           a seeded random subset of N samples',
    '  --batch-size B      images per attack batch (default 32); results do not depend on it',
    '  --seed S            seed of every random draw (default 0)',
    '  --store PATH        results database (default .robustart/results.db or $ROBUSTART_STORE)',
    '  --device D          cpu (default), webgpu, cuda',
    '  --json              print the matrix as JSON',
  ].join('\n'),
  options: {
    sources: { type: 'string' }, targets: { type: 'string' }, data: { type: 'string' }, protocol: { type: 'string' }, pgd: { type: 'boolean' },
    eps: { type: 'string' }, limit: { type: 'string' }, 'batch-size': { type: 'string' }, seed: { type: 'string' }, store: { type: 'string' },
    device: { type: 'string' }, json: { type: 'boolean' },
  },
  async run(values) {
    const sourceNames = names(values, 'sources'), targetNames = names(values, 'targets');
    const data = requireFlag(values, 'data', 'transfer');
    const protocolName = stringFlag(values, 'protocol');
    const protocol = protocolName === undefined ? undefined : findProtocol(protocolName);
    const epsText = stringFlag(values, 'eps');
    const plans = transferPlans(protocol?.name, { pgd: values.pgd === true, epsilons: epsText === undefined ? undefined : epsText.split(',').map(parseEpsilon) });
    const seed = numberFlag(values, 'seed', DEFAULT_SEED, { min: 0, integer: true });
    const batchSize = numberFlag(values, 'batch-size', 32, { min: 1, integer: true });
    const limit = values.limit === undefined ? undefined : numberFlag(values, 'limit', 0, { min: 1, integer: true });
    const device = parseDevice(stringFlag(values, 'device'));
    const store = new ResultStore(stringFlag(values, 'store'));
    type Opened = TransferModel & { readonly model: LoadedModel; readonly classifier: Awaited<ReturnType<typeof createDifferentiableClassifier>> };
    const opened: Opened[] = [];
    try {
      const open = async (name: string): Promise<Opened> => {
        const model = resolveModel(name, store);
        const m = { name: model.name, sha256: model.sha256, model, classifier: await createDifferentiableClassifier(model.pixelModelBytes, { executionProviders: [device] }) };
        opened.push(m);
        return m;
      };
      const sources = [];
      for (const n of sourceNames) sources.push(await open(n));
      const targets = [];
      for (const n of targetNames) targets.push(await open(n));
      // Every model sees the same [0,1] tensor: the first source's preprocessing (the models must share an input size).
      const { dataset, samples, images } = await loadAttackData(sources[0].model, data, protocol?.subset?.kind === 'ids' ? protocol.subset : null, limit, seed);
      const result = await runTransfer({ sources, targets, dataset, samples, images, plans, seed, batchSize, protocol: protocol?.name ?? 'robustart-paper', store });
      if (values.json) {
        process.stdout.write(`${JSON.stringify({ dataset: dataset.root, samples: samples.length, seed, protocol: protocol?.name ?? 'robustart-paper', plans, cleanAccuracy: result.cleanAccuracy, cells: result.cells, runs: result.runs, store: store.path }, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))}\n`);
        return 0;
      }
      let out = `transfer on ${samples.length} samples of ${dataset.root}, protocol ${protocol?.name ?? 'robustart-paper'}${protocol?.quick ? QUICK_NOTE : ''}, seed ${seed}\n`;
      const sourceLabels = sources.map((m) => m.name), targetLabels = targets.map((m) => m.name);
      out += `clean accuracy: ${targetLabels.map((t) => `${t} ${percent(result.cleanAccuracy[t])}`).join(', ')}\n`;
      out += 'AR (%) among each target\'s clean-correct samples; rows: source (crafted on), columns: target (evaluated on)\n';
      for (const condition of [...new Set(result.cells.map((c) => c.condition))]) {
        const rows = sourceLabels.map((s) => [s, ...targetLabels.map((t) => percent(result.cells.find((c) => c.source === s && c.target === t && c.condition === condition)!.ar))]);
        out += `\n${condition}\n${table(['source \\ target', ...targetLabels], rows)}`;
      }
      out += `\nstored in ${store.path}: ${Object.entries(result.runs).map(([s, id]) => `${s} run ${id}`).join(', ')}\n`;
      process.stdout.write(out);
      return 0;
    } finally {
      for (const m of opened) await m.classifier.release();
      store.close();
    }
  },
};

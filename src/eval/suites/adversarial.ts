// `robustart eval --suite adversarial`: a protocol's (or the spec's default) attack set at its budgets as evaluation
// conditions (../../noise/adversarial/conditions.ts, the one attack pipeline), so the evaluation spine stores every
// per-sample record (with the attack's bookkeeping in `extra`) and resumes like any suite. The options resolve once to
// the full settings (protocol name, plans with every step size, subset), which the run records and hashes into its id.
// Summary, both conventions (metrics.md): AR and robust accuracy per condition, WCAR and worst-case robust accuracy per
// budget, clean accuracy, and the gradient-masking flags.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { Suite, SuiteContext } from '../suite.js';
import type { Condition } from '../condition.js';
import type { SampleRecord } from '../../store/store.js';
import type { ClassificationMetrics } from '../../metrics/classification.js';
import type { Dataset, Sample } from '../../data/dataset.js';
import { limitSamples } from '../../data/dataset.js';
import { createDifferentiableClassifier } from '../../autodiff/classifier.js';
import { conditionalAccuracy, worstCaseByBudget } from '../../metrics/adversarial.js';
import { RobustartError } from '../../errors.js';
import { packagePath } from '../../util/paths.js';
import { attackConditions, budgetKey, conditionName, type AttackPlan } from '../../noise/adversarial/conditions.js';
import { attackEntry, type AttackOptions } from '../../noise/adversarial/registry.js';
import { resultChecks, type MaskingRun } from '../../noise/adversarial/masking.js';
import { parseEpsilon, parseNorm } from '../../noise/adversarial/threat.js';
import { PROTOCOL_NAMES, resolveProtocol, type ProtocolSubset, type ResolvedProtocol } from '../../noise/adversarial/protocols.js';
import { z, lazyValue } from '../../util/native.js';
import { commaListOption, numberOption } from '../../util/options.js';
import { runFromExtras } from '../../noise/adversarial/suite.js';
import type { AttackExtra } from '../../noise/adversarial/conditions.js';

function list(option: unknown): string[] | undefined {
  if (option === undefined || option === null || option === 'default') return undefined;
  return (Array.isArray(option) ? option.map(String) : String(option).split(',')).map((t) => t.trim()).filter((t) => t !== '');
}

function positiveInteger(options: Record<string, unknown>, key: string): number | undefined {
  const v = options[key];
  if (v === undefined || v === null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new RobustartError(`adversarial suite option ${key} is ${String(v)}; it must be a positive integer`);
  return n;
}

/** The adversarial suite's options: what the CLI's flags, help and validation derive from. */
export const adversarialOptions = lazyValue(() =>
  z.object({
    protocol: z.enum(PROTOCOL_NAMES).optional().describe('robustart-paper | robustbench | quick: attacks, budgets, steps and subset (other options override fields)'),
    attacks: commaListOption().optional().describe("attack:norm pairs, e.g. pgd:linf,cw:l2 (default: the protocol's or the spec's attack set)"),
    eps: commaListOption().optional().describe("budgets for every attack, e.g. 2/255 or 0.5,2 (default: the protocol's or the spec's)"),
    steps: numberOption({ integer: true, min: 1 }).optional().describe("iterations of every iterative attack (default: the protocol's or the spec's)"),
    'step-size': z.union([z.string(), z.number()]).optional().describe('step size of every iterative attack, e.g. 0.5/255'),
    queries: numberOption({ integer: true, min: 1 }).optional().describe('query budget of score- and decision-based attacks'),
    restarts: numberOption({ integer: true, min: 1 }).optional().describe('random restarts of restarting attacks'),
  }),
);

/** Suite options → the resolved settings; already-resolved settings pass through unchanged. */
export function adversarialSettings(options: Record<string, unknown>): ResolvedProtocol {
  if (Array.isArray(options.plans)) return options as unknown as ResolvedProtocol;
  const attacks = list(options.attacks)?.map((item) => {
    const [attack, norm] = item.split(':');
    return { attack: attackEntry(attack).name, ...(norm ? { norm: parseNorm(norm) } : {}) };
  });
  const epsilons = list(options.eps)?.map(parseEpsilon);
  const stepSize = options['step-size'] ?? options.stepSize;
  const attackOptions: AttackOptions = {
    steps: positiveInteger(options, 'steps'), queries: positiveInteger(options, 'queries'), restarts: positiveInteger(options, 'restarts'),
    ...(stepSize === undefined ? {} : { stepSize: parseEpsilon(stepSize as string | number) }),
  };
  const protocol = options.protocol === undefined || options.protocol === null ? undefined : String(options.protocol);
  const settings = resolveProtocol(protocol, { attacks, epsilons, attackOptions });
  // Pixels are in [0,1]: an L∞ budget above 1 is a budget written in 0..255 levels (8 for 8/255), and would attack unbounded.
  for (const plan of settings.plans) {
    const eps = plan.norm === 'linf' ? plan.epsilons.find((e) => e > 1) : undefined;
    if (eps !== undefined) throw new RobustartError(`adversarial suite: the L∞ budget ${eps} of ${plan.attack} is above 1: budgets are in [0,1] pixel units (e.g. 8/255, not 8)`);
  }
  return settings;
}

/** The robustbench id list (wnid/file) as shipped with the package. */
export function protocolIds(subset: Extract<ProtocolSubset, { kind: 'ids' }>): string[] {
  const path = isAbsolute(subset.file) ? subset.file : packagePath(subset.file);
  if (!existsSync(path)) throw new RobustartError(`the protocol's image list ${path} is missing from the installation; reinstall robustart`);
  return readFileSync(path, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
}

/** The protocol's fixed subset of `dataset`: listed ids (all must be present) or a seeded random subset. */
export function selectProtocolSubset(dataset: Dataset, subset: ProtocolSubset | null): Dataset {
  if (subset === null) return dataset;
  if (subset.kind === 'seeded') return { ...dataset, samples: limitSamples(dataset, subset.count, subset.seed) };
  const byId = new Map<string, Sample>();
  // Ids are "wnid/file"; a dataset root one level above the wnid folders (e.g. imagenet/ with val/ inside) also matches.
  for (const s of dataset.samples) byId.set(s.id.split('/').slice(-2).join('/'), s);
  const ids = protocolIds(subset);
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    throw new RobustartError(`${missing.length} of the protocol's ${ids.length} ImageNet validation images are missing from ${dataset.root} (first: ${missing[0]}); pass the ImageNet validation folder with one wnid folder per class`);
  }
  return { ...dataset, samples: ids.map((id) => byId.get(id)!) };
}

/** Condition name → what it is, from the resolved plans (never parsed back from the name). */
function attackConditionsMeta(settings: ResolvedProtocol): Map<string, AttackPlan & { eps: number | null }> {
  const out = new Map<string, AttackPlan & { eps: number | null }>();
  for (const plan of settings.plans) for (const eps of plan.epsilons.length === 0 ? [null] : plan.epsilons) out.set(conditionName(plan.attack, plan.norm, eps), { ...plan, eps });
  return out;
}

export const adversarialSuite = {
  name: 'adversarial',
  options: adversarialOptions,
  description: 'white-box and black-box attacks under a protocol (robustart-paper, robustbench, quick) or the spec set: AR, WCAR, robust accuracy, masking flags',
  resolveOptions(options: Record<string, unknown>): Record<string, unknown> {
    return { ...adversarialSettings(options) };
  },
  prepareDataset(dataset: Dataset, options: Record<string, unknown>): Dataset {
    return selectProtocolSubset(dataset, adversarialSettings(options).subset);
  },
  async conditions(context: SuiteContext): Promise<Condition[]> {
    const settings = adversarialSettings(context.options);
    const classifier = await createDifferentiableClassifier(context.model.pixelModelBytes);
    return [{ name: 'clean', meta: { kind: 'clean' } }, ...attackConditions(classifier, settings.plans)];
  },
  summarize(perCondition: ReadonlyMap<string, ClassificationMetrics>, context: SuiteContext, records: ReadonlyMap<string, readonly SampleRecord[]>): Record<string, number | null> {
    const settings = adversarialSettings(context.options);
    const metas = attackConditionsMeta(settings);
    const summary: Record<string, number | null> = {};
    if (settings.quick) summary.quick_protocol = 1;
    const correctOf = (list: readonly SampleRecord[] | undefined) =>
      new Map((list ?? []).filter((r) => r.status === 'ok' && r.top5?.length).map((r) => [r.sampleId, r.top5![0] === r.label]));
    const clean = correctOf(records.get('clean'));
    summary.clean_accuracy = perCondition.get('clean')?.top1 ?? null;
    const correct = new Map<string, Map<string, boolean>>();
    const byId = new Map<string, Map<string, SampleRecord>>();
    for (const [name] of metas) {
      const list = records.get(name);
      if (!list) continue;
      correct.set(name, correctOf(list));
      byId.set(name, new Map(list.filter((r) => r.status === 'ok' && r.extra).map((r) => [r.sampleId, r])));
    }
    // The masking checks compare attacks sample by sample: only samples recorded under every attack, in one order.
    const common = [...clean.keys()].filter((id) => [...byId.values()].every((m) => m.has(id)));
    const runs: MaskingRun[] = [];
    for (const [name, map] of correct) {
      const meta = metas.get(name)!;
      const ids = [...map.keys()].filter((id) => clean.has(id));
      const robust = Uint8Array.from(ids, (id) => (map.get(id) ? 1 : 0));
      summary[`ar/${name}`] = nullIfNaN(conditionalAccuracy(robust, Uint8Array.from(ids, (id) => (clean.get(id) ? 1 : 0))));
      summary[`robust_accuracy/${name}`] = perCondition.get(name)?.top1 ?? null;
      const entry = attackEntry(meta.attack);
      const extras = common.map((id) => byId.get(name)!.get(id)!.extra as unknown as AttackExtra);
      runs.push(runFromExtras({ kind: entry.kind, settings: { attack: meta.attack, norm: meta.norm }, minimumNorm: entry.minimumNorm }, extras));
    }
    const budgetOf = (name: string) => { const m = metas.get(name); return m ? budgetKey(m) : undefined; };
    for (const [budget, worst] of Object.entries(worstCaseByBudget(correct, clean, budgetOf))) {
      summary[`wcar/${budget}`] = nullIfNaN(worst.wcar);
      summary[`worst_robust_accuracy/${budget}`] = nullIfNaN(worst.robustAccuracy);
    }
    const flags = resultChecks(runs);
    summary.masking_flags = flags.length;
    for (const f of flags) summary[`flag/${f.check}`] = (summary[`flag/${f.check}`] ?? 0) + 1;
    return summary;
  },
} satisfies Suite;

function nullIfNaN(v: number): number | null {
  return Number.isNaN(v) ? null : v;
}

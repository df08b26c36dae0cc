// `robustart eval --suite adversarial`: the spec's attack set at the spec's budgets as evaluation conditions, so the
// evaluation spine stores every per-sample record (with the attack's bookkeeping in `extra`) and resumes like any
// suite. Summary: AR per attack and ε, WCAR per ε (from the per-sample records), and the gradient-masking flags.
// Suite options: attacks ("pgd:linf,cw:l2", default the spec suite), steps (override for quick runs).
import type { Suite, SuiteContext } from '../suite.js';
import type { SampleRecord } from '../../store/store.js';
import type { ClassificationMetrics } from '../../metrics/classification.js';
import { createDifferentiableClassifier } from '../../autodiff/classifier.js';
import { worstCaseByBudget } from '../../metrics/adversarial.js';
import { RobustartError } from '../../errors.js';
import { adversarialConditions, budgetOfCondition } from '../../noise/adversarial/conditions.js';
import { attackEntry, SPEC_SUITE, type SuiteEntry } from '../../noise/adversarial/registry.js';
import { resultChecks, type MaskingRun } from '../../noise/adversarial/masking.js';
import { parseNorm, type Norm } from '../../noise/adversarial/threat.js';

function suiteEntries(option: unknown): readonly SuiteEntry[] {
  if (option === undefined || option === null || option === 'default') return SPEC_SUITE;
  return String(option).split(',').map((item) => {
    const [attack, norm] = item.trim().split(':');
    const entry = attackEntry(attack);
    const n: Norm = norm ? parseNorm(norm) : entry.norms[0];
    if (!entry.norms.includes(n)) throw new RobustartError(`adversarial suite: ${entry.name} does not support ${n}; use ${entry.norms.join(' or ')}`);
    return { attack: entry.name, norm: n };
  });
}

function conditionsFor(context: SuiteContext) {
  return createDifferentiableClassifier(context.model.pixelModelBytes).then((classifier) => {
    const steps = context.options.steps === undefined ? undefined : Number(context.options.steps);
    return adversarialConditions(classifier, { entries: suiteEntries(context.options.attacks), attackOptions: { steps } });
  });
}

export const adversarialSuite = {
  name: 'adversarial',
  description: 'white-box and black-box attacks at the spec budgets: AR per attack and ε, WCAR per ε, gradient-masking flags',
  async conditions(context: SuiteContext) {
    const conditions = await conditionsFor(context);
    return [{ name: 'clean' }, ...conditions.map((c) => ({ name: c.name, batchNoise: c.batchNoise }))];
  },
  summarize(perCondition: ReadonlyMap<string, ClassificationMetrics>, _context: SuiteContext, records: ReadonlyMap<string, readonly SampleRecord[]>): Record<string, number | null> {
    const summary: Record<string, number | null> = {};
    for (const [name, metrics] of perCondition) if (budgetOfCondition(name)) summary[`ar/${name}`] = metrics.top1;
    // Per-sample correctness under each condition, then WCAR per budget and the result-level masking checks.
    const correct = new Map<string, Map<string, boolean>>();
    for (const [name, list] of records) {
      if (!budgetOfCondition(name)) continue;
      correct.set(name, new Map(list.filter((r) => r.status === 'ok' && r.top5?.length).map((r) => [r.sampleId, r.top5![0] === r.label])));
    }
    for (const [budget, wcar] of Object.entries(worstCaseByBudget(correct, budgetOfCondition))) summary[`wcar/${budget}`] = wcar;
    const ids = [...new Set([...correct.values()].flatMap((m) => [...m.keys()]))];
    const runs: MaskingRun[] = [...correct].map(([name, map]) => {
      const [attack, norm] = name.split('/');
      const first = records.get(name)?.find((r) => r.extra && typeof r.extra.eps === 'number');
      return { attack, kind: attackEntry(attack).kind, norm: norm as Norm, eps: first?.extra?.eps as number | undefined, robust: Uint8Array.from(ids, (id) => (map.get(id) ? 1 : 0)) };
    });
    const flags = resultChecks(runs);
    summary.masking_flags = flags.length;
    for (const f of flags) summary[`flag/${f.check}`] = (summary[`flag/${f.check}`] ?? 0) + 1;
    return summary;
  },
} satisfies Suite;

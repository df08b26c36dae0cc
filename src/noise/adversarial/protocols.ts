// Named adversarial protocols (../shared/spec/adversarial.md, "Protocols"): each fixes the attacks, budgets, steps, step
// sizes and the evaluated subset, so two users' numbers are comparable. `resolveProtocol` turns a name plus explicit
// overrides into the full settings a run records; any explicit field wins over the protocol's.
import { RobustartError } from '../../errors.js';
import type { AttackPlan } from './conditions.js';
import { attackEntry, SPEC_BUDGETS, SPEC_SUITE, type AttackOptions } from './registry.js';
import type { Norm } from './threat.js';

/** Appended wherever a run under a quick protocol is named, so its figures are never taken for comparable ones. */
export const QUICK_NOTE = ' (QUICK smoke run: not comparable, never ranked)';

export const PROTOCOL_NAMES = ['robustart-paper', 'robustbench', 'quick'] as const;
export type ProtocolName = (typeof PROTOCOL_NAMES)[number];

/** The fixed evaluation subset of a protocol: listed ids (shipped file) or a seeded random subset. */
export type ProtocolSubset =
  | { readonly kind: 'ids'; readonly file: string; readonly count: number }
  | { readonly kind: 'seeded'; readonly count: number; readonly seed: number };

export interface AdversarialProtocol {
  readonly name: ProtocolName;
  readonly description: string;
  /** Smoke-run protocols are marked as such wherever shown and never ranked next to the others. */
  readonly quick: boolean;
  readonly plans: readonly AttackPlan[];
  /** The metric the protocol reports first: AR/WCAR (RobustART) or robust accuracy (RobustBench). Both are always stored. */
  readonly headline: 'ar' | 'robust_accuracy';
  readonly subset?: ProtocolSubset;
}

// RobustART's three budget levels (noise/utils/add_noise_utils.py; spec "robustart-paper").
const PAPER_LINF = [0.5 / 255, 2 / 255, 8 / 255];
const PAPER_L2 = [0.5, 2.0, 8.0];
const PAPER_L1 = [100, 400, 1600];
/** foolbox's rel_stepsize 3/40 used by RobustART's PGD (noise/utils/adv/attack.py): α = 0.075·ε. */
export const PAPER_PGD_RELATIVE_STEP = 0.075;
/** RobustART's MIM-L∞: absolute step 0.002 (noise/utils/adv/attack.py). */
export const PAPER_MIM_STEP = 0.002;
/** ART's ProjectedGradientDescent norm 1 as RobustART configures it: step 120. */
export const PAPER_PGD_L1_STEP = 120;
export const PAPER_STEPS = 20;

export const PROTOCOLS: Readonly<Record<ProtocolName, AdversarialProtocol>> = {
  'robustart-paper': {
    name: 'robustart-paper',
    description: 'RobustART paper: FGSM, PGD-L∞/L2/L1, MIM-L∞, DDN-L2, AutoAttack-L∞ at three budgets each; AR and WCAR on clean-correct samples',
    quick: false,
    headline: 'ar',
    plans: [
      { attack: 'fgsm', norm: 'linf', epsilons: PAPER_LINF },
      { attack: 'pgd', norm: 'linf', epsilons: PAPER_LINF, options: { steps: PAPER_STEPS, relativeStepSize: PAPER_PGD_RELATIVE_STEP, randomStart: true } },
      { attack: 'pgd', norm: 'l2', epsilons: PAPER_L2, options: { steps: PAPER_STEPS, relativeStepSize: PAPER_PGD_RELATIVE_STEP, randomStart: true } },
      { attack: 'mim', norm: 'linf', epsilons: PAPER_LINF, options: { steps: PAPER_STEPS, stepSize: PAPER_MIM_STEP, randomStart: true } },
      { attack: 'pgd', norm: 'l1', epsilons: PAPER_L1, options: { steps: PAPER_STEPS, stepSize: PAPER_PGD_L1_STEP, randomStart: true } },
      { attack: 'ddn', norm: 'l2', epsilons: PAPER_L2 },
      { attack: 'autoattack', norm: 'linf', epsilons: PAPER_LINF },
    ],
  },
  robustbench: {
    name: 'robustbench',
    description: 'RobustBench ImageNet L∞: AutoAttack standard at 4/255 on the fixed 5,000 validation images; robust accuracy and clean accuracy',
    quick: false,
    headline: 'robust_accuracy',
    plans: [{ attack: 'autoattack', norm: 'linf', epsilons: [4 / 255] }],
    subset: { kind: 'ids', file: 'data/robustbench/imagenet_test_image_ids.txt', count: 5000 },
  },
  quick: {
    name: 'quick',
    description: 'QUICK smoke run (not comparable, never ranked): PGD-L∞ 10 steps and FGSM at 2/255 on a seeded 500-image subset',
    quick: true,
    headline: 'ar',
    plans: [
      { attack: 'pgd', norm: 'linf', epsilons: [2 / 255], options: { steps: 10 } },
      { attack: 'fgsm', norm: 'linf', epsilons: [2 / 255] },
    ],
    subset: { kind: 'seeded', count: 500, seed: 0 },
  },
};

export function findProtocol(name: string): AdversarialProtocol {
  const protocol = (PROTOCOLS as Record<string, AdversarialProtocol>)[name];
  if (!protocol) throw new RobustartError(`unknown adversarial protocol '${name}'; choose one of ${PROTOCOL_NAMES.join(', ')}`);
  return protocol;
}

/** Explicit settings that override a protocol's (or the default attack set's) fields. */
export interface ProtocolOverrides {
  /** Replace the attack set: (attack, norm) pairs; budgets come from `epsilons` or the protocol's budgets for that norm. */
  readonly attacks?: readonly { readonly attack: string; readonly norm?: Norm }[];
  /** Replace every plan's budgets. */
  readonly epsilons?: readonly number[];
  /** Replace the same field in every plan's options. */
  readonly attackOptions?: AttackOptions;
}

/** What a run records: the protocol (if any), whether it is a quick one, the plans in full, the subset and the headline. */
export interface ResolvedProtocol {
  readonly protocol: ProtocolName | null;
  readonly quick: boolean;
  readonly headline: 'ar' | 'robust_accuracy';
  readonly plans: readonly AttackPlan[];
  readonly subset: ProtocolSubset | null;
}

/** Budgets per norm of a protocol (first plan of each norm), for attacks named without a budget. */
function budgetsOf(plans: readonly AttackPlan[]): Partial<Record<Norm, readonly number[]>> {
  const out: Partial<Record<Norm, readonly number[]>> = {};
  for (const p of plans) if (p.epsilons.length > 0) out[p.norm] ??= p.epsilons;
  return out;
}

/** The default attack set when no protocol is named: the spec's suite at the spec's budgets. */
const DEFAULT_PLANS: readonly AttackPlan[] = SPEC_SUITE.map(({ attack, norm }) => ({ attack, norm, epsilons: SPEC_BUDGETS[norm] }));

export function resolveProtocol(name: string | undefined, overrides: ProtocolOverrides = {}): ResolvedProtocol {
  const protocol = name === undefined ? undefined : findProtocol(name);
  const base = protocol?.plans ?? DEFAULT_PLANS;
  const budgets = budgetsOf(base);
  let plans: AttackPlan[] = base.map((p) => ({ ...p }));
  if (overrides.attacks) {
    plans = overrides.attacks.map(({ attack, norm }) => {
      const entry = attackEntry(attack);
      const n = norm ?? entry.norms[0];
      if (!entry.norms.includes(n)) throw new RobustartError(`attack ${entry.name} does not support the ${n} norm; use ${entry.norms.join(' or ')}`);
      const same = base.find((p) => p.attack === entry.name && p.norm === n);
      return { attack: entry.name, norm: n, epsilons: same?.epsilons ?? budgets[n] ?? SPEC_BUDGETS[n], ...(same?.options ? { options: same.options } : {}) };
    });
  }
  if (overrides.epsilons) plans = plans.map((p) => ({ ...p, epsilons: overrides.epsilons! }));
  const explicit = Object.fromEntries(Object.entries(overrides.attackOptions ?? {}).filter(([, v]) => v !== undefined)) as AttackOptions;
  if (Object.keys(explicit).length > 0) {
    plans = plans.map((p) => {
      const merged: AttackOptions = { ...p.options, ...explicit };
      // An explicit absolute step size replaces a protocol's relative one (and the reverse).
      if (explicit.stepSize !== undefined && explicit.relativeStepSize === undefined) delete (merged as { relativeStepSize?: number }).relativeStepSize;
      if (explicit.relativeStepSize !== undefined && explicit.stepSize === undefined) delete (merged as { stepSize?: number }).stepSize;
      return { ...p, options: merged };
    });
  }
  return { protocol: protocol?.name ?? null, quick: protocol?.quick ?? false, headline: protocol?.headline ?? 'ar', plans, subset: protocol?.subset ?? null };
}

/**
 * Transfer attacks of a protocol: FGSM at the protocol's L∞ budgets (robustart-paper: 8/255, 2/255, 0.5/255, crafted on
 * every source and evaluated on every target), and optionally PGD-L∞ with the protocol's PGD settings.
 */
export function transferPlans(name: string | undefined, { pgd = false, epsilons }: { pgd?: boolean; epsilons?: readonly number[] } = {}): AttackPlan[] {
  const protocol = findProtocol(name ?? 'robustart-paper');
  const linf = epsilons ?? protocol.plans.find((p) => p.norm === 'linf')?.epsilons ?? PAPER_LINF;
  const pgdPlan = protocol.plans.find((p) => p.attack === 'pgd' && p.norm === 'linf') ?? PROTOCOLS['robustart-paper'].plans[1];
  return [
    { attack: 'fgsm', norm: 'linf', epsilons: linf },
    ...(pgd ? [{ attack: 'pgd', norm: 'linf' as const, epsilons: linf, ...(pgdPlan.options ? { options: pgdPlan.options } : {}) }] : []),
  ];
}

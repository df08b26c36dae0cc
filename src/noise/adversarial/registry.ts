// The attack registry: one way in (`createAttack(model, name, options)`), each entry with its threat model and the
// defaults it takes from ../shared/spec/adversarial.md (or the paper where the spec is silent, cited in each attack file).
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import { RobustartError } from '../../errors.js';
import { z, lazyValue, type Zod } from '../../util/native.js';
import type { Attack, AttackKind } from './attack.js';
import { APGD } from './apgd.js';
import { APGDT } from './apgd-t.js';
import { AutoAttack } from './autoattack.js';
import { BIM } from './bim.js';
import { CarliniWagnerL2 } from './cw.js';
import { DDN } from './ddn.js';
import { DeepFool } from './deepfool.js';
import { FAB } from './fab.js';
import { FGSM } from './fgsm.js';
import { HopSkipJump } from './hop-skip-jump.js';
import { MIM } from './mim.js';
import { PGD } from './pgd.js';
import { PGDL1 } from './pgd-l1.js';
import { SPSA } from './spsa.js';
import { Square } from './square.js';
import type { Norm } from './threat.js';

/**
 * The uniform options the CLI, the suite and protocols pass; each attack reads the ones it has. One zod schema declares
 * them (ranges included): TypeScript types and validation messages both come from it.
 */
export const attackOptionsSchema = lazyValue(() =>
  z.object({
    norm: z.enum(['linf', 'l2', 'l1']),
    eps: z.number().min(0).finite(),
    steps: z.number().int().min(1),
    stepSize: z.number().gt(0).finite(),
    relativeStepSize: z.number().gt(0).finite(),
    randomStart: z.boolean(),
    restarts: z.number().int().min(1),
    targeted: z.boolean(),
    queries: z.number().int().min(1),
  }).partial(),
);

export type AttackOptions = Zod.infer<typeof attackOptionsSchema>;

/** What an attack's factory receives: the validated options with the norm resolved and the step size made absolute. */
export type ResolvedAttackOptions<O extends AttackOptions = AttackOptions> = O & { readonly norm: Norm };

/** A registered attack: threat models it supports, its options schema and its factory. */
export interface AttackDefinition<O extends AttackOptions = AttackOptions> {
  readonly summary: string;
  readonly kind: AttackKind;
  readonly norms: readonly Norm[];
  /** Minimum-norm attacks take ε only as an optional budget. */
  readonly minimumNorm: boolean;
  readonly targeted: boolean;
  /** Options the attack accepts (default: the uniform `attackOptionsSchema`); an attack may extend it with its own. */
  readonly schema?: Zod.ZodType<O>;
  factory(model: DifferentiableClassifier, options: ResolvedAttackOptions<O>): Attack;
}

export interface AttackEntry extends Required<Pick<AttackDefinition, 'summary' | 'kind' | 'norms' | 'minimumNorm' | 'targeted'>> {
  /** The attack id used by the registry, attack instances, records and the CLI; the norm is a separate field. */
  readonly name: string;
  readonly schema: Zod.ZodType<AttackOptions>;
  create(model: DifferentiableClassifier, options: ResolvedAttackOptions): Attack;
}

const registry = new Map<string, AttackEntry>();

/** Every registered attack, built-ins first, in registration order. */
export const ATTACKS: AttackEntry[] = [];

/**
 * Registers an attack under `name` (lower case letters, digits and '-'; the norm is not part of it). Built-in attacks
 * register through this same call; an outside attack registered before a run is available to createAttack, the
 * adversarial suite, protocols overrides and the CLI (`node --import ./my-attack.js …/robustart attack --attack NAME`).
 */
export function registerAttack<O extends AttackOptions>(name: string, definition: AttackDefinition<O>): AttackEntry {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new RobustartError(`attack name '${name}' must be lower-case letters, digits and '-' (the norm is a separate option)`);
  if (registry.has(name)) throw new RobustartError(`an attack named '${name}' is already registered; choose another name`);
  if (definition.norms.length === 0) throw new RobustartError(`attack ${name} must support at least one norm`);
  const entry: AttackEntry = {
    name, summary: definition.summary, kind: definition.kind, norms: definition.norms, minimumNorm: definition.minimumNorm, targeted: definition.targeted,
    schema: (definition.schema ?? attackOptionsSchema) as Zod.ZodType<AttackOptions>,
    create: (model, options) => definition.factory(model, options as ResolvedAttackOptions<O>),
  };
  registry.set(name, entry);
  ATTACKS.push(entry);
  return entry;
}

const eps = (o: AttackOptions, name: string): number => {
  if (o.eps === undefined) throw new RobustartError(`attack ${name} needs a budget ε (option eps, e.g. 4/255)`);
  return o.eps;
};
const l2OrLinf = (n: Norm) => n as 'linf' | 'l2';
const attack = (name: string, d: AttackDefinition) => registerAttack(name, d);

attack('fgsm', { summary: 'fast gradient sign method (Goodfellow 2015)', kind: 'white-box', norms: ['linf'], minimumNorm: false, targeted: true,
  factory: (m, o) => new FGSM(m, { eps: eps(o, 'fgsm'), targeted: o.targeted }) });
attack('bim', { summary: 'basic iterative method (Kurakin 2017)', kind: 'white-box', norms: ['linf'], minimumNorm: false, targeted: true,
  factory: (m, o) => new BIM(m, { eps: eps(o, 'bim'), steps: o.steps, stepSize: o.stepSize, targeted: o.targeted }) });
attack('pgd', { summary: 'projected gradient descent with random start (Madry 2018), L∞/L2/L1', kind: 'white-box', norms: ['linf', 'l2', 'l1'], minimumNorm: false, targeted: true,
  factory: (m, o) => o.norm === 'l1'
    ? new PGDL1(m, { eps: eps(o, 'pgd'), steps: o.steps, stepSize: o.stepSize, randomStart: o.randomStart, restarts: o.restarts, targeted: o.targeted })
    : new PGD(m, { norm: l2OrLinf(o.norm), eps: eps(o, 'pgd'), steps: o.steps, stepSize: o.stepSize, randomStart: o.randomStart, restarts: o.restarts, targeted: o.targeted }) });
attack('mim', { summary: 'momentum iterative method (Dong 2018)', kind: 'white-box', norms: ['linf', 'l2'], minimumNorm: false, targeted: true,
  factory: (m, o) => new MIM(m, { norm: l2OrLinf(o.norm), eps: eps(o, 'mim'), steps: o.steps, stepSize: o.stepSize, randomStart: o.randomStart, targeted: o.targeted }) });
attack('cw', { summary: 'Carlini-Wagner L2, minimum norm (Carlini 2017)', kind: 'white-box', norms: ['l2'], minimumNorm: true, targeted: true,
  factory: (m, o) => new CarliniWagnerL2(m, { eps: o.eps, steps: o.steps, targeted: o.targeted }) });
attack('ddn', { summary: 'decoupled direction and norm, minimum L2 (Rony 2019)', kind: 'white-box', norms: ['l2'], minimumNorm: true, targeted: true,
  factory: (m, o) => new DDN(m, { eps: o.eps, steps: o.steps, targeted: o.targeted }) });
attack('deepfool', { summary: 'DeepFool, minimum norm (Moosavi-Dezfooli 2016)', kind: 'white-box', norms: ['l2', 'linf'], minimumNorm: true, targeted: false,
  factory: (m, o) => new DeepFool(m, { norm: l2OrLinf(o.norm), eps: o.eps, steps: o.steps }) });
attack('apgd-ce', { summary: 'auto-PGD on cross-entropy (Croce 2020)', kind: 'white-box', norms: ['linf', 'l2'], minimumNorm: false, targeted: false,
  factory: (m, o) => new APGD(m, { norm: l2OrLinf(o.norm), eps: eps(o, 'apgd-ce'), steps: o.steps, restarts: o.restarts, loss: 'ce' }) });
attack('apgd-dlr', { summary: 'auto-PGD on the DLR loss (Croce 2020)', kind: 'white-box', norms: ['linf', 'l2'], minimumNorm: false, targeted: false,
  factory: (m, o) => new APGD(m, { norm: l2OrLinf(o.norm), eps: eps(o, 'apgd-dlr'), steps: o.steps, restarts: o.restarts, loss: 'dlr' }) });
attack('apgd-t', { summary: 'auto-PGD on targeted DLR over the top-9 classes (Croce 2020)', kind: 'white-box', norms: ['linf', 'l2'], minimumNorm: false, targeted: false,
  factory: (m, o) => new APGDT(m, { norm: l2OrLinf(o.norm), eps: eps(o, 'apgd-t'), steps: o.steps, restarts: o.restarts }) });
attack('fab', { summary: 'fast adaptive boundary, minimum norm (Croce 2020)', kind: 'white-box', norms: ['linf', 'l2', 'l1'], minimumNorm: true, targeted: false,
  factory: (m, o) => new FAB(m, { norm: o.norm, eps: o.eps, steps: o.steps, restarts: o.restarts }) });
attack('fab-t', { summary: 'FAB towards the top-9 classes (Croce 2020)', kind: 'white-box', norms: ['linf', 'l2', 'l1'], minimumNorm: true, targeted: false,
  factory: (m, o) => new FAB(m, { norm: o.norm, eps: o.eps, steps: o.steps, restarts: o.restarts, targeted: true }) });
attack('square', { summary: 'Square random search, score-based (Andriushchenko 2020)', kind: 'score-based', norms: ['linf', 'l2'], minimumNorm: false, targeted: true,
  factory: (m, o) => new Square(m, { norm: l2OrLinf(o.norm), eps: eps(o, 'square'), queries: o.queries, targeted: o.targeted }) });
attack('spsa', { summary: 'SPSA gradient-free, score-based (Uesato 2018)', kind: 'score-based', norms: ['linf'], minimumNorm: false, targeted: true,
  factory: (m, o) => new SPSA(m, { eps: eps(o, 'spsa'), steps: o.steps, targeted: o.targeted }) });
attack('hsj', { summary: 'HopSkipJump, decision-based minimum L2 (Chen 2020)', kind: 'decision-based', norms: ['l2'], minimumNorm: true, targeted: false,
  factory: (m, o) => new HopSkipJump(m, { eps: o.eps, queries: o.queries }) });
attack('autoattack', { summary: 'AutoAttack standard: APGD-CE, APGD-T, FAB-T, Square (Croce 2020)', kind: 'white-box', norms: ['linf', 'l2'], minimumNorm: false, targeted: false,
  factory: (m, o) => new AutoAttack(m, { norm: l2OrLinf(o.norm), eps: eps(o, 'autoattack'), steps: o.steps, squareQueries: o.queries }) });
attack('autoattack-rand', { summary: 'AutoAttack for randomised models: APGD-CE and APGD-DLR with EOT 20', kind: 'white-box', norms: ['linf', 'l2'], minimumNorm: false, targeted: false,
  factory: (m, o) => new AutoAttack(m, { norm: l2OrLinf(o.norm), eps: eps(o, 'autoattack-rand'), steps: o.steps, version: 'rand' }) });

export function attackEntry(name: string): AttackEntry {
  const entry = registry.get(name.toLowerCase());
  if (!entry) throw new RobustartError(`unknown attack '${name}'; choose one of ${ATTACKS.map((a) => a.name).join(', ')}`);
  return entry;
}

/** One line naming the option, the value and what is allowed. */
function optionError(name: string, options: AttackOptions, error: Zod.ZodError): RobustartError {
  const issue = error.issues[0];
  const key = issue.path.join('.');
  const value = (options as Record<string, unknown>)[key];
  return new RobustartError(`attack ${name}: option ${key} = ${JSON.stringify(value)} is not allowed: ${issue.message.toLowerCase()}`);
}

/** Builds an attack by name; an invalid option, an unsupported norm or targeted mode is a one-line error naming the choices. */
export function createAttack(model: DifferentiableClassifier, name: string, options: AttackOptions = {}): Attack {
  const entry = attackEntry(name);
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as AttackOptions;
  const parsed = entry.schema.safeParse(defined);
  if (!parsed.success) throw optionError(entry.name, defined, parsed.error);
  const o = parsed.data;
  const norm = o.norm ?? entry.norms[0];
  if (!entry.norms.includes(norm)) throw new RobustartError(`attack ${entry.name} does not support the ${norm} norm; use ${entry.norms.join(' or ')}`);
  if (o.targeted && !entry.targeted) throw new RobustartError(`attack ${entry.name} has no targeted mode; drop the targeted option`);
  const stepSize = o.stepSize ?? (o.relativeStepSize !== undefined && o.eps !== undefined ? o.relativeStepSize * o.eps : undefined);
  return entry.create(model, { ...o, norm, ...(stepSize === undefined ? {} : { stepSize }) });
}

/** The benchmark's attack set and budgets (spec, "Benchmark attack set"). */
export const SPEC_BUDGETS: Readonly<Record<Norm, readonly number[]>> = {
  linf: [0.5 / 255, 1 / 255, 2 / 255, 4 / 255],
  l2: [0.25, 0.5, 1.0],
  l1: [12, 75],
};

export interface SuiteEntry {
  readonly attack: string;
  readonly norm: Norm;
}

/** White-box FGSM, PGD-L∞, PGD-L2, MIM-L∞, C&W-L2, DDN-L2, AutoAttack L∞ and L2, plus the score-based Square as the black-box check. */
export const SPEC_SUITE: readonly SuiteEntry[] = [
  { attack: 'fgsm', norm: 'linf' },
  { attack: 'pgd', norm: 'linf' },
  { attack: 'mim', norm: 'linf' },
  { attack: 'autoattack', norm: 'linf' },
  { attack: 'square', norm: 'linf' },
  { attack: 'pgd', norm: 'l2' },
  { attack: 'cw', norm: 'l2' },
  { attack: 'ddn', norm: 'l2' },
  { attack: 'autoattack', norm: 'l2' },
];

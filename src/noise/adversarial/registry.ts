// The attack registry: one way in (`createAttack(model, name, options)`), each entry with its threat model and the
// defaults it takes from ../shared/spec/adversarial.md (or the paper where the spec is silent, cited in each attack file).
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import { RobustartError } from '../../errors.js';
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

/** The uniform options the CLI and the suite pass; each attack reads the ones it has. */
export interface AttackOptions {
  readonly norm?: Norm;
  readonly eps?: number;
  readonly steps?: number;
  readonly stepSize?: number;
  /** Step size as a fraction of ε (foolbox's rel_stepsize); used when `stepSize` is not given. */
  readonly relativeStepSize?: number;
  /** Start from a random point in the ε-ball (PGD default true, MIM and FGSM false). */
  readonly randomStart?: boolean;
  readonly restarts?: number;
  readonly targeted?: boolean;
  readonly queries?: number;
}

export interface AttackEntry {
  readonly name: string;
  readonly summary: string;
  readonly kind: AttackKind;
  readonly norms: readonly Norm[];
  /** Minimum-norm attacks take ε only as an optional budget. */
  readonly minimumNorm: boolean;
  readonly targeted: boolean;
  create(model: DifferentiableClassifier, o: AttackOptions & { norm: Norm }): Attack;
}

const eps = (o: AttackOptions, name: string): number => {
  if (o.eps === undefined) throw new RobustartError(`attack ${name} needs a budget; pass --eps (e.g. --eps 4/255)`);
  return o.eps;
};
const l2OrLinf = (n: Norm) => n as 'linf' | 'l2';

export const ATTACKS: readonly AttackEntry[] = [
  { name: 'fgsm', summary: 'fast gradient sign method (Goodfellow 2015)', kind: 'white-box', norms: ['linf'], minimumNorm: false, targeted: true,
    create: (m, o) => new FGSM(m, { eps: eps(o, 'fgsm'), targeted: o.targeted }) },
  { name: 'bim', summary: 'basic iterative method (Kurakin 2017)', kind: 'white-box', norms: ['linf'], minimumNorm: false, targeted: true,
    create: (m, o) => new BIM(m, { eps: eps(o, 'bim'), steps: o.steps, stepSize: o.stepSize, targeted: o.targeted }) },
  { name: 'pgd', summary: 'projected gradient descent with random start (Madry 2018), L∞/L2/L1', kind: 'white-box', norms: ['linf', 'l2', 'l1'], minimumNorm: false, targeted: true,
    create: (m, o) => o.norm === 'l1'
      ? new PGDL1(m, { eps: eps(o, 'pgd'), steps: o.steps, stepSize: o.stepSize, randomStart: o.randomStart, restarts: o.restarts, targeted: o.targeted })
      : new PGD(m, { norm: l2OrLinf(o.norm), eps: eps(o, 'pgd'), steps: o.steps, stepSize: o.stepSize, randomStart: o.randomStart, restarts: o.restarts, targeted: o.targeted }) },
  { name: 'mim', summary: 'momentum iterative method (Dong 2018)', kind: 'white-box', norms: ['linf', 'l2'], minimumNorm: false, targeted: true,
    create: (m, o) => new MIM(m, { norm: l2OrLinf(o.norm), eps: eps(o, 'mim'), steps: o.steps, stepSize: o.stepSize, randomStart: o.randomStart, targeted: o.targeted }) },
  { name: 'cw', summary: 'Carlini-Wagner L2, minimum norm (Carlini 2017)', kind: 'white-box', norms: ['l2'], minimumNorm: true, targeted: true,
    create: (m, o) => new CarliniWagnerL2(m, { eps: o.eps, steps: o.steps, targeted: o.targeted }) },
  { name: 'ddn', summary: 'decoupled direction and norm, minimum L2 (Rony 2019)', kind: 'white-box', norms: ['l2'], minimumNorm: true, targeted: true,
    create: (m, o) => new DDN(m, { eps: o.eps, steps: o.steps, targeted: o.targeted }) },
  { name: 'deepfool', summary: 'DeepFool, minimum norm (Moosavi-Dezfooli 2016)', kind: 'white-box', norms: ['l2', 'linf'], minimumNorm: true, targeted: false,
    create: (m, o) => new DeepFool(m, { norm: l2OrLinf(o.norm), eps: o.eps, steps: o.steps }) },
  { name: 'apgd-ce', summary: 'auto-PGD on cross-entropy (Croce 2020)', kind: 'white-box', norms: ['linf', 'l2'], minimumNorm: false, targeted: false,
    create: (m, o) => new APGD(m, { norm: l2OrLinf(o.norm), eps: eps(o, 'apgd-ce'), steps: o.steps, restarts: o.restarts, loss: 'ce' }) },
  { name: 'apgd-dlr', summary: 'auto-PGD on the DLR loss (Croce 2020)', kind: 'white-box', norms: ['linf', 'l2'], minimumNorm: false, targeted: false,
    create: (m, o) => new APGD(m, { norm: l2OrLinf(o.norm), eps: eps(o, 'apgd-dlr'), steps: o.steps, restarts: o.restarts, loss: 'dlr' }) },
  { name: 'apgd-t', summary: 'auto-PGD on targeted DLR over the top-9 classes (Croce 2020)', kind: 'white-box', norms: ['linf', 'l2'], minimumNorm: false, targeted: false,
    create: (m, o) => new APGDT(m, { norm: l2OrLinf(o.norm), eps: eps(o, 'apgd-t'), steps: o.steps, restarts: o.restarts }) },
  { name: 'fab', summary: 'fast adaptive boundary, minimum norm (Croce 2020)', kind: 'white-box', norms: ['linf', 'l2', 'l1'], minimumNorm: true, targeted: false,
    create: (m, o) => new FAB(m, { norm: o.norm, eps: o.eps, steps: o.steps, restarts: o.restarts }) },
  { name: 'fab-t', summary: 'FAB towards the top-9 classes (Croce 2020)', kind: 'white-box', norms: ['linf', 'l2', 'l1'], minimumNorm: true, targeted: false,
    create: (m, o) => new FAB(m, { norm: o.norm, eps: o.eps, steps: o.steps, restarts: o.restarts, targeted: true }) },
  { name: 'square', summary: 'Square random search, score-based (Andriushchenko 2020)', kind: 'score-based', norms: ['linf', 'l2'], minimumNorm: false, targeted: true,
    create: (m, o) => new Square(m, { norm: l2OrLinf(o.norm), eps: eps(o, 'square'), queries: o.queries, targeted: o.targeted }) },
  { name: 'spsa', summary: 'SPSA gradient-free, score-based (Uesato 2018)', kind: 'score-based', norms: ['linf'], minimumNorm: false, targeted: true,
    create: (m, o) => new SPSA(m, { eps: eps(o, 'spsa'), steps: o.steps, targeted: o.targeted }) },
  { name: 'hsj', summary: 'HopSkipJump, decision-based minimum L2 (Chen 2020)', kind: 'decision-based', norms: ['l2'], minimumNorm: true, targeted: false,
    create: (m, o) => new HopSkipJump(m, { eps: o.eps, queries: o.queries }) },
  { name: 'autoattack', summary: 'AutoAttack standard: APGD-CE, APGD-T, FAB-T, Square (Croce 2020)', kind: 'white-box', norms: ['linf', 'l2'], minimumNorm: false, targeted: false,
    create: (m, o) => new AutoAttack(m, { norm: l2OrLinf(o.norm), eps: eps(o, 'autoattack'), steps: o.steps, squareQueries: o.queries }) },
  { name: 'autoattack-rand', summary: 'AutoAttack for randomised models: APGD-CE and APGD-DLR with EOT 20', kind: 'white-box', norms: ['linf', 'l2'], minimumNorm: false, targeted: false,
    create: (m, o) => new AutoAttack(m, { norm: l2OrLinf(o.norm), eps: eps(o, 'autoattack-rand'), steps: o.steps, version: 'rand' }) },
];

export function attackEntry(name: string): AttackEntry {
  const entry = ATTACKS.find((a) => a.name === name.toLowerCase());
  if (!entry) throw new RobustartError(`unknown attack '${name}'; choose one of ${ATTACKS.map((a) => a.name).join(', ')}`);
  return entry;
}

/** Builds an attack by name; an unsupported norm or targeted mode is a one-line error naming the choices. */
export function createAttack(model: DifferentiableClassifier, name: string, options: AttackOptions = {}): Attack {
  const entry = attackEntry(name);
  const norm = options.norm ?? entry.norms[0];
  if (!entry.norms.includes(norm)) throw new RobustartError(`attack ${entry.name} does not support --norm ${norm}; use ${entry.norms.join(' or ')}`);
  if (options.targeted && !entry.targeted) throw new RobustartError(`attack ${entry.name} has no targeted mode; drop --targeted`);
  for (const key of ['steps', 'restarts', 'queries'] as const) {
    const v = options[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new RobustartError(`--${key} ${v} must be a positive integer`);
  }
  const stepSize = options.stepSize ?? (options.relativeStepSize !== undefined && options.eps !== undefined ? options.relativeStepSize * options.eps : undefined);
  return entry.create(model, { ...options, norm, stepSize });
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

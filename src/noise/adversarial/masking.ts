// Gradient-masking checks. The floor is AutoAttack's six checks (spec, fidelity notes): randomised forward pass,
// softmax already applied, zero gradients for many points, Square beating the white-box attacks, optimisation or state
// at inference (seen as outputs that depend on the batch), and too few classes for the top-9 targeted attacks.
// Beyond them (issue 4): any black-box attack beating the white-box set, robust accuracy that does not fall as ε grows,
// and a loss that does not rise along PGD. Flags are data, stored with the results and shown in the report.
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import { lpNorm, type Norm } from './threat.js';

export interface MaskingFlag {
  readonly check: string;
  readonly message: string;
  readonly evidence: Readonly<Record<string, number | string>>;
}

/** The per-sample fields of an attack run the checks read (suite.ts's AttackRun has them). */
export interface MaskingRun {
  readonly attack: string;
  readonly kind: 'white-box' | 'score-based' | 'decision-based';
  readonly norm: Norm;
  readonly eps: number | undefined;
  readonly robust: Uint8Array;
  readonly queries?: Int32Array;
  readonly lossStart?: Float32Array;
  readonly lossEnd?: Float32Array;
  readonly degenerateGradient?: Uint8Array;
}

export interface MaskingThresholds {
  /** Fraction of samples with zero/NaN gradients that raises a flag. */
  readonly degenerateFraction: number;
  /** Fraction of samples whose loss did not rise along a gradient attack that raises a flag. */
  readonly flatLossFraction: number;
  /** Rise in robust accuracy with a larger ε tolerated as noise (fraction of samples). */
  readonly epsilonTolerance: number;
}

export const DEFAULT_THRESHOLDS: MaskingThresholds = { degenerateFraction: 0.1, flatLossFraction: 0.5, epsilonTolerance: 0.01 };

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** Checks that need only the model and a few clean inputs (at least 2). */
export async function modelChecks(model: DifferentiableClassifier, images: Float32Array, labels: Int32Array, batch: number, thresholds = DEFAULT_THRESHOLDS): Promise<MaskingFlag[]> {
  const flags: MaskingFlag[] = [];
  const k = model.numClasses, size = images.length / batch;
  const first = await model.logits(images, batch);
  const second = await model.logits(images, batch);
  const nonFinite = Array.from({ length: batch }, (_, n) => first.subarray(n * k, (n + 1) * k).some((v) => !Number.isFinite(v))).filter(Boolean).length;
  if (nonFinite > 0) flags.push({ check: 'non-finite-logits', message: `the model returns NaN or infinite logits for ${nonFinite} of ${batch} clean images: every attack result is meaningless until this is fixed`, evidence: { samples: nonFinite, of: batch } });
  const scale = Math.max(1e-6, ...Array.from(first, (v) => (Number.isFinite(v) ? Math.abs(v) : 0)));
  const randomDiff = maxAbsDiff(first, second);
  if (randomDiff > 1e-5 * scale) flags.push({ check: 'randomised-forward', message: `two identical forward passes differ by up to ${randomDiff.toPrecision(3)}: the model is randomised; evaluate with autoattack-rand (EOT)`, evidence: { maxDifference: randomDiff } });
  let softmaxRows = 0;
  for (let n = 0; n < batch; n++) {
    const row = first.subarray(n * k, (n + 1) * k);
    if (row.every((v) => v >= 0 && v <= 1) && Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-3) softmaxRows++;
  }
  if (softmaxRows === batch) flags.push({ check: 'softmax-output', message: 'every output row is a probability vector: softmax is applied inside the model, which flattens CE gradients; export logits instead', evidence: { rows: batch } });
  const alone = await model.logits(images.subarray(0, size), 1);
  const batchDiff = maxAbsDiff(alone, first.subarray(0, k));
  if (batchDiff > 1e-4 * scale && randomDiff <= 1e-5 * scale) flags.push({ check: 'inference-state', message: `the output for an image changes with the rest of its batch (by ${batchDiff.toPrecision(3)}): state or optimisation at inference (e.g. batch-norm in training mode)`, evidence: { maxDifference: batchDiff } });
  const { gradient } = await model.lossAndGradient(images, batch, labels, { kind: 'ce' });
  let degenerate = 0;
  for (let n = 0; n < batch; n++) {
    const g = lpNorm(gradient, n * size, size, 'l1');
    if (!(g > 0) || !Number.isFinite(g)) degenerate++;
  }
  if (degenerate / batch >= thresholds.degenerateFraction) flags.push({ check: 'zero-gradients', message: `${degenerate} of ${batch} clean points have zero or non-finite input gradients: gradient-based attacks will be blind; trust black-box results`, evidence: { samples: degenerate, of: batch } });
  if (k < 10) flags.push({ check: 'few-classes', message: `the model has ${k} classes, too few for top-9 targeted attacks (APGD-T, FAB-T use ${Math.max(0, k - 1)} targets)`, evidence: { classes: k } });
  return flags;
}

/** ε as people write it: 4/255 for L∞ budgets on the 1/255 grid, else a short decimal. */
export function formatEpsilon(eps: number | undefined, norm: Norm): string {
  if (eps === undefined) return 'none';
  // Whole 1/255 levels (and the spec's 0.5/255) read as fractions; anything else as a decimal.
  const levels = eps * 255;
  const onGrid = Math.abs(levels - Math.round(levels)) < 1e-6 || (levels < 1 && Math.abs(levels * 2 - Math.round(levels * 2)) < 1e-6);
  return norm === 'linf' && levels > 0 && onGrid ? `${+levels.toFixed(1)}/255` : `${+eps.toPrecision(4)}`;
}

const key = (r: MaskingRun) => `${r.norm} ε=${formatEpsilon(r.eps, r.norm)}`;

/** Checks on the attack results: black-box beating white-box, ε monotonicity, rising loss, degenerate gradients. */
export function resultChecks(runs: readonly MaskingRun[], thresholds = DEFAULT_THRESHOLDS): MaskingFlag[] {
  const flags: MaskingFlag[] = [];
  const budgets = new Map<string, MaskingRun[]>();
  for (const r of runs) if (r.eps !== undefined) budgets.set(key(r), [...(budgets.get(key(r)) ?? []), r]);
  for (const [budget, group] of budgets) {
    const white = group.filter((r) => r.kind === 'white-box');
    if (white.length === 0) continue;
    for (const black of group.filter((r) => r.kind !== 'white-box')) {
      let beaten = 0;
      for (let i = 0; i < black.robust.length; i++) if (!black.robust[i] && white.every((w) => w.robust[i])) beaten++;
      if (beaten > 0) flags.push({ check: 'black-box-beats-white-box', message: `${black.attack} fooled ${beaten} samples that every white-box attack at ${budget} left robust: gradients are likely masked`, evidence: { attack: black.attack, budget, samples: beaten } });
    }
  }
  const series = new Map<string, MaskingRun[]>();
  for (const r of runs) if (r.eps !== undefined) series.set(`${r.attack}/${r.norm}`, [...(series.get(`${r.attack}/${r.norm}`) ?? []), r]);
  for (const [name, list] of series) {
    const sorted = [...list].sort((a, b) => a.eps! - b.eps!);
    const ar = sorted.map((r) => r.robust.reduce((a, b) => a + b, 0) / r.robust.length);
    for (let j = 1; j < sorted.length; j++) {
      if (ar[j] > ar[j - 1] + thresholds.epsilonTolerance) flags.push({ check: 'epsilon-not-monotone', message: `${name}: robust accuracy rises from ${ar[j - 1].toFixed(3)} at ε=${formatEpsilon(sorted[j - 1].eps, sorted[j].norm)} to ${ar[j].toFixed(3)} at ε=${formatEpsilon(sorted[j].eps, sorted[j].norm)}; a stronger budget must not help the model`, evidence: { attack: name, from: sorted[j - 1].eps!, to: sorted[j].eps! } });
    }
    const last = sorted.length - 1;
    if (last > 0 && ar[0] > 0 && ar[last] >= ar[0] && sorted[last].eps! >= 2 * sorted[0].eps!) flags.push({ check: 'epsilon-flat', message: `${name}: robust accuracy does not fall from ε=${formatEpsilon(sorted[0].eps, sorted[0].norm)} to ε=${formatEpsilon(sorted[last].eps, sorted[last].norm)} (${ar[0].toFixed(3)} → ${ar[last].toFixed(3)})`, evidence: { attack: name, robustAtSmallest: ar[0], robustAtLargest: ar[last] } });
  }
  for (const r of runs) {
    if (r.lossStart && r.lossEnd) {
      let considered = 0, flat = 0;
      for (let i = 0; i < r.lossStart.length; i++) {
        if (!Number.isFinite(r.lossStart[i]) || !Number.isFinite(r.lossEnd[i]) || (r.queries && r.queries[i] < 3)) continue;
        considered++;
        if (!(r.lossEnd[i] > r.lossStart[i])) flat++;
      }
      if (considered > 0 && flat / considered > thresholds.flatLossFraction) flags.push({ check: 'loss-not-rising', message: `${r.attack} at ${key(r)}: the loss did not rise on ${flat} of ${considered} samples`, evidence: { attack: r.attack, budget: key(r), samples: flat, of: considered } });
    }
    if (r.degenerateGradient) {
      const bad = r.degenerateGradient.reduce((a, b) => a + b, 0);
      if (bad / r.degenerateGradient.length >= thresholds.degenerateFraction) flags.push({ check: 'zero-gradients', message: `${r.attack} at ${key(r)}: zero or NaN gradients on ${bad} of ${r.degenerateGradient.length} samples`, evidence: { attack: r.attack, budget: key(r), samples: bad } });
    }
  }
  return flags;
}

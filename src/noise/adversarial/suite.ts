// Runs attacks over a tensor of samples (foolbox style: one call, a list of budgets, per-sample results) through the
// same batch noises the adversarial suite evaluates (./conditions.ts), so both give identical per-sample outcomes.
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import { RobustartError } from '../../errors.js';
import { accuracy, summarizeAttack, type AttackSummary } from '../../metrics/adversarial.js';
import { argmax, checkFiniteLogits, type Attack } from './attack.js';
import { attackConditions, type AttackCondition, type AttackExtra, type AttackPlan } from './conditions.js';
import { modelChecks, resultChecks, type MaskingFlag } from './masking.js';
import type { AttackOptions } from './registry.js';
import type { Norm } from './threat.js';

/** One attack at one budget over the evaluated samples; arrays are per sample in the order given. */
export interface AttackRun {
  readonly attack: string;
  readonly kind: Attack['kind'];
  readonly norm: Norm;
  /** Budget; undefined for a minimum-norm run without one. */
  readonly eps: number | undefined;
  readonly settings: Readonly<Record<string, number | string | boolean>>;
  /** 1 where the model still predicts the label on the returned image. */
  readonly robust: Uint8Array;
  readonly success: Uint8Array;
  readonly queries: Int32Array;
  /** Perturbation norm of the returned image. */
  readonly norms: Float32Array;
  /** Minimum-norm attacks: the smallest adversarial norm found without a budget (Infinity where none was found). */
  readonly minimalNorms?: Float32Array;
  readonly lossStart?: Float32Array;
  readonly lossEnd?: Float32Array;
  readonly degenerateGradient?: Uint8Array;
  /** Per-sample bookkeeping exactly as the adversarial suite stores it in each record's `extra`. */
  readonly extra: readonly AttackExtra[];
  /** Adversarial images (only kept when asked, e.g. to save examples). */
  readonly adversarial?: Float32Array;
}

export interface TensorRunOptions {
  readonly seed: number;
  /** Sample ids keying the random streams (default: the index, "0", "1", …); the suite uses the dataset's ids. */
  readonly sampleIds?: readonly string[];
  readonly batchSize?: number;
  readonly keepImages?: boolean;
  /** Settings shared by every attack (steps, queries, …). */
  readonly attackOptions?: AttackOptions;
  /** Called after each batch with the number of samples done. */
  readonly onProgress?: (done: number, total: number) => void;
}

function idsOf(count: number, given?: readonly string[]): readonly string[] {
  if (given && given.length !== count) throw new RobustartError(`${given.length} sample ids for ${count} images; give one id per image`);
  return given ?? Array.from({ length: count }, (_, i) => String(i));
}

/**
 * Attack conditions over all samples, batch by batch and, within a batch, condition by condition (the evaluation
 * spine's order, so a minimum-norm attack's one optimisation per sample serves every budget from a small cache).
 */
export async function runConditions(
  conditions: readonly AttackCondition[], images: Float32Array, labels: Int32Array, options: TensorRunOptions,
): Promise<AttackRun[]> {
  const count = labels.length, size = images.length / count, batchSize = options.batchSize ?? 32;
  const ids = idsOf(count, options.sampleIds);
  const extras: AttackExtra[][] = conditions.map(() => []);
  const adversarial = options.keepImages ? conditions.map(() => new Float32Array(images.length)) : undefined;
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize);
    for (const [k, condition] of conditions.entries()) {
      const r = await condition.batchNoise.apply({ images: images.subarray(start * size, end * size), labels: labels.subarray(start, end), sampleIds: ids.slice(start, end), seed: options.seed });
      extras[k].push(...r.extra);
      adversarial?.[k].set(r.images, start * size);
    }
    options.onProgress?.(end, count);
  }
  return conditions.map((c, k) => runFromExtras(c, extras[k], adversarial?.[k]));
}

/** The per-sample arrays of a run from its records' `extra` (stored or fresh). */
export function runFromExtras(condition: Pick<AttackCondition, 'kind' | 'settings' | 'minimumNorm'>, extra: readonly AttackExtra[], adversarial?: Float32Array): AttackRun {
  const first = extra[0];
  const nanOf = (v: number | null | undefined) => (v === null || v === undefined ? NaN : v);
  const gradientAttack = extra.some((e) => e.lossStart !== undefined);
  return {
    attack: first?.attack ?? String(condition.settings.attack), kind: condition.kind, norm: (first?.norm ?? condition.settings.norm) as Norm,
    eps: first?.eps ?? undefined, settings: condition.settings,
    robust: Uint8Array.from(extra, (e) => (e.success ? 0 : 1)),
    success: Uint8Array.from(extra, (e) => (e.success ? 1 : 0)),
    queries: Int32Array.from(extra, (e) => e.queries),
    norms: Float32Array.from(extra, (e) => e.perturbationNorm),
    ...(condition.minimumNorm ? { minimalNorms: Float32Array.from(extra, (e) => (e.minimalNorm === null || e.minimalNorm === undefined ? Infinity : e.minimalNorm)) } : {}),
    ...(gradientAttack ? {
      lossStart: Float32Array.from(extra, (e) => nanOf(e.lossStart)), lossEnd: Float32Array.from(extra, (e) => nanOf(e.lossEnd)),
      degenerateGradient: Uint8Array.from(extra, (e) => (e.degenerateGradient ? 1 : 0)),
    } : {}),
    extra,
    ...(adversarial ? { adversarial } : {}),
  };
}

/** Per-sample "still classified correctly" on a set of images. */
export async function stillCorrect(model: DifferentiableClassifier, images: Float32Array, labels: Int32Array, count: number, batchSize = 64): Promise<Uint8Array> {
  const size = images.length / count, out = new Uint8Array(count);
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize);
    const logits = checkFiniteLogits(await model.logits(images.subarray(start * size, end * size), end - start), model.numClasses);
    for (let i = start; i < end; i++) out[i] = argmax(logits, i - start, model.numClasses) === labels[i] ? 1 : 0;
  }
  return out;
}

/**
 * One named attack at every budget in `epsilons` (none: a minimum-norm attack's raw result). Fixed-budget attacks run
 * once per ε; minimum-norm attacks run once per sample and are projected onto each ε-ball (foolbox's raw/clipped).
 */
export async function attackOverEpsilons(
  model: DifferentiableClassifier, name: string, norm: Norm, epsilons: readonly number[], images: Float32Array, labels: Int32Array,
  options: TensorRunOptions,
): Promise<AttackRun[]> {
  return runConditions(attackConditions(model, [{ attack: name, norm, epsilons }], options.attackOptions), images, labels, options);
}

export interface AttackReport {
  readonly cleanAccuracy: number;
  readonly cleanCorrect: Uint8Array;
  readonly runs: readonly (AttackRun & { readonly summary: AttackSummary })[];
  readonly flags: readonly MaskingFlag[];
}

/**
 * Attacks, summary and gradient-masking checks in one call: every plan at each of its budgets over the samples of
 * `images` (N,C,H,W in [0,1]). Sample i's outcome depends only on the model, that sample (and its id), the settings
 * and the seed.
 */
export async function runAttack(
  classifier: DifferentiableClassifier, plans: AttackPlan | readonly AttackPlan[], images: Float32Array, labels: Int32Array, options: TensorRunOptions,
): Promise<AttackReport> {
  const count = labels.length;
  if (count === 0) throw new RobustartError('runAttack got no images; pass at least one sample');
  const cleanCorrect = await stillCorrect(classifier, images, labels, count);
  const runs = await runConditions(attackConditions(classifier, Array.isArray(plans) ? plans : [plans as AttackPlan], options.attackOptions), images, labels, options);
  const probe = Math.min(count, 16);
  const size = images.length / count;
  const flags = [
    ...(probe >= 2 ? await modelChecks(classifier, images.subarray(0, probe * size), labels.subarray(0, probe), probe) : []),
    ...resultChecks(runs),
  ];
  return { cleanAccuracy: accuracy(cleanCorrect), cleanCorrect, flags, runs: runs.map((r) => ({ ...r, summary: summarizeAttack(cleanCorrect, r) })) };
}

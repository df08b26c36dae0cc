// Runs attacks over a dataset in batches and over lists of budgets (foolbox style), producing per-sample records.
// Minimum-norm attacks run once without a budget; each ε then projects their result onto the ε-ball and re-checks it.
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import { rngFor } from '../../util/rng.js';
import { argmax, range, type Attack, type AttackResult } from './attack.js';
import { attackEntry, createAttack, type AttackOptions } from './registry.js';
import { projectToThreat, perturbationNorms, type Norm } from './threat.js';

/** One attack at one budget over the evaluated samples; arrays are per sample in dataset order. */
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
  /** Adversarial images (only kept when asked, e.g. to save examples). */
  readonly adversarial?: Float32Array;
}

export interface DatasetRunOptions {
  readonly seed: number;
  readonly batchSize?: number;
  readonly keepImages?: boolean;
  /** Called after each batch with the number of samples done. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Runs one attack over all samples in batches; sample i always uses the random stream keyed by i. */
export async function attackDataset(
  attack: Attack, images: Float32Array, labels: Int32Array, count: number, { seed, batchSize = 32, onProgress }: DatasetRunOptions,
): Promise<AttackResult> {
  const size = images.length / count;
  const adversarial = new Float32Array(images.length), success = new Uint8Array(count), queries = new Int32Array(count), norms = new Float32Array(count);
  const lossStart = new Float32Array(count).fill(NaN), lossEnd = new Float32Array(count).fill(NaN), degenerate = new Uint8Array(count);
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize);
    const r = await attack.run(images.subarray(start * size, end * size), labels.subarray(start, end), end - start, rngFor(seed, start), { sampleKeys: range(end - start).map((k) => start + k) });
    adversarial.set(r.adversarial, start * size);
    success.set(r.success, start);
    queries.set(r.queries, start);
    norms.set(r.norms, start);
    if (r.lossStart) lossStart.set(r.lossStart, start);
    if (r.lossEnd) lossEnd.set(r.lossEnd, start);
    if (r.degenerateGradient) degenerate.set(r.degenerateGradient, start);
    onProgress?.(end, count);
  }
  return { adversarial, success, queries, norms, lossStart, lossEnd, degenerateGradient: degenerate };
}

/** Per-sample "still classified correctly" on a set of images. */
export async function stillCorrect(model: DifferentiableClassifier, images: Float32Array, labels: Int32Array, count: number, batchSize = 64): Promise<Uint8Array> {
  const size = images.length / count, out = new Uint8Array(count);
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize);
    const logits = await model.logits(images.subarray(start * size, end * size), end - start);
    for (let i = start; i < end; i++) out[i] = argmax(logits, i - start, model.numClasses) === labels[i] ? 1 : 0;
  }
  return out;
}

/**
 * One named attack at every budget in `epsilons`. Fixed-budget attacks run once per ε; minimum-norm attacks run once
 * without a budget and are projected onto each ε-ball (foolbox's raw/clipped), so one optimisation serves all budgets.
 */
export async function attackOverEpsilons(
  model: DifferentiableClassifier, name: string, norm: Norm, epsilons: readonly number[], images: Float32Array, labels: Int32Array, count: number,
  options: DatasetRunOptions & { attackOptions?: AttackOptions },
): Promise<AttackRun[]> {
  const entry = attackEntry(name);
  const base = { ...options.attackOptions, norm };
  const runs: AttackRun[] = [];
  if (entry.minimumNorm) {
    const attack = createAttack(model, name, { ...base, eps: undefined });
    const raw = await attackDataset(attack, images, labels, count, options);
    const minimalNorms = raw.norms.map((n, i) => (raw.success[i] ? n : Infinity));
    if (epsilons.length === 0) {
      // No budget: the raw minimum-norm result, for median norms.
      return [{
        attack: entry.name, kind: entry.kind, norm, eps: undefined, settings: attack.settings, robust: raw.success.map((s) => 1 - s), success: raw.success,
        queries: raw.queries, norms: raw.norms, minimalNorms, ...(options.keepImages ? { adversarial: raw.adversarial } : {}),
      }];
    }
    for (const eps of epsilons) {
      const clipped = raw.adversarial.slice();
      projectToThreat(images, clipped, count, norm, eps);
      const robust = await stillCorrect(model, clipped, labels, count);
      runs.push({
        attack: entry.name, kind: entry.kind, norm, eps, settings: { ...attack.settings, eps }, robust, success: robust.map((r) => 1 - r),
        queries: raw.queries, norms: perturbationNorms(images, clipped, count, norm), minimalNorms, ...(options.keepImages ? { adversarial: clipped } : {}),
      });
    }
    return runs;
  }
  for (const [k, eps] of epsilons.entries()) {
    const attack = createAttack(model, name, { ...base, eps });
    const r = await attackDataset(attack, images, labels, count, { ...options, seed: (options.seed + k * 0x9e3779b1) >>> 0 });
    // Untargeted: robust = not fooled. Targeted: success means "reached the target", so robustness is read off the predictions.
    const robust = attack.settings.targeted === true ? await stillCorrect(model, r.adversarial, labels, count) : r.success.map((s) => 1 - s);
    runs.push({
      attack: entry.name, kind: entry.kind, norm, eps, settings: attack.settings, robust, success: r.success, queries: r.queries, norms: r.norms,
      lossStart: r.lossStart, lossEnd: r.lossEnd, degenerateGradient: r.degenerateGradient, ...(options.keepImages ? { adversarial: r.adversarial } : {}),
    });
  }
  return runs;
}

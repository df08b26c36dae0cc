// The one attack pipeline: every (attack, norm, ε) becomes an evaluation condition whose batch noise runs the attack.
// The adversarial suite hands these to the evaluation spine (stored, resumable records); `runAttack` (./suite.ts) runs
// the very same batch noises over a tensor. Sample i's randomness comes from its own stream keyed by (seed, stream,
// sample id), so a sample's outcome never depends on the batch it shares, its position, the worker count or a resume.
// Each record's `extra` carries the attack's per-sample bookkeeping.
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import type { BatchNoiseInput, Condition, ConditionMeta } from '../../eval/condition.js';
import { attackEntry, createAttack, type AttackOptions } from './registry.js';
import { formatEpsilon } from './masking.js';
import { perturbationNorms, projectToThreat, type Norm } from './threat.js';
import { checkFiniteLogits, predictions, sampleStreams, type AttackKind } from './attack.js';

/** One attack in one norm at a list of budgets; an empty list runs a minimum-norm attack without a budget. */
export interface AttackPlan {
  readonly attack: string;
  readonly norm: Norm;
  readonly epsilons: readonly number[];
  /** Settings of this attack (steps, step size, …); the plan's own override the shared ones. */
  readonly options?: AttackOptions;
}

/** Per-sample bookkeeping of one attack on one sample (a record's `extra`). */
export type AttackExtra = {
  readonly attack: string;
  readonly norm: Norm;
  readonly eps: number | null;
  readonly success: boolean;
  readonly perturbationNorm: number;
  readonly queries: number;
  /** Minimum-norm attacks: the smallest adversarial norm found without a budget (null where none was found). */
  readonly minimalNorm?: number | null;
  readonly lossStart?: number | null;
  readonly lossEnd?: number | null;
  readonly degenerateGradient?: boolean;
  /** Composite attacks (AutoAttack): the part that first fooled the sample, '' where none did. */
  readonly foundBy?: string;
};

export interface AttackCondition extends Condition {
  readonly meta: Extract<ConditionMeta, { kind: 'adversarial' }>;
  readonly kind: AttackKind;
  readonly minimumNorm: boolean;
  /** Every setting of the attack at this budget, as recorded with the run. */
  readonly settings: Readonly<Record<string, number | string | boolean>>;
  readonly batchNoise: { readonly name: string; apply(input: BatchNoiseInput): Promise<{ images: Float32Array; extra: AttackExtra[] }> };
}

/** "pgd/linf/4/255", "ddn/l2/0.5", "ddn/l2" (no budget): attack, norm and budget, for people to read. */
export function conditionName(attack: string, norm: Norm, eps: number | null): string {
  return eps === null ? `${attack}/${norm}` : `${attack}/${norm}/${formatEpsilon(eps, norm)}`;
}

/** The adversarial metadata of a condition, or undefined for any other condition. */
export function adversarialMeta(condition: { readonly meta?: ConditionMeta }): Extract<ConditionMeta, { kind: 'adversarial' }> | undefined {
  return condition.meta?.kind === 'adversarial' ? condition.meta : undefined;
}

/** WCAR groups conditions by threat model: norm and budget ("linf/4/255"). */
export function budgetKey(meta: { readonly norm: string; readonly eps: number | null }): string | undefined {
  return meta.eps === null ? undefined : `${meta.norm}/${formatEpsilon(meta.eps, meta.norm as Norm)}`;
}

interface RawSample {
  readonly adversarial: Float32Array;
  readonly success: boolean;
  readonly norm: number;
  readonly queries: number;
}

/**
 * Conditions for every plan at every budget. Minimum-norm attacks optimise once per sample without a budget (their
 * stream is keyed by attack and norm, not budget) and are projected onto each ε-ball, as foolbox's raw/clipped.
 */
export function attackConditions(classifier: DifferentiableClassifier, plans: readonly AttackPlan[], shared: AttackOptions = {}): AttackCondition[] {
  const conditions: AttackCondition[] = [];
  for (const plan of plans) {
    const entry = attackEntry(plan.attack);
    const options: AttackOptions = { ...shared, ...plan.options, norm: plan.norm };
    if (entry.minimumNorm) {
      const rawStream = conditionName(entry.name, plan.norm, null);
      const unbudgeted = createAttack(classifier, entry.name, { ...options, eps: undefined });
      // Raw results per sample id (keyed by seed too): the budgets of one batch share one optimisation.
      const raw = new Map<string, Promise<RawSample>>();
      const rawFor = async ({ images, labels, sampleIds, seed }: BatchNoiseInput): Promise<RawSample[]> => {
        const keys = sampleIds.map((id) => `${seed}\u0000${id}`);
        const missing = keys.map((k, i) => (raw.has(k) ? -1 : i)).filter((i) => i >= 0);
        if (missing.length > 0) {
          const size = images.length / labels.length;
          const sub = new Float32Array(missing.length * size);
          missing.forEach((i, k) => sub.set(images.subarray(i * size, (i + 1) * size), k * size));
          const run = unbudgeted.run(sub, Int32Array.from(missing, (i) => labels[i]), missing.length, sampleStreams(seed, rawStream, missing.map((i) => sampleIds[i])));
          missing.forEach((i, k) => raw.set(keys[i], run.then((r) => ({
            adversarial: r.adversarial.slice(k * size, (k + 1) * size), success: r.success[k] === 1, norm: r.norms[k], queries: r.queries[k],
          }))));
          // Callers run a batch's conditions one after another (evaluate, runConditions): keep about two batches.
          while (raw.size > 2 * Math.max(32, sampleIds.length)) raw.delete(raw.keys().next().value!);
        }
        return Promise.all(keys.map((k) => raw.get(k)!));
      };
      for (const eps of plan.epsilons.length === 0 ? [null] : plan.epsilons) {
        const name = conditionName(entry.name, plan.norm, eps);
        const apply = async (input: BatchNoiseInput) => {
          const { images, labels } = input;
          const batch = labels.length, size = images.length / batch;
          const rows = await rawFor(input);
          const adversarial = new Float32Array(images.length);
          rows.forEach((r, i) => adversarial.set(r.adversarial, i * size));
          if (eps !== null) projectToThreat(images, adversarial, batch, plan.norm, eps);
          const norms = perturbationNorms(images, adversarial, batch, plan.norm);
          // Targeted runs report "reached the target"; robustness is read off the prediction whenever that differs.
          const success = eps === null && options.targeted !== true ? rows.map((r) => r.success) : await misclassified(classifier, adversarial, labels);
          const extra = rows.map((r, i): AttackExtra => ({
            attack: entry.name, norm: plan.norm, eps, success: success[i], perturbationNorm: norms[i], queries: r.queries, minimalNorm: r.success ? r.norm : null,
          }));
          return { images: adversarial, extra };
        };
        conditions.push({
          name, meta: { kind: 'adversarial', attack: entry.name, norm: plan.norm, eps }, kind: entry.kind, minimumNorm: true,
          settings: { ...unbudgeted.settings, ...(eps === null ? {} : { eps }) }, batchNoise: { name, apply },
        });
      }
      continue;
    }
    if (plan.epsilons.length === 0) throw new Error(`attack ${entry.name} needs at least one budget`);
    for (const eps of plan.epsilons) {
      const name = conditionName(entry.name, plan.norm, eps);
      const attack = createAttack(classifier, entry.name, { ...options, eps });
      const apply = async ({ images, labels, sampleIds, seed }: BatchNoiseInput) => {
        const batch = labels.length;
        const r = await attack.run(images, labels, batch, sampleStreams(seed, name, sampleIds));
        // Targeted: success means "reached the target"; robustness is read off the prediction either way.
        const fooled = attack.settings.targeted === true ? await misclassified(classifier, r.adversarial, labels) : Array.from(r.success, (s) => s === 1);
        const extra = Array.from({ length: batch }, (_, i): AttackExtra => ({
          attack: entry.name, norm: plan.norm, eps, success: fooled[i], perturbationNorm: r.norms[i], queries: r.queries[i],
          ...(r.lossStart ? { lossStart: finiteOrNull(r.lossStart[i]), lossEnd: finiteOrNull(r.lossEnd?.[i] ?? NaN) } : {}),
          ...(r.degenerateGradient ? { degenerateGradient: r.degenerateGradient[i] === 1 } : {}),
          ...(r.foundBy ? { foundBy: r.foundBy[i] } : {}),
        }));
        return { images: r.adversarial, extra };
      };
      conditions.push({
        name, meta: { kind: 'adversarial', attack: entry.name, norm: plan.norm, eps }, kind: entry.kind, minimumNorm: false,
        settings: attack.settings, batchNoise: { name, apply },
      });
    }
  }
  return conditions;
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** Per sample: the model's prediction is not the label (one forward pass, not counted as an attack query). */
async function misclassified(classifier: DifferentiableClassifier, images: Float32Array, labels: Int32Array): Promise<boolean[]> {
  const logits = checkFiniteLogits(await classifier.logits(images, labels.length), classifier.numClasses);
  const predicted = predictions(logits, labels.length, classifier.numClasses);
  return Array.from(labels, (y, n) => predicted[n] !== y);
}

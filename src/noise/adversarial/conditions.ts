// The adversarial attack set as evaluation conditions: one batch noise per (attack, norm, ε) of the spec's suite,
// shaped as src/eval/condition.ts's BatchNoise ({ name, apply }) so the evaluation spine runs, records and resumes
// them like any other noise. Each record's `extra` carries the attack's per-sample bookkeeping.
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import type { Rng } from '../../util/rng.js';
import { attackEntry, createAttack, SPEC_BUDGETS, SPEC_SUITE, type AttackOptions, type SuiteEntry } from './registry.js';
import { formatEpsilon } from './masking.js';
import { perturbationNorms, projectToThreat, type Norm } from './threat.js';
import type { AttackResult } from './attack.js';

export interface AttackCondition {
  readonly name: string;
  readonly attack: string;
  readonly norm: Norm;
  readonly eps: number;
  readonly batchNoise: {
    readonly name: string;
    apply(images: Float32Array, labels: Int32Array, batch: number, rng: Rng): Promise<{ images: Float32Array; extra: Record<string, unknown>[] }>;
  };
}

/** "pgd/linf/4/255", "cw/l2/0.5": attack, norm and budget, readable and parseable. */
export function conditionName(attack: string, norm: Norm, eps: number): string {
  return `${attack}/${norm}/${formatEpsilon(eps, norm)}`;
}

/** The budget group of a condition name ("linf/4/255"), for WCAR; undefined for names that are not attack conditions. */
export function budgetOfCondition(name: string): string | undefined {
  const m = /^[a-z0-9-]+\/(linf|l2|l1)\/(.+)$/.exec(name);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

/**
 * Conditions for every (attack, norm) of `entries` at every budget of its norm. Minimum-norm attacks optimise once per
 * batch and are projected onto each ε (a small cache keyed by the batch's content holds the raw result).
 */
export function adversarialConditions(
  classifier: DifferentiableClassifier,
  { entries = SPEC_SUITE, budgets = SPEC_BUDGETS, attackOptions = {} }: { entries?: readonly SuiteEntry[]; budgets?: Readonly<Record<Norm, readonly number[]>>; attackOptions?: AttackOptions } = {},
): AttackCondition[] {
  const cache = new Map<string, Promise<AttackResult>>();
  const conditions: AttackCondition[] = [];
  for (const { attack, norm } of entries) {
    const entry = attackEntry(attack);
    for (const eps of budgets[norm]) {
      const name = conditionName(entry.name, norm, eps);
      const apply = async (images: Float32Array, labels: Int32Array, batch: number, rng: Rng) => {
        let result: AttackResult;
        let minimalNorms: Float32Array | undefined;
        if (entry.minimumNorm) {
          const key = `${entry.name}/${norm}/${batch}/${fingerprint(images, labels)}`;
          let raw = cache.get(key);
          if (!raw) {
            raw = createAttack(classifier, entry.name, { ...attackOptions, norm }).run(images, labels, batch, rng);
            cache.set(key, raw);
            if (cache.size > 8) cache.delete(cache.keys().next().value!);
          }
          const r = await raw;
          minimalNorms = r.norms.map((n, i) => (r.success[i] ? n : Infinity));
          const clipped = r.adversarial.slice();
          projectToThreat(images, clipped, batch, norm, eps);
          result = { ...r, adversarial: clipped, norms: perturbationNorms(images, clipped, batch, norm) };
        } else {
          result = await createAttack(classifier, entry.name, { ...attackOptions, norm, eps }).run(images, labels, batch, rng);
        }
        const extra = Array.from({ length: batch }, (_, i) => ({
          attack: entry.name, norm, eps, perturbationNorm: result.norms[i], queries: result.queries[i],
          ...(minimalNorms ? { minimalNorm: Number.isFinite(minimalNorms[i]) ? minimalNorms[i] : null } : { success: result.success[i] === 1 }),
        }));
        return { images: result.adversarial, extra };
      };
      conditions.push({ name, attack: entry.name, norm, eps, batchNoise: { name, apply } });
    }
  }
  return conditions;
}

function fingerprint(images: Float32Array, labels: Int32Array): string {
  let h = 0x811c9dc5;
  const step = Math.max(1, Math.floor(images.length / 4096));
  for (let i = 0; i < images.length; i += step) h = Math.imul(h ^ Math.round(images[i] * 65535), 0x01000193);
  for (const y of labels) h = Math.imul(h ^ y, 0x01000193);
  return (h >>> 0).toString(16);
}

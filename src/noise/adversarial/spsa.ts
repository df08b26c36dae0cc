// SPSA (Uesato et al., ICML 2018, Sec. 4.1): estimate the gradient of the logit margin from finite differences along
// random ±1 directions, g ≈ mean_k [L(x + δv_k) − L(x − δv_k)]/(2δ)·v_k, take an Adam step (lr 0.01) and project onto
// the L∞ ball ∩ box; stop a sample when it is adversarial. Spec: 100 iterations, δ = 0.01, 128 samples per step.
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import type { Rng } from '../../util/rng.js';
import { Oracle, argmax, checkBatch, chooseTargets, finish, isAdversarial, range, type Attack, type AttackResult, type RunOptions } from './attack.js';
import { chunkedLogits, margin } from './scores.js';
import { projectToThreat, randomPerturbation } from './threat.js';

/** Probe images per model call. */
const PROBE_CHUNK = 64;

export interface SpsaConfig {
  readonly eps: number;
  readonly steps?: number;
  readonly delta?: number;
  readonly samples?: number;
  readonly learningRate?: number;
  readonly targeted?: boolean;
}

export class SPSA implements Attack {
  readonly name = 'spsa';
  readonly kind = 'score-based' as const;
  readonly norm = 'linf' as const;
  readonly minimumNorm = false;
  readonly eps: number;
  readonly settings: Readonly<Record<string, number | string | boolean>>;
  private readonly c: Required<Omit<SpsaConfig, 'eps'>>;

  constructor(readonly model: DifferentiableClassifier, { eps, steps = 100, delta = 0.01, samples = 128, learningRate = 0.01, targeted = false }: SpsaConfig) {
    this.eps = eps;
    this.c = { steps, delta, samples, learningRate, targeted };
    this.settings = { attack: this.name, norm: 'linf', eps, ...this.c };
  }

  async run(images: Float32Array, labels: Int32Array, batch: number, rngs: readonly Rng[], options: RunOptions = {}): Promise<AttackResult> {
    checkBatch(this.model, images, labels, batch, rngs);
    const { steps, delta, samples, learningRate: lr, targeted } = this.c;
    const oracle = new Oracle(this.model, batch);
    const size = oracle.size, classes = this.model.numClasses;
    const targets = targeted ? chooseTargets(labels, classes, rngs, options.targets) : undefined;
    const adversarial = images.slice();
    // Random start inside the ball, as the reference implementation (uniform in [−ε, ε]).
    for (let i = 0; i < batch; i++) adversarial.set(randomPerturbation(size, 'linf', this.eps, rngs[i]).map((d, k) => images[i * size + k] + d), i * size);
    projectToThreat(images, adversarial, batch, 'linf', this.eps);
    const m = new Float32Array(images.length), v = new Float32Array(images.length);
    const cleanLogits = await oracle.logits(images, range(batch));
    const done = Uint8Array.from({ length: batch }, (_, i) => (isAdversarial(argmax(cleanLogits, i, classes), labels[i], targets?.[i]) ? 1 : 0));
    for (let i = 0; i < batch; i++) if (done[i]) adversarial.set(images.subarray(i * size, (i + 1) * size), i * size);
    for (let step = 0; step <= steps; step++) {
      let active = range(batch).filter((i) => !done[i]);
      if (active.length === 0) break;
      const current = new Float32Array(active.length * size);
      active.forEach((i, k) => current.set(adversarial.subarray(i * size, (i + 1) * size), k * size));
      const logits = await oracle.logits(current, active);
      active = active.filter((i, k) => !(done[i] = isAdversarial(argmax(logits, k, classes), labels[i], targets?.[i]) ? 1 : 0));
      if (step === steps || active.length === 0) break;
      // 2·samples probes per active sample (x ± δ·v, Rademacher v), evaluated in chunks so memory stays at
      // PROBE_CHUNK images whatever the image size.
      for (const i of active) {
        const o = i * size;
        const x = adversarial.subarray(o, o + size);
        const grad = new Float64Array(size);
        for (let first = 0; first < samples; first += PROBE_CHUNK / 2) {
          const n = Math.min(PROBE_CHUNK / 2, samples - first);
          const directions = new Int8Array(n * size);
          const probes = new Float32Array(2 * n * size);
          for (let s = 0; s < n; s++) for (let k = 0; k < size; k++) {
            const v = rngs[i].uniform() < 0.5 ? -1 : 1;
            directions[s * size + k] = v;
            probes[2 * s * size + k] = x[k] + delta * v;
            probes[(2 * s + 1) * size + k] = x[k] - delta * v;
          }
          const probeLogits = await chunkedLogits(oracle, probes, new Int32Array(2 * n).fill(i), PROBE_CHUNK);
          for (let s = 0; s < n; s++) {
            const diff = margin(probeLogits, 2 * s, classes, labels[i], targets?.[i]) - margin(probeLogits, 2 * s + 1, classes, labels[i], targets?.[i]);
            for (let k = 0; k < size; k++) grad[k] += ((diff / (2 * delta)) * directions[s * size + k]) / samples;
          }
        }
        // Adam (β₁ 0.9, β₂ 0.999) descending the margin.
        const t = step + 1;
        for (let k = 0; k < size; k++) {
          m[o + k] = 0.9 * m[o + k] + 0.1 * grad[k];
          v[o + k] = 0.999 * v[o + k] + 0.001 * grad[k] * grad[k];
          adversarial[o + k] -= (lr * (m[o + k] / (1 - 0.9 ** t))) / (Math.sqrt(v[o + k] / (1 - 0.999 ** t)) + 1e-8);
        }
        projectToThreat(images.subarray(o, o + size), adversarial.subarray(o, o + size), 1, 'linf', this.eps);
      }
    }
    return finish(oracle, images, adversarial, labels, batch, this.norm, { targets });
  }
}

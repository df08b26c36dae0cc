// HopSkipJump (Chen, Jordan & Wainwright, IEEE S&P 2020), decision-based, untargeted, L2 (Algorithm 2):
// start from a misclassified uniform-noise image pulled to the boundary by binary search, then repeat:
// estimate the boundary normal from B_t = B₀·√t random probes' decisions (with baseline), step along it by a
// geometric search from ξ_t = ‖x_t − x‖/√t, and binary-search back to the boundary. θ = d^{-3/2}, probe radius
// δ_t = √d·θ·‖x_t − x‖ (0.1 on the first iteration), B₀ = 100, as the paper. Spec: 1,000 queries per sample.
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import type { Rng } from '../../util/rng.js';
import { Oracle, argmax, checkBatch, finish, range, type Attack, type AttackResult, type RunOptions } from './attack.js';
import { chunkedLogits } from './scores.js';
import { clip01, lpNorm } from './threat.js';
import { hypotOf } from '../../util/array.js';

export interface HopSkipJumpConfig {
  readonly eps?: number;
  readonly queries?: number;
  readonly initialProbes?: number;
}

export class HopSkipJump implements Attack {
  readonly name = 'hsj';
  readonly kind = 'decision-based' as const;
  readonly norm = 'l2' as const;
  readonly minimumNorm = true;
  readonly eps: number | undefined;
  readonly settings: Readonly<Record<string, number | string | boolean>>;
  private readonly budget: number;
  private readonly initialProbes: number;

  constructor(readonly model: DifferentiableClassifier, { eps, queries = 1000, initialProbes = 100 }: HopSkipJumpConfig = {}) {
    this.eps = eps;
    this.budget = queries;
    this.initialProbes = initialProbes;
    this.settings = { attack: this.name, norm: 'l2', ...(eps !== undefined ? { eps } : {}), queries, initialProbes };
  }

  async run(images: Float32Array, labels: Int32Array, batch: number, rngs: readonly Rng[], options: RunOptions = {}): Promise<AttackResult> {
    checkBatch(this.model, images, labels, batch, rngs);
    const oracle = new Oracle(this.model, batch);
    const size = oracle.size, classes = this.model.numClasses;
    const clean = await oracle.logits(images, range(batch));
    const result = images.slice();
    for (let i = 0; i < batch; i++) {
      if (argmax(clean, i, classes) !== labels[i]) continue;
      const found = await this.attackOne(oracle, images.subarray(i * size, (i + 1) * size), labels[i], i, rngs[i]);
      if (found) result.set(found, i * size);
    }
    return finish(oracle, images, result, labels, batch, this.norm, { projectEps: this.eps });
  }

  /** Decisions φ(x) = "adversarial?" for a set of images of sample i, within the remaining budget. */
  private async decide(oracle: Oracle, xs: Float32Array, i: number, label: number): Promise<boolean[]> {
    const n = xs.length / oracle.size, classes = this.model.numClasses;
    const logits = await chunkedLogits(oracle, xs, new Int32Array(n).fill(i));
    return Array.from({ length: n }, (_, k) => argmax(logits, k, classes) !== label);
  }

  private async attackOne(oracle: Oracle, x: Float32Array, label: number, i: number, g: Rng): Promise<Float32Array | undefined> {
    const size = x.length, left = () => this.budget - oracle.queries[i];
    const theta = 1 / size ** 1.5;
    // Initialisation: uniform noise until misclassified (≤ 100 tries, as the reference code).
    let start: Float32Array | undefined;
    for (let t = 0; t < 100 && left() > 0 && !start; t++) {
      const u = Float32Array.from({ length: size }, () => g.uniform());
      if ((await this.decide(oracle, u, i, label))[0]) start = u;
    }
    if (!start) return undefined;
    let current = await this.toBoundary(oracle, x, start, theta, i, label);
    for (let t = 1; left() > 2; t++) {
      const dist = lpNorm(current.map((v, k) => v - x[k]), 0, size, 'l2');
      const radius = t === 1 ? 0.1 : Math.sqrt(size) * theta * dist;
      const probes = Math.min(Math.floor(this.initialProbes * Math.sqrt(t)), left() - 2);
      if (probes < 2) break;
      const directions = new Float32Array(probes * size);
      const perturbed = new Float32Array(probes * size);
      for (let b = 0; b < probes; b++) {
        let n = 0;
        for (let k = 0; k < size; k++) { const v = g.normal(); directions[b * size + k] = v; n += v * v; }
        n = Math.sqrt(n);
        for (let k = 0; k < size; k++) {
          const p = clip01(current[k] + (radius * directions[b * size + k]) / n);
          perturbed[b * size + k] = p;
          directions[b * size + k] = (p - current[k]) / radius;
        }
      }
      const phi = (await this.decide(oracle, perturbed, i, label)).map((d) => (d ? 1 : -1));
      const mean = phi.reduce((a, b) => a + b, 0) / probes;
      const baseline = Math.abs(mean) === 1 ? 0 : mean;
      const grad = new Float64Array(size);
      for (let b = 0; b < probes; b++) for (let k = 0; k < size; k++) grad[k] += ((phi[b] - baseline) * directions[b * size + k]) / probes;
      const gn = hypotOf(grad) || 1;
      // Geometric step search: halve ξ until the step stays adversarial.
      let xi = dist / Math.sqrt(t);
      let next: Float32Array | undefined;
      while (left() > 1 && xi > 1e-8) {
        const candidate = current.map((v, k) => clip01(v + (xi * grad[k]) / gn));
        if ((await this.decide(oracle, candidate, i, label))[0]) { next = candidate; break; }
        xi /= 2;
      }
      if (!next || left() <= 0) break;
      current = await this.toBoundary(oracle, x, next, theta, i, label);
    }
    return current;
  }

  /** Binary search on the segment clean → adversarial for the boundary, returning the adversarial end. */
  private async toBoundary(oracle: Oracle, x: Float32Array, adversarial: Float32Array, theta: number, i: number, label: number): Promise<Float32Array> {
    let low = 0, high = 1;
    const blend = (a: number) => x.map((v, k) => (1 - a) * v + a * adversarial[k]);
    while (high - low > theta && this.budget - oracle.queries[i] > 0) {
      const mid = (low + high) / 2;
      if ((await this.decide(oracle, blend(mid), i, label))[0]) high = mid;
      else low = mid;
    }
    return blend(high);
  }
}

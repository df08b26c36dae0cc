// Square Attack (Andriushchenko et al., ECCV 2020): random search over square-shaped updates, accepted when the margin loss
// falls; score-based (logits only). L∞ (Algorithm 1): init with vertical stripes of ±ε, then set one random s×s window
// per channel to ±ε. L2 (Algorithm 3): init with ±"pseudo-Gaussian" blocks, then move the perturbation mass of a window W1
// (plus a fresh pseudo-Gaussian bump) into a new window, emptying a second window W2. The fraction p of pixels changed
// halves on the reference schedule at iterations 10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000. Spec and the original
// code (max-andr/square-attack, attack.py: p_init=0.8, resc_schedule=True): p_init 0.8 for both norms, 5,000 queries;
// alone the schedule is rescaled to the query budget, inside AutoAttack (autoattack/square.py) it is not.
import type { DifferentiableClassifier } from '../../model/differentiable.js';
import type { Rng } from '../../util/rng.js';
import { Oracle, Verdicts, argmax, checkBatch, chooseTargets, cleanLogits, finish, gather, isAdversarial, range, type Attack, type AttackResult, type RunOptions } from './attack.js';
import { margin } from './scores.js';
import { clip01, lpNorm, projectToThreat } from './threat.js';
import { hypotOf } from '../../util/array.js';

export interface SquareConfig {
  readonly norm?: 'linf' | 'l2';
  readonly eps: number;
  readonly queries?: number;
  readonly pInit?: number;
  readonly targeted?: boolean;
  /** Rescale the p schedule to the query budget (the original code's standalone default; AutoAttack turns it off). */
  readonly rescaleSchedule?: boolean;
}

/** p_init of the original code for L∞ and L2 (square-attack attack.py and AutoAttack's square.py). */
export const SQUARE_P_INIT = 0.8;

export function squareFraction(pInit: number, iteration: number, queries: number, rescale: boolean): number {
  const it = rescale ? Math.floor((iteration / queries) * 10000) : iteration;
  const halvings = [10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000].filter((t) => it > t).length;
  return pInit / 2 ** halvings;
}

/**
 * The L2 building block (paper Sec. 3.2 and its reference code): concentric squares around the centre of an
 * rows×cols rectangle, each adding 1/(k+1)² inside it, normalised to unit L2 norm.
 */
function pseudoGaussianRectangle(rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  const r0 = Math.floor(rows / 2), c0 = Math.floor(cols / 2);
  for (let k = 0; k < Math.max(r0 + 1, c0 + 1); k++) {
    for (let r = Math.max(r0 - k, 0); r < Math.min(r0 - k + 2 * k + 1, rows); r++)
      for (let c = Math.max(c0 - k, 0); c < Math.min(c0 - k + 2 * k + 1, cols); c++) out[r * cols + c] += 1 / (k + 1) ** 2;
  }
  const n = hypotOf(out) || 1;
  return out.map((v) => v / n);
}

/** The s×s update pattern: a pseudo-Gaussian bump in one half, its negative in the other, randomly transposed; unit norm. */
function metaPseudoGaussian(s: number, g: Rng): Float64Array {
  const top = pseudoGaussianRectangle(Math.floor(s / 2), s), bottom = pseudoGaussianRectangle(s - Math.floor(s / 2), s);
  const out = new Float64Array(s * s);
  out.set(top, 0);
  bottom.forEach((v, i) => (out[top.length + i] = -v));
  const n = hypotOf(out) || 1;
  const transpose = g.uniform() > 0.5;
  const result = new Float64Array(s * s);
  for (let r = 0; r < s; r++) for (let c = 0; c < s; c++) result[transpose ? c * s + r : r * s + c] = out[r * s + c] / n;
  return result;
}

export class Square implements Attack {
  readonly kind = 'score-based' as const;
  readonly minimumNorm = false;
  readonly name: string;
  readonly norm: 'linf' | 'l2';
  readonly eps: number;
  readonly settings: Readonly<Record<string, number | string | boolean>>;
  private readonly c: Required<Omit<SquareConfig, 'norm' | 'eps'>>;

  constructor(readonly model: DifferentiableClassifier, { norm = 'linf', eps, queries = 5000, pInit = SQUARE_P_INIT, targeted = false, rescaleSchedule = true }: SquareConfig) {
    this.name = 'square';
    this.norm = norm;
    this.eps = eps;
    this.c = { queries, pInit, targeted, rescaleSchedule };
    this.settings = { attack: this.name, norm, eps, ...this.c };
  }

  async run(images: Float32Array, labels: Int32Array, batch: number, rngs: readonly Rng[], options: RunOptions = {}): Promise<AttackResult> {
    checkBatch(this.model, images, labels, batch, rngs);
    const oracle = new Oracle(this.model, batch);
    const [channels, height, width] = this.model.inputShape;
    const size = oracle.size, classes = this.model.numClasses, eps = this.eps;
    const targets = this.c.targeted ? chooseTargets(labels, classes, rngs, options.targets) : undefined;
    const clean = await cleanLogits(oracle, images, batch, options);
    const adversarial = images.slice();
    // Every image the attack keeps is one a logits call saw, so the verdict needs no forward pass of its own.
    const verdicts = new Verdicts(batch, classes);
    for (let i = 0; i < batch; i++) verdicts.set(i, clean, i);
    let active = range(batch).filter((i) => !isAdversarial(argmax(clean, i, classes), labels[i], targets?.[i]));
    const at = (c: number, r: number, q: number) => c * height * width + r * width + q;
    // Initialisation.
    for (const i of active) {
      const o = i * size, g = rngs[i];
      if (this.norm === 'linf') {
        for (let c = 0; c < channels; c++) for (let q = 0; q < width; q++) {
          const v = g.uniform() < 0.5 ? -eps : eps;
          for (let r = 0; r < height; r++) adversarial[o + at(c, r, q)] = clip01(images[o + at(c, r, q)] + v);
        }
      } else {
        // A grid of ±meta-pseudo-Gaussian blocks of side h/5 (random sign per block and channel), scaled to norm ε.
        const s = Math.max(1, Math.floor(height / 5));
        const offset = Math.floor((height - 5 * s) / 2);
        for (let r0 = offset; r0 + s <= height; r0 += s) for (let q0 = offset; q0 + s <= width; q0 += s) {
          const bump = metaPseudoGaussian(s, g);
          for (let c = 0; c < channels; c++) {
            const sign = g.uniform() < 0.5 ? -1 : 1;
            for (let r = 0; r < s; r++) for (let q = 0; q < s; q++) adversarial[o + at(c, r0 + r, q0 + q)] += sign * bump[r * s + q];
          }
        }
        const d = adversarial.subarray(o, o + size).map((v, k) => v - images[o + k]);
        const n = lpNorm(d, 0, size, 'l2') || 1;
        for (let k = 0; k < size; k++) adversarial[o + k] = clip01(images[o + k] + (d[k] * eps) / n);
      }
    }
    const loss = new Float64Array(batch);
    let logits: Float32Array = await oracle.logits(gather(adversarial, active, size), active);
    active = active.filter((i, k) => {
      verdicts.set(i, logits, k);
      loss[i] = margin(logits, k, classes, labels[i], targets?.[i]);
      return !isAdversarial(argmax(logits, k, classes), labels[i], targets?.[i]);
    });
    for (let iteration = 1; iteration < this.c.queries && active.length > 0; iteration++) {
      const p = squareFraction(this.c.pInit, iteration, this.c.queries, this.c.rescaleSchedule);
      const candidates = new Float32Array(active.length * size);
      active.forEach((i, k) => candidates.set(this.norm === 'linf' ? this.linfProposal(images, adversarial, i, p, rngs[i]) : this.l2Proposal(images, adversarial, i, p, rngs[i]), k * size));
      logits = await oracle.logits(candidates, active);
      const keep: number[] = [];
      active.forEach((i, k) => {
        const m = margin(logits, k, classes, labels[i], targets?.[i]);
        if (m < loss[i]) {
          loss[i] = m;
          adversarial.set(candidates.subarray(k * size, (k + 1) * size), i * size);
          verdicts.set(i, logits, k);
          if (isAdversarial(argmax(logits, k, classes), labels[i], targets?.[i])) return;
        }
        keep.push(i);
      });
      active = Int32Array.from(keep);
    }
    return finish(oracle, images, adversarial, labels, batch, this.norm, { targets, verdicts });
  }

  private windowSide(p: number, minimum: number): number {
    const [, height] = this.model.inputShape;
    return Math.min(height - 1, Math.max(minimum, Math.round(Math.sqrt(p * height * this.model.inputShape[2]))));
  }

  /** L∞: a random s×s window set to ±ε per channel (redrawn if it would change nothing). */
  private linfProposal(images: Float32Array, current: Float32Array, i: number, p: number, g: Rng): Float32Array {
    const [channels, height, width] = this.model.inputShape;
    const size = channels * height * width, o = i * size;
    const s = Math.max(1, this.windowSide(p, 1));
    const x = current.slice(o, o + size);
    // Any window position, last row and column included (the reference code's randint(0, h − s) never reaches them).
    const r0 = g.int(height - s + 1), q0 = g.int(width - s + 1);
    for (let attempt = 0; attempt < 10; attempt++) {
      let changed = false;
      for (let c = 0; c < channels; c++) {
        const v = g.uniform() < 0.5 ? -this.eps : this.eps;
        for (let r = r0; r < r0 + s; r++) for (let q = q0; q < q0 + s; q++) {
          const k = c * height * width + r * width + q;
          const nv = clip01(images[o + k] + v);
          if (Math.abs(nv - x[k]) > 1e-7) changed = true;
          x[k] = nv;
        }
      }
      if (changed) break;
    }
    return x;
  }

  /**
   * L2: a fresh ±meta-pseudo-Gaussian in window W1 plus W1's current mass, scaled per channel to take the budget left
   * over plus the mass of W1 ∪ W2; W2 is emptied; the whole perturbation is then rescaled to norm ε and clipped.
   */
  private l2Proposal(images: Float32Array, current: Float32Array, i: number, p: number, g: Rng): Float32Array {
    const [channels, height, width] = this.model.inputShape;
    const size = channels * height * width, o = i * size, plane = height * width;
    let s = this.windowSide(p, 3);
    if (s % 2 === 0) s += 1;
    s = Math.min(s, height - 1);
    const delta = new Float64Array(size);
    for (let k = 0; k < size; k++) delta[k] = current[o + k] - images[o + k];
    const r1 = g.int(height - s + 1), q1 = g.int(width - s + 1);
    const r2 = g.int(height - s + 1), q2 = g.int(width - s + 1);
    const inW1 = (r: number, q: number) => r >= r1 && r < r1 + s && q >= q1 && q < q1 + s;
    const inW2 = (r: number, q: number) => r >= r2 && r < r2 + s && q >= q2 && q < q2 + s;
    const total = hypotOf(delta);
    const bump = metaPseudoGaussian(s, g);
    for (let c = 0; c < channels; c++) {
      let w1 = 0, both = 0;
      for (let r = 0; r < height; r++) for (let q = 0; q < width; q++) {
        const v = delta[c * plane + r * width + q];
        if (inW1(r, q)) w1 += v * v;
        if (inW1(r, q) || inW2(r, q)) both += v * v;
      }
      const sign = g.uniform() < 0.5 ? -1 : 1;
      const fresh = new Float64Array(s * s);
      for (let r = 0; r < s; r++) for (let q = 0; q < s; q++) fresh[r * s + q] = sign * bump[r * s + q] + delta[c * plane + (r1 + r) * width + q1 + q] / (Math.sqrt(w1) + 1e-10);
      const target = Math.sqrt(Math.max(this.eps ** 2 - total ** 2, 0) / channels + both);
      const fn = hypotOf(fresh) || 1;
      for (let r = 0; r < height; r++) for (let q = 0; q < width; q++) if (inW2(r, q)) delta[c * plane + r * width + q] = 0;
      for (let r = 0; r < s; r++) for (let q = 0; q < s; q++) delta[c * plane + (r1 + r) * width + q1 + q] = (fresh[r * s + q] * target) / fn;
    }
    const dn = hypotOf(delta) || 1;
    const x = new Float32Array(size);
    for (let k = 0; k < size; k++) x[k] = clip01(images[o + k] + (delta[k] * this.eps) / dn);
    return x;
  }
}

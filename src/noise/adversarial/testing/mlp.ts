// A pure-TypeScript differentiable classifier for tests: z = W2·tanh(W1·x + b1) + b2 on tiny images,
// with analytic input gradients for every loss head of ../shared/spec/adversarial.md.
// Sign convention (ascent = more adversarial, except the two plain cross-entropies):
//   ce: CE(z, y)             ce-targeted: CE(z, t) (to be minimised)
//   cw: max_{j≠y} z_j − z_y (min(·, κ) when κ is given)
//   dlr: −(z_y − max_{j≠y} z_j)/(z_π1 − z_π3 + 1e-12)
//   dlr-targeted: −(z_y − z_t)/(z_π1 − (z_π3 + z_π4)/2 + 1e-12)
//   logit: z_t
import type { DifferentiableClassifier, LossAndGradient, LossSpec } from '../../../model/differentiable.js';
import { Rng } from '../../../util/rng.js';
import { maxOf } from '../../../util/array.js';

export interface MlpOptions {
  /** Adds N(0, σ²) to the logits on every call: a randomised defence, for the masking checks. */
  readonly logitNoise?: { sigma: number; rng: Rng };
  /** Returns softmax probabilities instead of logits, for the masking checks. */
  readonly softmaxOutput?: boolean;
  /** Reports zero input gradients (a shattered-gradient defence), for the masking checks. */
  readonly zeroGradient?: boolean;
}

export class MlpClassifier implements DifferentiableClassifier {
  readonly inputShape: readonly [number, number, number];
  readonly numClasses: number;
  readonly hidden: number;
  constructor(
    shape: readonly [number, number, number], classes: number, hidden: number,
    readonly w1: Float64Array, readonly b1: Float64Array, readonly w2: Float64Array, readonly b2: Float64Array,
    readonly options: MlpOptions = {},
  ) {
    this.inputShape = shape;
    this.numClasses = classes;
    this.hidden = hidden;
  }

  get size(): number {
    return this.inputShape[0] * this.inputShape[1] * this.inputShape[2];
  }

  withOptions(options: MlpOptions): MlpClassifier {
    return new MlpClassifier(this.inputShape, this.numClasses, this.hidden, this.w1, this.b1, this.w2, this.b2, options);
  }

  /** Hidden activations and logits of one sample (float64). */
  forwardOne(x: Float32Array, offset: number): { h: Float64Array; z: Float64Array } {
    const { size, hidden, numClasses: k } = this;
    const h = new Float64Array(hidden);
    for (let j = 0; j < hidden; j++) {
      let a = this.b1[j];
      for (let i = 0; i < size; i++) a += this.w1[j * size + i] * x[offset + i];
      h[j] = Math.tanh(a);
    }
    const z = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      let a = this.b2[c];
      for (let j = 0; j < hidden; j++) a += this.w2[c * hidden + j] * h[j];
      z[c] = a;
    }
    return { h, z };
  }

  async logits(images: Float32Array, batch: number): Promise<Float32Array> {
    const k = this.numClasses;
    const out = new Float32Array(batch * k);
    for (let n = 0; n < batch; n++) out.set(this.outputOf(this.forwardOne(images, n * this.size).z), n * k);
    return out;
  }

  private outputOf(z: Float64Array): Float64Array {
    let out = z;
    if (this.options.logitNoise) out = out.map((v) => v + this.options.logitNoise!.rng.normal(0, this.options.logitNoise!.sigma));
    if (this.options.softmaxOutput) out = softmax(out);
    return out;
  }

  async lossAndGradient(images: Float32Array, batch: number, labels: Int32Array, loss: LossSpec): Promise<LossAndGradient> {
    const { size, hidden, numClasses: k } = this;
    const lossOut = new Float32Array(batch);
    const gradient = new Float32Array(batch * size);
    const logits = new Float32Array(batch * k);
    for (let n = 0; n < batch; n++) {
      const { h, z } = this.forwardOne(images, n * size);
      logits.set(this.outputOf(z), n * k);
      const { value, dz } = lossHead(z, labels[n], loss, n);
      lossOut[n] = value;
      if (this.options.zeroGradient) continue;
      for (let j = 0; j < hidden; j++) {
        let gh = 0;
        for (let c = 0; c < k; c++) gh += this.w2[c * hidden + j] * dz[c];
        const ga = gh * (1 - h[j] * h[j]);
        if (ga === 0) continue;
        for (let i = 0; i < size; i++) gradient[n * size + i] += ga * this.w1[j * size + i];
      }
    }
    return { loss: lossOut, gradient, logits };
  }
}

export function softmax(z: Float64Array): Float64Array {
  const m = maxOf(z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Indices of z sorted by value, descending. */
function order(z: Float64Array): number[] {
  return Array.from(z.keys()).sort((a, b) => z[b] - z[a]);
}

function maxOther(z: Float64Array, y: number): number {
  let best = -1;
  for (let j = 0; j < z.length; j++) if (j !== y && (best < 0 || z[j] > z[best])) best = j;
  return best;
}

/** Value and dloss/dz of one loss head on one sample's logits. */
export function lossHead(z: Float64Array, y: number, loss: LossSpec, n: number): { value: number; dz: Float64Array } {
  const k = z.length;
  const dz = new Float64Array(k);
  const t = loss.targets?.[n] ?? -1;
  switch (loss.kind) {
    case 'ce':
    case 'ce-targeted': {
      const cls = loss.kind === 'ce' ? y : t;
      const p = softmax(z);
      for (let c = 0; c < k; c++) dz[c] = p[c] - (c === cls ? 1 : 0);
      return { value: -Math.log(Math.max(p[cls], 1e-300)), dz };
    }
    case 'cw': {
      const m = maxOther(z, y);
      const margin = z[m] - z[y];
      if (loss.kappa !== undefined && margin >= loss.kappa) return { value: loss.kappa, dz };
      dz[m] = 1;
      dz[y] = -1;
      return { value: margin, dz };
    }
    case 'dlr': {
      const pi = order(z);
      const m = maxOther(z, y);
      const num = z[y] - z[m];
      const den = z[pi[0]] - z[pi[2]] + 1e-12;
      dz[y] -= 1 / den;
      dz[m] += 1 / den;
      dz[pi[0]] += num / (den * den);
      dz[pi[2]] -= num / (den * den);
      return { value: -num / den, dz };
    }
    case 'dlr-targeted': {
      const pi = order(z);
      const num = z[y] - z[t];
      const den = z[pi[0]] - (z[pi[2]] + z[pi[3]]) / 2 + 1e-12;
      dz[y] -= 1 / den;
      dz[t] += 1 / den;
      dz[pi[0]] += num / (den * den);
      dz[pi[2]] -= num / (2 * den * den);
      dz[pi[3]] -= num / (2 * den * den);
      return { value: -num / den, dz };
    }
    case 'logit':
      dz[t] = 1;
      return { value: z[t], dz };
  }
}

// SGD with momentum and L2 weight decay (torch.optim.SGD semantics), and a cosine
// learning-rate schedule with linear warm-up (Loshchilov & Hutter 2017, SGDR without restarts).
export interface SgdConfig {
  readonly learningRate: number;
  readonly momentum: number;
  readonly weightDecay: number;
}

/** torch.optim.SGD: g' = g + wd·w; buf = μ·buf + g'; w -= lr·buf (buf = g' on the first step). */
export class Sgd {
  private readonly buffers = new Map<string, Float32Array>();

  constructor(readonly config: SgdConfig) {}

  /** Updates `weights` in place; `gradScale` multiplies the gradient (e.g. 1/batch for a mean loss); no decay when `decay` is false. */
  step(name: string, weights: Float32Array, gradient: Float32Array, learningRate: number, gradScale: number, decay: boolean): void {
    const { momentum } = this.config;
    const wd = decay ? this.config.weightDecay : 0;
    let buf = this.buffers.get(name);
    const first = !buf;
    if (!buf) {
      buf = new Float32Array(weights.length);
      this.buffers.set(name, buf);
    }
    for (let i = 0; i < weights.length; i++) {
      const g = gradient[i] * gradScale + wd * weights[i];
      const b = first ? g : momentum * buf[i] + g;
      buf[i] = b;
      weights[i] -= learningRate * b;
    }
  }
}

/** Learning rate at `step` of `total`: linear warm-up over `warmup` steps, then half-cosine to 0. */
export function cosineLearningRate(base: number, step: number, total: number, warmup = 0): number {
  if (step < warmup) return (base * (step + 1)) / warmup;
  const t = (step - warmup) / Math.max(1, total - warmup);
  return 0.5 * base * (1 + Math.cos(Math.PI * Math.min(1, t)));
}

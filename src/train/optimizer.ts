// Optimizers over named Float32Array parameters, with torch.optim semantics so recipes carry over:
// SGD (momentum, Nesterov; L2 decay added to the gradient) and AdamW (decoupled decay, Loshchilov &
// Hutter 2019). Parameters excluded from decay ("no_wd" in RobustART/timm: biases and norm parameters)
// are chosen by the caller per parameter.

export interface SgdSettings {
  readonly kind: 'sgd';
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
}

export interface AdamWSettings {
  readonly kind: 'adamw';
  /** torch.optim.AdamW defaults β = (0.9, 0.999), ε = 1e-8. */
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
}

export type OptimizerSettings = SgdSettings | AdamWSettings;

/** Serialisable optimizer state (buffers by parameter name), for checkpoints. */
export interface OptimizerState {
  readonly steps: Record<string, number>;
  readonly buffers: Record<string, Float32Array[]>;
}

export interface Optimizer {
  /**
   * Updates `weights` in place from the averaged gradient `gradient[i] / rows` (a summed gradient and its row count,
   * averaged in the same pass as the update; default 1: already averaged); `decay` false leaves it out of weight decay.
   */
  step(name: string, weights: Float32Array, gradient: Float32Array, learningRate: number, decay: boolean, rows?: number): void;
  state(): OptimizerState;
  restore(state: OptimizerState): void;
}

export function createOptimizer(settings: OptimizerSettings): Optimizer {
  return settings.kind === 'sgd' ? new Sgd(settings) : new AdamW(settings);
}

abstract class BufferedOptimizer implements Optimizer {
  protected readonly buffers = new Map<string, Float32Array[]>();
  protected readonly steps = new Map<string, number>();

  protected buffersFor(name: string, length: number, count: number): Float32Array[] {
    let b = this.buffers.get(name);
    if (!b) {
      b = Array.from({ length: count }, () => new Float32Array(length));
      this.buffers.set(name, b);
    }
    return b;
  }

  abstract step(name: string, weights: Float32Array, gradient: Float32Array, learningRate: number, decay: boolean, rows?: number): void;

  state(): OptimizerState {
    return {
      steps: Object.fromEntries(this.steps),
      buffers: Object.fromEntries([...this.buffers].map(([k, v]) => [k, v.map((b) => b.slice())])),
    };
  }

  restore(state: OptimizerState): void {
    this.steps.clear();
    this.buffers.clear();
    for (const [k, v] of Object.entries(state.steps)) this.steps.set(k, v);
    for (const [k, v] of Object.entries(state.buffers)) this.buffers.set(k, v.map((b) => Float32Array.from(b)));
  }
}

/** torch.optim.SGD: g' = g + wd·w; buf = μ·buf + g' (buf = g' at the first step); step = g' + μ·buf (Nesterov) or buf. */
export class Sgd extends BufferedOptimizer {
  constructor(readonly settings: SgdSettings) {
    super();
  }

  step(name: string, weights: Float32Array, gradient: Float32Array, learningRate: number, decay: boolean, rows = 1): void {
    const { momentum, nesterov } = this.settings;
    const wd = decay ? this.settings.weightDecay : 0;
    const t = (this.steps.get(name) ?? 0) + 1;
    this.steps.set(name, t);
    const [buf] = this.buffersFor(name, weights.length, 1);
    for (let i = 0; i < weights.length; i++) {
      const g = Math.fround(gradient[i] / rows) + wd * weights[i];
      const b = t === 1 ? g : momentum * buf[i] + g;
      buf[i] = b;
      weights[i] -= learningRate * (nesterov ? g + momentum * b : b);
    }
  }
}

/** torch.optim.AdamW: w -= lr·wd·w; m, v moments with bias correction; w -= lr·m̂ / (√v̂ + ε). */
export class AdamW extends BufferedOptimizer {
  constructor(readonly settings: AdamWSettings) {
    super();
  }

  step(name: string, weights: Float32Array, gradient: Float32Array, learningRate: number, decay: boolean, rows = 1): void {
    const { beta1, beta2, eps } = this.settings;
    const wd = decay ? this.settings.weightDecay : 0;
    const t = (this.steps.get(name) ?? 0) + 1;
    this.steps.set(name, t);
    const [m, v] = this.buffersFor(name, weights.length, 2);
    const c1 = 1 - beta1 ** t;
    const c2 = Math.sqrt(1 - beta2 ** t);
    for (let i = 0; i < weights.length; i++) {
      const g = Math.fround(gradient[i] / rows);
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      weights[i] -= learningRate * wd * weights[i];
      weights[i] -= (learningRate * (m[i] / c1)) / (Math.sqrt(v[i]) / c2 + eps);
    }
  }
}

/**
 * timm's no_weight_decay rule (optim_factory.param_groups_weight_decay): 1-d parameters (biases,
 * norm scales and shifts) and explicitly named ones are not decayed.
 */
export function decays(dims: readonly number[], name: string, exclude: readonly RegExp[] = []): boolean {
  return dims.length > 1 && !exclude.some((r) => r.test(name));
}

/** Whether each parameter is decayed: `decays` under noWeightDecay, otherwise every parameter not named in noWeightDecayNames. */
export function weightDecayFlags(parameters: readonly string[], dims: ReadonlyMap<string, readonly number[]>, config: { readonly noWeightDecay?: boolean; readonly noWeightDecayNames?: readonly RegExp[] }): Map<string, boolean> {
  const excluded = config.noWeightDecayNames ?? [];
  return new Map(parameters.map((name) => [name, config.noWeightDecay ? decays(dims.get(name)!, name, excluded) : !excluded.some((r) => r.test(name))]));
}

/** torch.nn.utils.clip_grad_norm_: scales all gradients by min(1, maxNorm / (‖g‖₂ + 1e-6)); returns the norm before clipping. */
export function clipGradientNorm(gradients: readonly Float32Array[], maxNorm: number): number {
  let sq = 0;
  for (const g of gradients) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  const norm = Math.sqrt(sq);
  const scale = maxNorm / (norm + 1e-6);
  if (scale < 1) for (const g of gradients) for (let i = 0; i < g.length; i++) g[i] *= scale;
  return norm;
}

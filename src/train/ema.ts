// Exponential moving average of the weights (timm ModelEmaV2; RobustART's EMA hook): after every step
// ema = decay·ema + (1 − decay)·w over every state tensor, BatchNorm running statistics included, so the
// averaged model evaluates and exports as a whole.

export class WeightEma {
  readonly shadow = new Map<string, Float32Array>();

  constructor(readonly decay: number, weights: ReadonlyMap<string, Float32Array>) {
    for (const [name, w] of weights) this.shadow.set(name, w.slice());
  }

  update(weights: ReadonlyMap<string, Float32Array>): void {
    const d = this.decay;
    for (const [name, e] of this.shadow) {
      const w = weights.get(name)!;
      for (let i = 0; i < e.length; i++) e[i] = d * e[i] + (1 - d) * w[i];
    }
  }
}

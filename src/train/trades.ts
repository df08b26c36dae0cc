// TRADES (Zhang et al. 2019, "Theoretically Principled Trade-off between Robustness and Accuracy"):
//   inner maximisation   x' = argmax_{‖x' − x‖∞ ≤ ε} KL(f(x) ‖ f(x')), by signed-gradient ascent from
//                        x + 0.001·N(0, I), each step clipped to the ε-ball and to [0,1], model in eval mode;
//   training loss        CE(f(x), y) + β · KL(f(x) ‖ f(x')) averaged over the batch ("batchmean"),
//                        with the gradient flowing through both f(x) and f(x').
// Reference: yaodongyu/TRADES trades.py (KLDivLoss summed, divided by the batch size; start
// 0.001·randn) and train_trades_cifar10.py (ε 0.031, step 0.007, 10 steps, β 6 = 1/λ).
import type { Rng } from '../util/rng.js';
import type { AdversarialSettings } from './adversarial.js';

/** The reference's CIFAR-10 defaults (train_trades_cifar10.py). */
export const TRADES_DEFAULTS = { eps: 0.031, stepSize: 0.007, steps: 10, beta: 6 } as const;
/** Standard deviation of the Gaussian start around x (trades.py: 0.001·torch.randn). */
export const TRADES_START_STD = 0.001;

export type TradesSettings = Pick<AdversarialSettings, 'eps' | 'steps' | 'stepSize'>;

/** The model as the inner maximisation needs it, on [0,1] pixels in eval mode. */
export interface SoftTargetOracle {
  /** softmax(f(x)) per sample, [batch, classes]. */
  probabilities(images: Float32Array, batch: number): Promise<Float32Array>;
  /** ∇ₓ Σₙ −Σₖ qₙₖ·log softmax(f(xₙ))ₖ: KL(q ‖ f(x)) plus a constant in x. */
  softTargetGradient(images: Float32Array, batch: number, targets: Float32Array): Promise<Float32Array>;
}

/** TRADES' adversarial examples; `rngs[n]` is sample n's own stream (its Gaussian start). */
export async function tradesExamples(model: SoftTargetOracle, settings: TradesSettings, images: Float32Array, rngs: readonly Rng[]): Promise<Float32Array> {
  const batch = rngs.length;
  const size = images.length / batch;
  const clean = await model.probabilities(images, batch);
  const adversarial = new Float32Array(images.length);
  for (let n = 0; n < batch; n++) for (let i = n * size; i < (n + 1) * size; i++) adversarial[i] = images[i] + TRADES_START_STD * rngs[n].normal();
  for (let step = 0; step < settings.steps; step++) {
    const gradient = await model.softTargetGradient(adversarial, batch, clean);
    for (let i = 0; i < adversarial.length; i++) {
      const moved = adversarial[i] + settings.stepSize * Math.sign(gradient[i]);
      const inBall = Math.min(Math.max(moved, images[i] - settings.eps), images[i] + settings.eps);
      adversarial[i] = Math.min(Math.max(inBall, 0), 1);
    }
  }
  return adversarial;
}

/**
 * The TRADES loss per sample, CE(z, y) + β·KL(softmax(z) ‖ softmax(z')), from clean logits z and
 * adversarial logits z' — the definition the training head is checked against.
 */
export function tradesLoss(clean: Float32Array, adversarial: Float32Array, labels: ArrayLike<number>, classes: number, beta: number): Float64Array {
  const logSoftmax = (z: Float32Array, o: number) => {
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, z[o + k]);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += Math.exp(z[o + k] - max);
    return Array.from({ length: classes }, (_, k) => z[o + k] - max - Math.log(sum));
  };
  const out = new Float64Array(labels.length);
  for (let n = 0; n < labels.length; n++) {
    const p = logSoftmax(clean, n * classes);
    const q = logSoftmax(adversarial, n * classes);
    let kl = 0;
    for (let k = 0; k < classes; k++) kl += Math.exp(p[k]) * (p[k] - q[k]);
    out[n] = -p[labels[n]] + beta * kl;
  }
  return out;
}

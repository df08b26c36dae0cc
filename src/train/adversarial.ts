// Adversarial training's view of the model being trained: a DifferentiableClassifier over the current
// weights in eval mode (BatchNorm on running statistics, as RobustART makes its examples), so robustart's
// own attack code (PGD) makes the training examples. Inputs are [0,1] pixels; the normalisation the
// trainer applies is differentiated here by hand (∂x̂/∂x = 1/std per channel).
import type { DifferentiableClassifier, LossAndGradient, LossSpec } from '../model/differentiable.js';
import type { OrtSession } from '../onnx/runtime.js';
import { createSession, tensor } from '../onnx/runtime.js';
import { LABELS_INPUT, LOSS_OUTPUT } from '../autodiff/loss-heads.js';
import { buildGradientGraph, gradientOutputName, type PreparedModel } from '../autodiff/gradient.js';
import { PGD } from '../noise/adversarial/pgd.js';
import { rngFor, type Rng } from '../util/rng.js';
import { RobustartError } from '../errors.js';
import type { SoftTargetOracle } from './trades.js';
import { softmaxAtTemperature } from './targets.js';
import { softTargetHead, SOFT_TARGETS_INPUT } from './loss-head.js';

export interface Normalization {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** (x − mean_c) / std_c over a NCHW batch with `plane` = H·W. */
export function normalizeBatch(images: Float32Array, channels: number, plane: number, norm: Normalization): Float32Array {
  const out = new Float32Array(images.length);
  for (let o = 0; o < images.length; o += plane) {
    const c = (o / plane) % channels;
    const m = norm.mean[c];
    const inv = 1 / norm.std[c];
    for (let i = o; i < o + plane; i++) out[i] = (images[i] - m) * inv;
  }
  return out;
}

export interface AdversarialSettings {
  readonly eps: number;
  readonly steps: number;
  readonly stepSize: number;
  readonly randomStart: boolean;
}

/** Evaluation sessions over live weights: `forward` gives logits, `gradient` logits, CE loss and input gradient. */
export interface EvalSessions {
  readonly inputName: string;
  readonly logitsName: string;
  readonly lossName: string;
  readonly inputGradientName: string;
  readonly forward: OrtSession;
  readonly gradient: OrtSession;
  /** Current weight feeds (running statistics included). */
  feeds(): Record<string, ReturnType<typeof tensor>>;
  /** Input gradient of the soft-target cross-entropy (TRADES' inner maximisation), when built. */
  readonly softTarget?: { readonly session: OrtSession; readonly targetsName: string; readonly inputGradientName: string };
}

export class LiveClassifier implements DifferentiableClassifier, SoftTargetOracle {
  private readonly plane: number;

  constructor(
    readonly inputShape: readonly [number, number, number],
    readonly numClasses: number,
    private readonly sessions: EvalSessions,
    private readonly normalization: Normalization,
  ) {
    this.plane = inputShape[1] * inputShape[2];
  }

  private normalized(images: Float32Array): Float32Array {
    return normalizeBatch(images, this.inputShape[0], this.plane, this.normalization);
  }

  async logits(images: Float32Array, batch: number): Promise<Float32Array> {
    const s = this.sessions;
    const out = await s.forward.run({ [s.inputName]: tensor('float32', this.normalized(images), [batch, ...this.inputShape]), ...s.feeds() });
    return out[s.logitsName].data as Float32Array;
  }

  async lossAndGradient(images: Float32Array, batch: number, labels: Int32Array, loss: LossSpec): Promise<LossAndGradient> {
    if (loss.kind !== 'ce') throw new RobustartError(`adversarial training makes examples with the ce loss, not ${loss.kind}`);
    const s = this.sessions;
    const out = await s.gradient.run({
      [s.inputName]: tensor('float32', this.normalized(images), [batch, ...this.inputShape]),
      [LABELS_INPUT]: tensor('int64', BigInt64Array.from(labels, (l) => BigInt(l)), [batch]),
      ...s.feeds(),
    });
    const gradient = Float32Array.from(out[s.inputGradientName].data as Float32Array);
    return { loss: out[s.lossName].data as Float32Array, gradient: this.toPixelGradient(gradient), logits: out[s.logitsName].data as Float32Array };
  }

  async probabilities(images: Float32Array, batch: number): Promise<Float32Array> {
    return softmaxAtTemperature(await this.logits(images, batch), this.numClasses, 1);
  }

  async softTargetGradient(images: Float32Array, batch: number, targets: Float32Array): Promise<Float32Array> {
    const s = this.sessions;
    if (!s.softTarget) throw new RobustartError('this classifier was built without the soft-target gradient session');
    const out = await s.softTarget.session.run({
      [s.inputName]: tensor('float32', this.normalized(images), [batch, ...this.inputShape]),
      [s.softTarget.targetsName]: tensor('float32', targets, [batch, this.numClasses]),
      ...s.feeds(),
    });
    return this.toPixelGradient(Float32Array.from(out[s.softTarget.inputGradientName].data as Float32Array));
  }

  /** ∂/∂pixel = ∂/∂x̂ · 1/std_c (in place). */
  private toPixelGradient(gradient: Float32Array): Float32Array {
    const c = this.inputShape[0];
    for (let i = 0; i < gradient.length; i++) gradient[i] /= this.normalization.std[Math.floor(i / this.plane) % c];
    return gradient;
  }
}

export interface LiveClassifierOptions {
  /** Also build the soft-target input gradient TRADES' inner maximisation needs. */
  readonly trades: boolean;
  readonly threads?: number;
  /** The current weight feeds of `prepared`'s graph inputs besides the image. */
  readonly feeds: () => Record<string, ReturnType<typeof tensor>>;
  readonly normalization: Normalization;
}

/**
 * The classifier adversarial training attacks: `prepared`'s graph (weights as graph inputs) run by
 * `forward` for logits, plus the input-gradient sessions built here (CE, and soft-target CE for TRADES).
 */
export async function openLiveClassifier(prepared: PreparedModel, forward: OrtSession, options: LiveClassifierOptions): Promise<{ readonly model: LiveClassifier; release(): Promise<void> }> {
  const inputGradientName = gradientOutputName(prepared.inputName);
  const ce = await buildGradientGraph({ ...prepared, graph: prepared.graph.clone() }, { loss: 'ce', input: true });
  ce.graph.outputs = ce.graph.outputs.filter((o) => o.name !== undefined);
  const gradient = await createSession(ce.graph, { intraOpThreads: options.threads }, 'adversarial example graph');
  let softTarget: OrtSession | undefined;
  if (options.trades) {
    const kl = await buildGradientGraph({ ...prepared, graph: prepared.graph.clone() }, { loss: softTargetHead(), input: true });
    softTarget = await createSession(kl.graph, { intraOpThreads: options.threads }, 'TRADES example graph');
  }
  const imageShape = prepared.shapes.get(prepared.inputName)!.dims.slice(1) as [number, number, number];
  const model = new LiveClassifier(imageShape, prepared.numClasses, {
    inputName: prepared.inputName, logitsName: prepared.logitsName, lossName: LOSS_OUTPUT, inputGradientName,
    forward, gradient, feeds: options.feeds,
    softTarget: softTarget ? { session: softTarget, targetsName: SOFT_TARGETS_INPUT, inputGradientName } : undefined,
  }, options.normalization);
  return {
    model,
    async release() {
      await gradient.release();
      await softTarget?.release();
    },
  };
}

/**
 * PGD-L∞ examples for training (Madry et al. 2018): every step runs (no early stop), so each example is
 * the last iterate as in RobustART's foolbox-based maker; `sampleKeys` key each sample's random start.
 */
export async function adversarialExamples(model: DifferentiableClassifier, settings: AdversarialSettings, images: Float32Array, labels: Int32Array, rng: Rng, sampleKeys: ArrayLike<number>): Promise<Float32Array> {
  const attack = new PGD(model, { norm: 'linf', eps: settings.eps, steps: settings.steps, stepSize: settings.stepSize, randomStart: settings.randomStart, earlyStop: false });
  // One stream per sample, keyed by its key under this batch's generator: a start never depends on batch order.
  const rngs = Array.from(sampleKeys, (key) => rngFor(rng.seed, key));
  const result = await attack.run(images, labels, labels.length, rngs);
  return result.adversarial;
}

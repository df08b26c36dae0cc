// The contract between models and white-box attacks: logits, and the gradient of a loss head
// with respect to the input pixels, on batches in [0,1] pixel space (normalisation lives inside the model).

/** Loss heads of ../shared/spec/adversarial.md ("Loss heads"). */
export type LossKind = 'ce' | 'ce-targeted' | 'cw' | 'dlr' | 'dlr-targeted' | 'logit';

export interface LossSpec {
  readonly kind: LossKind;
  /** Target class per sample, for targeted heads and 'logit'. */
  readonly targets?: Int32Array;
  /** C&W confidence κ: the margin is clamped at −κ. */
  readonly kappa?: number;
}

export interface LossAndGradient {
  /** Per-sample loss, length batch. */
  readonly loss: Float32Array;
  /** d loss_i / d x_i, same layout as the input (N,C,H,W). */
  readonly gradient: Float32Array;
  /** Logits, N × numClasses. */
  readonly logits: Float32Array;
}

export interface DifferentiableClassifier {
  /** Input shape without the batch dimension: [channels, height, width]. */
  readonly inputShape: readonly [number, number, number];
  readonly numClasses: number;
  /** Logits for a batch of N images laid out N,C,H,W in [0,1]. */
  logits(images: Float32Array, batch: number): Promise<Float32Array>;
  /** Per-sample loss and its input gradient. `labels` are the true classes. */
  lossAndGradient(images: Float32Array, batch: number, labels: Int32Array, loss: LossSpec): Promise<LossAndGradient>;
}

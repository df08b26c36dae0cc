// Clean-accuracy metrics from per-sample predictions: top-1/top-5, NLL, ECE, per-class accuracy.

/** What one evaluated image leaves behind (the unit every metric is computed from). */
export interface Prediction {
  readonly label: number;
  /** Up to five class indices, most likely first. */
  readonly top5: readonly number[];
  /** Softmax probability of top5[0]. */
  readonly confidence: number;
  /** Softmax probability of the true label. */
  readonly trueProbability: number;
}

/** Numerically stable softmax of one row of logits. */
export function softmax(logits: ArrayLike<number>, offset = 0, length = logits.length): Float64Array {
  let max = -Infinity;
  for (let j = 0; j < length; j++) max = Math.max(max, logits[offset + j]);
  const out = new Float64Array(length);
  let sum = 0;
  for (let j = 0; j < length; j++) sum += out[j] = Math.exp(logits[offset + j] - max);
  for (let j = 0; j < length; j++) out[j] /= sum;
  return out;
}

/** Indices of the k largest values, largest first; ties keep the lower index first. */
export function topK(values: ArrayLike<number>, k: number): number[] {
  const best: number[] = [];
  for (let j = 0; j < values.length; j++) {
    let pos = best.length;
    while (pos > 0 && values[best[pos - 1]] < values[j]) pos--;
    if (pos < k) {
      best.splice(pos, 0, j);
      if (best.length > k) best.pop();
    }
  }
  return best;
}

/** Predictions for a batch of logits (row-major N × classes). NaN logits are a model fault, not a prediction. */
export function predictionsFromLogits(logits: Float32Array, labels: ArrayLike<number>, numClasses: number): Prediction[] {
  const out: Prediction[] = [];
  for (let i = 0; i < labels.length; i++) {
    const probs = softmax(logits, i * numClasses, numClasses);
    const top5 = topK(probs, Math.min(5, numClasses));
    out.push({ label: labels[i], top5, confidence: probs[top5[0]], trueProbability: probs[labels[i]] ?? 0 });
  }
  return out;
}

/**
 * Predictions with the logits restricted to `subset` (class indices): softmax and ranking over the subset
 * only; top-5 are reported as the original class indices, and a label outside the subset has probability 0.
 */
export function predictionsFromSubsetLogits(logits: Float32Array, labels: ArrayLike<number>, numClasses: number, subset: readonly number[]): Prediction[] {
  const position = new Map(subset.map((c, i) => [c, i]));
  const restricted = new Float32Array(subset.length);
  const out: Prediction[] = [];
  for (let i = 0; i < labels.length; i++) {
    for (let k = 0; k < subset.length; k++) restricted[k] = logits[i * numClasses + subset[k]];
    const probs = softmax(restricted);
    const top5 = topK(probs, Math.min(5, subset.length));
    const labelPosition = position.get(labels[i]);
    out.push({ label: labels[i], top5: top5.map((k) => subset[k]), confidence: probs[top5[0]], trueProbability: labelPosition === undefined ? 0 : probs[labelPosition] });
  }
  return out;
}

export interface ClassificationMetrics {
  readonly count: number;
  readonly top1: number;
  readonly top5: number;
  /** Mean negative log-likelihood of the true label (nats). */
  readonly nll: number;
  /** Expected calibration error with `bins` equal-width confidence bins (spec: 15). */
  readonly ece: number;
  readonly perClassAccuracy: Record<number, number>;
  readonly reliability: ReliabilityBin[];
}

export interface ReliabilityBin {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  readonly accuracy: number;
  readonly confidence: number;
}

/** Probabilities are floored here so one confident mistake gives a large, finite NLL. */
const PROBABILITY_FLOOR = 1e-12;

export function reliabilityBins(predictions: readonly Prediction[], bins = 15): ReliabilityBin[] {
  const count = new Array(bins).fill(0);
  const correct = new Array(bins).fill(0);
  const confidence = new Array(bins).fill(0);
  for (const p of predictions) {
    // Bin b holds confidences in (b/B, (b+1)/B]; confidence 0 falls in the first bin.
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(p.confidence * bins) - 1));
    count[b]++;
    confidence[b] += p.confidence;
    if (p.top5[0] === p.label) correct[b]++;
  }
  return count.map((n, b) => ({ lower: b / bins, upper: (b + 1) / bins, count: n, accuracy: n ? correct[b] / n : 0, confidence: n ? confidence[b] / n : 0 }));
}

/** ECE = Σ_b (n_b / N) |acc_b − conf_b| (Guo et al. 2017; spec metrics.md "Calibration": 15 bins). */
export function expectedCalibrationError(predictions: readonly Prediction[], bins = 15): number {
  if (predictions.length === 0) return NaN;
  return reliabilityBins(predictions, bins).reduce((sum, b) => sum + (b.count / predictions.length) * Math.abs(b.accuracy - b.confidence), 0);
}

export function classificationMetrics(predictions: readonly Prediction[], bins = 15): ClassificationMetrics {
  const n = predictions.length;
  let top1 = 0;
  let top5 = 0;
  let nll = 0;
  const perClassCount = new Map<number, number>();
  const perClassCorrect = new Map<number, number>();
  for (const p of predictions) {
    const hit = p.top5[0] === p.label;
    if (hit) top1++;
    if (p.top5.includes(p.label)) top5++;
    nll -= Math.log(Math.max(p.trueProbability, PROBABILITY_FLOOR));
    perClassCount.set(p.label, (perClassCount.get(p.label) ?? 0) + 1);
    if (hit) perClassCorrect.set(p.label, (perClassCorrect.get(p.label) ?? 0) + 1);
  }
  const perClassAccuracy: Record<number, number> = {};
  for (const [label, count] of [...perClassCount].sort((a, b) => a[0] - b[0])) perClassAccuracy[label] = (perClassCorrect.get(label) ?? 0) / count;
  return {
    count: n,
    top1: n ? top1 / n : NaN,
    top5: n ? top5 / n : NaN,
    nll: n ? nll / n : NaN,
    ece: expectedCalibrationError(predictions, bins),
    perClassAccuracy,
    reliability: reliabilityBins(predictions, bins),
  };
}

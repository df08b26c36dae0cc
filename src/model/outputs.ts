// What a classifier's output rows are: logits (the default) or probabilities. Metrics (NLL, ECE) and attacks take
// logits; probabilities passed off as logits give silently wrong numbers, so they are detected and refused unless
// the model declares them, and then turned into log-probabilities (whose softmax is the probabilities again).
import { RobustartError } from '../errors.js';

export const MODEL_OUTPUTS = ['logits', 'probabilities'] as const;
export type ModelOutputs = (typeof MODEL_OUTPUTS)[number];

/**
 * Tolerance of AutoAttack's check_range_output (fra31/auto-attack, autoattack/checks.py, alpha=1e-5): outputs in
 * [-α, 1+α] whose every row sums to 1 within α look like a probability distribution, not logits.
 */
export const PROBABILITY_TOLERANCE = 1e-5;

/** Whether every row lies in [-α, 1+α] and sums to 1 within α (AutoAttack's check). */
export function looksLikeProbabilities(scores: Float32Array, numClasses: number, tolerance = PROBABILITY_TOLERANCE): boolean {
  if (scores.length === 0) return false;
  for (let row = 0; row < scores.length; row += numClasses) {
    let sum = 0;
    for (let j = row; j < row + numClasses; j++) {
      const v = scores[j];
      if (!(v > -tolerance && v < 1 + tolerance)) return false;
      sum += v;
    }
    if (Math.abs(sum - 1) >= tolerance) return false;
  }
  return true;
}

/** The first row holding a NaN or ±Inf, or -1. */
export function nonFiniteRow(scores: Float32Array, numClasses: number): number {
  for (let i = 0; i < scores.length; i++) if (!Number.isFinite(scores[i])) return Math.floor(i / numClasses);
  return -1;
}

/**
 * Logits for the metrics from one batch of a model's outputs. NaN or ±Inf anywhere is an error naming the row;
 * undeclared probabilities are an error; declared probabilities become log-probabilities. `rowName` names a row
 * in the error (a sample id and condition).
 */
export function logitsFromOutputs(scores: Float32Array, numClasses: number, outputs: ModelOutputs, modelName: string, rowName: (row: number) => string): Float32Array {
  const bad = nonFiniteRow(scores, numClasses);
  if (bad >= 0) {
    const value = scores.slice(bad * numClasses, (bad + 1) * numClasses).find((v) => !Number.isFinite(v));
    throw new RobustartError(`model ${modelName} returned ${Number.isNaN(value) ? 'NaN' : value! > 0 ? '+Inf' : '-Inf'} outputs for ${rowName(bad)}; check the model's weights and input range`);
  }
  if (outputs === 'logits') {
    if (looksLikeProbabilities(scores, numClasses)) {
      throw new RobustartError(`model ${modelName} outputs probabilities (every row sums to 1), not logits: NLL, ECE and attacks would be wrong; export it without its final softmax, or declare "outputs": "probabilities" in its metadata`);
    }
    return scores;
  }
  for (let row = 0; row < scores.length; row += numClasses) {
    let sum = 0;
    for (let j = row; j < row + numClasses; j++) sum += scores[j];
    if (Math.abs(sum - 1) > 1e-3 || scores.subarray(row, row + numClasses).some((v) => v < 0)) {
      throw new RobustartError(`model ${modelName} is declared to output probabilities but its row for ${rowName(row / numClasses)} sums to ${sum.toPrecision(6)}; declare "outputs": "logits" if these are logits`);
    }
  }
  return scores.map((p) => Math.log(p));
}

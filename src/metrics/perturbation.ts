// ImageNet-P metrics (Hendrycks & Dietterich 2019, section 4): flip probability FP, flip rate FR = FP / FP_AlexNet,
// mFR, top-5 distance T5D and mT5D. Definitions: ../../shared/spec/metrics.md; the T5D sum follows the paper's
// d(tau(x), tau(x')) = sum_{i<=5} sum_{j = min(i, sigma(i)) + 1}^{max(i, sigma(i))} 1(1 <= j - 1 <= 5).

/** Noise perturbations: frames are independent draws, so each is compared with the first frame. */
export const NOISE_PERTURBATIONS: readonly string[] = ['gaussian_noise', 'shot_noise', 'speckle_noise'];

export interface SequenceOptions {
  /** Compare every frame with the first (noise sequences) instead of with the previous frame. */
  readonly againstFirst?: boolean;
}

/** Mean over sequences of the per-sequence mean of a frame-pair statistic (consecutive, or each against the first). */
function sequenceMean<T>(sequences: readonly (readonly T[])[], pair: (reference: T, frame: T) => number, { againstFirst = false }: SequenceOptions): number {
  let total = 0;
  let counted = 0;
  for (const frames of sequences) {
    if (frames.length < 2) continue;
    let sum = 0;
    for (let j = 1; j < frames.length; j++) sum += pair(againstFirst ? frames[0] : frames[j - 1], frames[j]);
    total += sum / (frames.length - 1);
    counted++;
  }
  return counted > 0 ? total / counted : NaN;
}

/** FP: probability that the top-1 prediction changes between compared frames. `sequences[i][j]` = top-1 class of frame j. */
export function flipProbability(sequences: readonly (readonly number[])[], options: SequenceOptions = {}): number {
  return sequenceMean(sequences, (a, b) => (a === b ? 0 : 1), options);
}

/**
 * Top-5 distance between the ranked predictions of two frames, from their top-5 lists (most likely first):
 * for each of the first five classes of `reference`, the number of top-5 rank boundaries between its rank i
 * there and its rank sigma(i) in `frame`, with ranks beyond 5 counted as 6.
 */
export function topFiveDistance(reference: readonly number[], frame: readonly number[]): number {
  let distance = 0;
  for (let i = 0; i < 5; i++) {
    const position = frame.indexOf(reference[i]);
    const sigma = position >= 0 && position < 5 ? position : 5; // 0-based rank, 5 = outside the top 5
    distance += Math.abs(i - sigma);
  }
  return distance;
}

/** Mean T5D over compared frame pairs. `sequences[i][j]` = top-5 list of frame j. */
export function meanTopFiveDistance(sequences: readonly (readonly (readonly number[])[])[], options: SequenceOptions = {}): number {
  return sequenceMean(sequences, topFiveDistance, options);
}

/** Normalised rate (FR or T5D ratio) and its mean over perturbation types with a baseline value. */
export function normalizedMean(values: Readonly<Record<string, number>>, baseline: Readonly<Record<string, number>>): { perPerturbation: Record<string, number>; mean: number | null } {
  const perPerturbation: Record<string, number> = {};
  for (const [name, v] of Object.entries(values)) {
    const b = baseline[name];
    if (b !== undefined && b > 0 && Number.isFinite(v)) perPerturbation[name] = v / b;
  }
  const names = Object.keys(perPerturbation);
  return { perPerturbation, mean: names.length > 0 ? names.reduce((a, n) => a + perPerturbation[n], 0) / names.length : null };
}

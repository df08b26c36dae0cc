// ImageNet-C metrics (Hendrycks & Dietterich 2019): corruption error CE normalised by AlexNet, mCE over the 15
// main corruptions, relative CE / relative mCE. Definitions: ../../shared/spec/metrics.md.

/**
 * AlexNet top-1 error on ImageNet-C averaged over the five severities (hendrycks/robustness,
 * ImageNet-C/test.py; spec metrics.md). Sum over severities = 5 x value.
 */
export const ALEXNET_CORRUPTION_ERRORS: Readonly<Record<string, number>> = {
  gaussian_noise: 0.886428,
  shot_noise: 0.894468,
  impulse_noise: 0.92264,
  defocus_blur: 0.81988,
  glass_blur: 0.826268,
  motion_blur: 0.785948,
  zoom_blur: 0.79836,
  snow: 0.866816,
  frost: 0.826572,
  fog: 0.819324,
  brightness: 0.564592,
  contrast: 0.853204,
  elastic_transform: 0.646056,
  pixelate: 0.71784,
  jpeg_compression: 0.6065,
};

/** AlexNet clean top-1 error on the ImageNet validation set (spec metrics.md). */
export const ALEXNET_CLEAN_ERROR = 0.4348;

/** The 15 corruptions mCE averages over, in the paper's order. */
export const MCE_CORRUPTIONS: readonly string[] = Object.keys(ALEXNET_CORRUPTION_ERRORS);

/** The reference a model's errors are divided by: mean error per corruption over severities 1..5, and clean error. */
export interface CorruptionBaseline {
  readonly errors: Readonly<Record<string, number>>;
  readonly cleanError: number;
}

export const ALEXNET_BASELINE: CorruptionBaseline = { errors: ALEXNET_CORRUPTION_ERRORS, cleanError: ALEXNET_CLEAN_ERROR };

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * CE_c = sum_s E_{s,c} / sum_s E^base_{s,c}. `errors` are the model's top-1 errors at severities 1..5 (all five:
 * the baseline is a five-severity mean). Returns null when the corruption has no baseline or errors are missing.
 */
export function corruptionError(errors: readonly number[], corruption: string, baseline: CorruptionBaseline = ALEXNET_BASELINE): number | null {
  const base = baseline.errors[corruption];
  if (base === undefined || errors.length !== 5 || errors.some((e) => !Number.isFinite(e))) return null;
  return mean(errors) / base;
}

/** Relative CE_c = sum_s (E_{s,c} - E_clean) / sum_s (E^base_{s,c} - E^base_clean). */
export function relativeCorruptionError(errors: readonly number[], cleanError: number, corruption: string, baseline: CorruptionBaseline = ALEXNET_BASELINE): number | null {
  const base = baseline.errors[corruption];
  if (base === undefined || errors.length !== 5 || errors.some((e) => !Number.isFinite(e)) || !Number.isFinite(cleanError)) return null;
  return (mean(errors) - cleanError) / (base - baseline.cleanError);
}

export interface CorruptionSummary {
  /** Mean CE over the 15 main corruptions (a fraction: 0.767 for ResNet-50); null if any is missing. */
  readonly mCE: number | null;
  /** Mean relative CE over the 15; null if any is missing or the clean error is unknown. */
  readonly relativeMCE: number | null;
  /**
   * When mCE is null: the mean CE over the main corruptions that did run at all five severities, and which those
   * are (a number over a subset is only comparable with the same subset).
   */
  readonly subset?: { readonly corruptions: readonly string[]; readonly mCE: number; readonly relativeMCE: number | null };
  /** CE of every corruption that has a baseline and five severities. */
  readonly ce: Record<string, number>;
  readonly relativeCE: Record<string, number>;
  /** Mean top-1 error over severities for every corruption given (extras included, unnormalised). */
  readonly meanError: Record<string, number>;
}

/**
 * Summarises a table corruption -> [E_1..E_5] (top-1 errors per severity). mCE needs all 15 main corruptions;
 * extra corruptions (no AlexNet baseline) appear only in meanError.
 */
export function summarizeCorruptionErrors(table: Readonly<Record<string, readonly number[]>>, cleanError?: number, baseline: CorruptionBaseline = ALEXNET_BASELINE): CorruptionSummary {
  const ce: Record<string, number> = {};
  const relativeCE: Record<string, number> = {};
  const meanError: Record<string, number> = {};
  for (const [corruption, errors] of Object.entries(table)) {
    if (errors.length > 0) meanError[corruption] = mean(errors);
    const c = corruptionError(errors, corruption, baseline);
    if (c !== null) ce[corruption] = c;
    if (cleanError !== undefined) {
      const r = relativeCorruptionError(errors, cleanError, corruption, baseline);
      if (r !== null) relativeCE[corruption] = r;
    }
  }
  const main = Object.keys(baseline.errors);
  const complete = (values: Record<string, number>) => main.every((c) => c in values);
  const ran = main.filter((c) => c in ce);
  const partial = !complete(ce) && ran.length > 0;
  return {
    mCE: complete(ce) ? mean(main.map((c) => ce[c])) : null,
    relativeMCE: cleanError !== undefined && complete(relativeCE) ? mean(main.map((c) => relativeCE[c])) : null,
    ...(partial ? { subset: { corruptions: ran, mCE: mean(ran.map((c) => ce[c])), relativeMCE: ran.every((c) => c in relativeCE) ? mean(ran.map((c) => relativeCE[c])) : null } } : {}),
    ce,
    relativeCE,
    meanError,
  };
}

// RobustART's learning-rate schedule (prototype's cosine scheduler with warm-up), per step: linear from
// base_lr to warmup_lr over the warm-up steps, then half-cosine from warmup_lr down to min_lr.

export interface ScheduleSettings {
  /** Learning rate at step 0. */
  readonly baseLr: number;
  /** Learning rate at the end of warm-up (the peak); equal to baseLr for no warm-up ramp. */
  readonly warmupLr: number;
  readonly minLr: number;
  readonly warmupSteps: number;
  readonly totalSteps: number;
}

/** The per-step schedule of an epoch-based one: warm-up epochs rounded to steps, total steps over all epochs. */
export function stepSchedule<S extends { readonly warmupEpochs: number }>(schedule: S, stepsPerEpoch: number, epochs: number): S & { warmupSteps: number; totalSteps: number } {
  return { ...schedule, warmupSteps: Math.round(schedule.warmupEpochs * stepsPerEpoch), totalSteps: stepsPerEpoch * epochs };
}

export function learningRateAt(s: ScheduleSettings, step: number): number {
  if (step < s.warmupSteps) return s.baseLr + ((s.warmupLr - s.baseLr) * step) / s.warmupSteps;
  const t = Math.min(1, (step - s.warmupSteps) / Math.max(1, s.totalSteps - s.warmupSteps));
  return s.minLr + 0.5 * (s.warmupLr - s.minLr) * (1 + Math.cos(Math.PI * t));
}

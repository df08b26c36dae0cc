// node:test assertion around gradCheck, shared by the per-rule test files.
import assert from 'node:assert/strict';
import { gradCheck, type GradCheckCase } from './gradcheck.js';

export async function assertGradient(c: GradCheckCase): Promise<void> {
  const r = await gradCheck(c);
  assert.ok(r.maxRelativeError <= r.tolerance, `relative error ${r.maxRelativeError.toExponential(2)} > ${r.tolerance} (${c.dtype})\n${r.details.join('\n')}`);
}

/** Standard normal values kept at least `margin` away from 0 (keeps FD steps off a kink at 0). */
export function awayFromZero(margin = 0.05) {
  return (rng: { normal(): number }) => {
    const v = rng.normal();
    return v >= 0 ? v + margin : v - margin;
  };
}

/** Distinct values on a grid (spacing 0.05) in random order: no ties, no near-ties for max/min ops. */
export function distinct() {
  return (rng: { uniform(): number }, i: number) => ((i * 7919) % 1009) * 0.05 - 25 + rng.uniform() * 0.001;
}

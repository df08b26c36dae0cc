// What score- and decision-based attacks see: logits only, turned into a margin loss (Square, SPSA) or a yes/no decision (HopSkipJump).
import type { Oracle } from './attack.js';

/**
 * Margin to minimise: z_y − max_{j≠y} z_j (untargeted) or max_{j≠t} z_j − z_t (targeted); below 0 the attack has succeeded
 * (Square's margin loss, Andriushchenko et al. 2020; SPSA's logit margin, Uesato et al. 2018).
 */
export function margin(logits: Float32Array, row: number, classes: number, label: number, target?: number): number {
  const own = target ?? label;
  let other = -Infinity;
  for (let k = 0; k < classes; k++) if (k !== own && logits[row * classes + k] > other) other = logits[row * classes + k];
  const z = logits[row * classes + own];
  return target === undefined ? z - other : other - z;
}

/** Logits for many images that belong to samples `owners`, in chunks so a large probe set never becomes one huge batch. */
export async function chunkedLogits(oracle: Oracle, images: Float32Array, owners: ArrayLike<number>, chunk = 64): Promise<Float32Array> {
  const size = oracle.size, classes = oracle.model.numClasses, n = owners.length;
  const out = new Float32Array(n * classes);
  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(n, start + chunk);
    const ids = Array.from({ length: end - start }, (_, k) => owners[start + k]);
    out.set(await oracle.logits(images.subarray(start * size, end * size), ids), start * classes);
  }
  return out;
}

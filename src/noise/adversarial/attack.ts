// The one interface every attack implements (torchattacks/foolbox style), and the bookkeeping they share:
// query counting per sample, sub-batches of still-active samples, target choice and the final verdict.
import type { DifferentiableClassifier, LossSpec, LossAndGradient } from '../../model/differentiable.js';
import { RobustartError } from '../../errors.js';
import { hashString, rngFor, type Rng } from '../../util/rng.js';
import { perturbationNorms, projectToThreat, type Norm } from './threat.js';

export type AttackKind = 'white-box' | 'score-based' | 'decision-based';

export interface AttackResult {
  /** N×C×H×W in [0,1]. */
  readonly adversarial: Float32Array;
  /** 1 where the model's prediction on `adversarial` is wrong (untargeted) or equals the target (targeted). */
  readonly success: Uint8Array;
  /** Model calls (forward or forward+backward) spent on each sample. */
  readonly queries: Int32Array;
  /** ‖adversarial − clean‖ in the attack's norm. */
  readonly norms: Float32Array;
  /** Target class per sample for targeted attacks. */
  readonly targets?: Int32Array;
  /** Per-sample loss at the start and end of a gradient attack, for the gradient-masking checks. */
  readonly lossStart?: Float32Array;
  readonly lossEnd?: Float32Array;
  /** 1 where a gradient was all zero or non-finite. */
  readonly degenerateGradient?: Uint8Array;
  /** Composite attacks (AutoAttack): the part that first fooled each sample, '' where none did. */
  readonly foundBy?: readonly string[];
  /** The model's logits on `adversarial` (N×classes, from logits calls): what `success` was read from. */
  readonly logits?: Float32Array;
}

export interface RunOptions {
  /** Target class per sample; targeted attacks otherwise draw a random class ≠ label per sample. */
  readonly targets?: Int32Array;
  /**
   * The model's logits on `images` (N×classes, from a logits call) where the caller already has them, as a cascade
   * does: an attack that checks the clean images first reads them instead of running the model again. The check
   * still counts one query per sample, so results do not depend on who ran it.
   */
  readonly cleanLogits?: Float32Array;
}

export interface Attack {
  /** e.g. "pgd", "apgd-ce". */
  readonly name: string;
  readonly norm: Norm;
  readonly kind: AttackKind;
  /** Budget; for minimum-norm attacks optional (raw result) — when set, the result is projected onto the ε-ball and re-checked, as foolbox's `clipped`. */
  readonly eps: number | undefined;
  readonly minimumNorm: boolean;
  /** Every setting, recorded with every result so a run can be reproduced. */
  readonly settings: Readonly<Record<string, number | string | boolean>>;
  /**
   * `rngs[i]` is sample i's own random stream: every draw for sample i comes from it, and nothing a sample does depends
   * on the other samples of the batch, so results never change with batch size or position.
   */
  run(images: Float32Array, labels: Int32Array, batch: number, rngs: readonly Rng[], options?: RunOptions): Promise<AttackResult>;
}

export function sampleSizeOf(model: DifferentiableClassifier): number {
  const [c, h, w] = model.inputShape;
  return c * h * w;
}

/** A model wrapped to count calls per sample; every call takes a sub-batch given by original sample indices. */
export class Oracle {
  readonly queries: Int32Array;
  readonly size: number;
  constructor(readonly model: DifferentiableClassifier, batch: number) {
    this.queries = new Int32Array(batch);
    this.size = sampleSizeOf(model);
  }

  async logits(images: Float32Array, indices: ArrayLike<number>, count = true): Promise<Float32Array> {
    if (count) for (let i = 0; i < indices.length; i++) this.queries[indices[i]]++;
    return checkFiniteLogits(await this.model.logits(images, indices.length), this.model.numClasses);
  }

  /** `labels` and `loss.targets` are full-batch arrays; they are gathered for the sub-batch here. */
  async lossAndGradient(images: Float32Array, indices: ArrayLike<number>, labels: Int32Array, loss: LossSpec): Promise<LossAndGradient> {
    for (let i = 0; i < indices.length; i++) this.queries[indices[i]]++;
    const sub: LossSpec = loss.targets ? { ...loss, targets: gatherInts(loss.targets, indices) } : loss;
    const result = await this.model.lossAndGradient(images, indices.length, gatherInts(labels, indices), sub);
    checkFiniteLogits(result.logits, this.model.numClasses);
    return result;
  }
}

/**
 * Logits an attack reads must be finite: a NaN or ±Inf logit would silently count as a success or a failure. One line
 * naming the row, instead of a wrong number.
 */
export function checkFiniteLogits(logits: Float32Array, classes: number): Float32Array {
  for (let i = 0; i < logits.length; i++) {
    if (!Number.isFinite(logits[i])) throw new RobustartError(`the model returned a non-finite logit (${logits[i]}) for image ${Math.floor(i / classes)} of an attack batch; check the model's weights and that inputs are in [0,1]`);
  }
  return logits;
}

/** The model's logits on the clean batch (one counted query per sample): handed in by the caller, else computed. */
export async function cleanLogits(oracle: Oracle, images: Float32Array, batch: number, options: RunOptions): Promise<Float32Array> {
  const given = options.cleanLogits;
  if (!given) return oracle.logits(images, range(batch));
  if (given.length !== batch * oracle.model.numClasses) throw new RobustartError(`cleanLogits has ${given.length} values for ${batch} images of ${oracle.model.numClasses} classes; pass the model's logits on the clean images, one row per image`);
  for (let i = 0; i < batch; i++) oracle.queries[i]++;
  return given;
}

/** Rows `indices` of a per-sample array with `size` values per sample; into the front of `into` where given (a buffer reused across steps). */
export function gather(data: Float32Array, indices: ArrayLike<number>, size: number, into?: Float32Array): Float32Array {
  const out = into ? into.subarray(0, indices.length * size) : new Float32Array(indices.length * size);
  for (let k = 0; k < indices.length; k++) out.set(data.subarray(indices[k] * size, indices[k] * size + size), k * size);
  return out;
}

export function scatter(into: Float32Array, rows: Float32Array, indices: ArrayLike<number>, size: number): void {
  for (let k = 0; k < indices.length; k++) into.set(rows.subarray(k * size, k * size + size), indices[k] * size);
}

export function gatherInts(data: Int32Array, indices: ArrayLike<number>): Int32Array {
  const out = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) out[k] = data[indices[k]];
  return out;
}

export function range(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

export function argmax(logits: Float32Array, row: number, classes: number): number {
  let best = 0;
  for (let k = 1; k < classes; k++) if (logits[row * classes + k] > logits[row * classes + best]) best = k;
  return best;
}

export function predictions(logits: Float32Array, batch: number, classes: number): Int32Array {
  const out = new Int32Array(batch);
  for (let n = 0; n < batch; n++) out[n] = argmax(logits, n, classes);
  return out;
}

/** The attack's goal on one sample: a wrong class (untargeted) or the target class (targeted). */
export function isAdversarial(predicted: number, label: number, target: number | undefined): boolean {
  return target === undefined ? predicted !== label : predicted === target;
}

/** The per-sample random streams of one attack run: sample `id` draws from rngFor(seed, hash(stream), hash(id)). */
export function sampleStreams(seed: number, stream: string, sampleIds: readonly string[]): Rng[] {
  const key = hashString(stream);
  return sampleIds.map((id) => rngFor(seed, key, hashString(id)));
}

/** Streams for data without ids: sample i of the tensor is keyed by its index. */
export function indexStreams(seed: number, stream: string, count: number): Rng[] {
  return sampleStreams(seed, stream, Array.from({ length: count }, (_, i) => String(i)));
}

export function checkStreams(rngs: readonly Rng[], batch: number): void {
  if (rngs.length !== batch) throw new RobustartError(`attack got ${rngs.length} random streams for ${batch} images; pass one stream per image`);
}

/** Items `indices` of a per-sample list. */
export function pick<T>(items: readonly T[], indices: ArrayLike<number>): T[] {
  return Array.from(indices as ArrayLike<number>, (i) => items[i]);
}

/** Targets for a targeted run: given, or uniformly random among the classes ≠ label (torchattacks' random target mode). */
export function chooseTargets(labels: Int32Array, classes: number, rngs: readonly Rng[], given?: Int32Array): Int32Array {
  if (given) {
    if (given.length !== labels.length) throw new RobustartError(`targets has ${given.length} entries for ${labels.length} images; give one target class per image`);
    return given;
  }
  return Int32Array.from(labels, (y, i) => (y + 1 + rngs[i].int(classes - 1)) % classes);
}

export function checkBatch(model: DifferentiableClassifier, images: Float32Array, labels: Int32Array, batch: number, rngs?: readonly Rng[]): void {
  const size = sampleSizeOf(model);
  if (rngs) checkStreams(rngs, batch);
  if (images.length !== batch * size) throw new RobustartError(`attack input has ${images.length} values, expected ${batch}×${model.inputShape.join('×')}; resize images to the model's input shape first`);
  if (labels.length !== batch) throw new RobustartError(`attack got ${labels.length} labels for ${batch} images`);
  for (const y of labels) if (y < 0 || y >= model.numClasses) throw new RobustartError(`label ${y} is outside the model's ${model.numClasses} classes`);
}

/**
 * The model's logits on each sample's current adversarial image, where the attack has already computed them with a
 * logits call on exactly that image: `finish` then spends no second forward pass on the sample. Logits from a
 * gradient call never count (its graph may round differently from the model's own), so a sample whose image was
 * last set from one is forgotten.
 */
export class Verdicts {
  readonly logits: Float32Array;
  readonly known: Uint8Array;
  constructor(batch: number, readonly classes: number) {
    this.logits = new Float32Array(batch * classes);
    this.known = new Uint8Array(batch);
  }

  /** Sample `index`'s image is the one whose logits are row `row` of `logits`. */
  set(index: number, logits: Float32Array, row: number): void {
    this.logits.set(logits.subarray(row * this.classes, (row + 1) * this.classes), index * this.classes);
    this.known[index] = 1;
  }

  forget(index: number): void {
    this.known[index] = 0;
  }
}

/**
 * The verdict: the model's prediction on the returned images, so `success` always matches it — from `verdicts` where
 * the attack's last logits call already saw the returned image, else from one uncounted forward pass. Minimum-norm
 * attacks with an ε first project onto the ε-ball (foolbox's "clipped"), which leaves every image to that pass.
 */
export async function finish(
  oracle: Oracle, clean: Float32Array, adversarial: Float32Array, labels: Int32Array, batch: number, norm: Norm,
  extra: { targets?: Int32Array; projectEps?: number; lossStart?: Float32Array; lossEnd?: Float32Array; degenerateGradient?: Uint8Array; verdicts?: Verdicts } = {},
): Promise<AttackResult> {
  const { projectEps, verdicts, ...rest } = extra;
  if (projectEps !== undefined) projectToThreat(clean, adversarial, batch, norm, projectEps);
  const classes = oracle.model.numClasses;
  const known = projectEps === undefined && verdicts ? verdicts.known : new Uint8Array(batch);
  const unknown = range(batch).filter((n) => !known[n]);
  const logits = known.some((k) => k === 1) ? verdicts!.logits.slice() : new Float32Array(batch * classes);
  if (unknown.length > 0) scatter(logits, await oracle.logits(gather(adversarial, unknown, oracle.size), unknown, false), unknown, classes);
  const success = new Uint8Array(batch);
  for (let n = 0; n < batch; n++) success[n] = isAdversarial(argmax(logits, n, classes), labels[n], extra.targets?.[n]) ? 1 : 0;
  return { adversarial, success, queries: oracle.queries, norms: perturbationNorms(clean, adversarial, batch, norm), ...rest, logits };
}

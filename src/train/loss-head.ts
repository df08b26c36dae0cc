// The training loss as ONNX ops on the logits (so the autodiff rules differentiate it in the same session):
//   soft-target cross-entropy   −Σ_k q_k · log softmax(z)_k        (q: smoothed / mixed / hard targets)
//   + distillation term         −Σ_k p_k · log softmax(z / T)_k    (p: α·T²·softmax(teacher / T))
// The distillation term equals α·T²·KL(softmax(t/T) ‖ softmax(z/T)) minus the teacher's entropy, a
// constant in the student's weights, so its gradient is Hinton et al.'s (2015); the hard-label part is
// weighted by scaling q with 1 − α.
// AugMix's consistency term (Hendrycks et al. 2020), when the batch is [clean; augmix₁; augmix₂] (3 × N rows):
//   + (λ/3)·KL(p_row ‖ M) per row, M = clamp((p_clean + p_aug1 + p_aug2)/3, 1e-7, 1), so the rows of one
//   sample sum to λ·JS(p_clean, p_aug1, p_aug2) (the reference adds 12·JS to the clean cross-entropy).
// TRADES' robust term (Zhang et al. 2019, src/train/trades.ts), when the batch is [clean; adversarial]:
//   + w_r·KL(p_partner(r) ‖ p_r) per row, the partner and the weight (β on adversarial rows, 0 on clean
//   rows) fed per row; the gradient reaches both the clean and the adversarial logits, as in the reference.
import { DataType } from '../onnx/proto.js';
import { makeNode, makeValueInfo } from '../onnx/build.js';
import type { Graph } from '../onnx/graph.js';
import type { LossHeadBuilder } from '../autodiff/gradient.js';

export const SOFT_TARGETS_INPUT = 'soft_targets';
export const TEACHER_TARGETS_INPUT = 'teacher_targets';
export const INVERSE_TEMPERATURE_INPUT = 'inverse_temperature';
export const OTHER_VIEWS_INPUTS = ['other_view_1', 'other_view_2'] as const;
export const TRADES_PARTNER_INPUT = 'trades_partner';
export const TRADES_WEIGHT_INPUT = 'trades_weight';

export interface SoftTargetHeadOptions {
  /** Add the distillation term (teacher targets and inverse temperature fed). */
  readonly distillation?: boolean;
  /** AugMix's Jensen–Shannon weight λ (0: off). */
  readonly jsdWeight?: number;
  /** Add TRADES' KL term (partner rows and row weights fed). */
  readonly trades?: boolean;
}

/**
 * For a [clean; adversarial] batch of 2 × samples rows: each row's clean partner (GatherElements indices,
 * [rows, classes]) and its KL weight (β on adversarial rows, 0 on clean rows).
 */
export function tradesPartners(samples: number, classes: number, beta: number): { partner: BigInt64Array; weight: Float32Array } {
  const rows = 2 * samples;
  return {
    partner: BigInt64Array.from({ length: rows * classes }, (_, i) => BigInt(Math.floor(i / classes) % samples)),
    weight: Float32Array.from({ length: rows }, (_, r) => (r < samples ? 0 : beta)),
  };
}

/**
 * For a [clean; aug1; aug2] batch of 3 × samples rows: the rows of the other two views of each row's
 * sample, repeated over the classes (GatherElements indices, [rows, classes]).
 */
export function otherViews(samples: number, classes: number): [BigInt64Array, BigInt64Array] {
  const rows = 3 * samples;
  const at = (shift: number) => BigInt64Array.from({ length: rows * classes }, (_, i) => BigInt((Math.floor(i / classes) + shift * samples) % rows));
  return [at(1), at(2)];
}

export function softTargetHead({ distillation = false, jsdWeight = 0, trades = false }: SoftTargetHeadOptions = {}): LossHeadBuilder {
  return (graph: Graph, logits: string, numClasses: number, dataType: number) => {
    const name = (hint: string) => graph.freshName(`train_loss_${hint}`);
    const op = (type: string, inputs: string[], attrs: Record<string, number> = {}) => {
      const out = name(type);
      graph.nodes.push(makeNode(type, inputs, [out], attrs));
      return out;
    };
    const axis = name('axis');
    graph.initializers.set(axis, { dims: [1], dataType: DataType.INT64, data: BigInt64Array.of(1n) });
    const crossEntropy = (targets: string, z: string) => op('Neg', [op('ReduceSum', [op('Mul', [targets, op('LogSoftmax', [z], { axis: 1 })]), axis], { keepdims: 0 })]);
    graph.inputs.push(makeValueInfo(SOFT_TARGETS_INPUT, ['N', numClasses], dataType));
    const constant = (dims: number[], values: number[], type: number) => {
      const n = name('const');
      graph.initializers.set(n, { dims, dataType: type, data: type === DataType.INT64 ? BigInt64Array.from(values.map(BigInt)) : Float32Array.from(values) });
      return n;
    };
    let loss = crossEntropy(SOFT_TARGETS_INPUT, logits);
    if (distillation) {
      graph.inputs.push(makeValueInfo(TEACHER_TARGETS_INPUT, ['N', numClasses], dataType), makeValueInfo(INVERSE_TEMPERATURE_INPUT, [], dataType));
      loss = op('Add', [loss, crossEntropy(TEACHER_TARGETS_INPUT, op('Mul', [logits, INVERSE_TEMPERATURE_INPUT]))]);
    }
    if (jsdWeight > 0) {
      // M per row = (p_row + p_other1 + p_other2)/3, the other views gathered by fed row indices, so the
      // head needs no reshape of the batch into views and any batch size traces.
      graph.inputs.push(makeValueInfo(OTHER_VIEWS_INPUTS[0], ['N', numClasses], DataType.INT64), makeValueInfo(OTHER_VIEWS_INPUTS[1], ['N', numClasses], DataType.INT64));
      const logProbs = op('LogSoftmax', [logits], { axis: 1 });
      const probs = op('Exp', [logProbs]);
      const others = OTHER_VIEWS_INPUTS.map((indices) => op('GatherElements', [probs, indices], { axis: 0 }));
      const mixture = op('Mul', [op('Sum', [probs, ...others]), constant([], [1 / 3], DataType.FLOAT)]);
      const logMixture = op('Log', [op('Clip', [mixture, constant([], [1e-7], DataType.FLOAT), constant([], [1], DataType.FLOAT)])]);
      const kl = op('ReduceSum', [op('Mul', [probs, op('Sub', [logProbs, logMixture])]), axis], { keepdims: 0 });
      loss = op('Add', [loss, op('Mul', [kl, constant([], [jsdWeight / 3], DataType.FLOAT)])]);
    }
    if (trades) {
      graph.inputs.push(makeValueInfo(TRADES_PARTNER_INPUT, ['N', numClasses], DataType.INT64), makeValueInfo(TRADES_WEIGHT_INPUT, ['N'], dataType));
      const logProbs = op('LogSoftmax', [logits], { axis: 1 });
      const partnerLogProbs = op('GatherElements', [logProbs, TRADES_PARTNER_INPUT], { axis: 0 });
      const kl = op('ReduceSum', [op('Mul', [op('Exp', [partnerLogProbs]), op('Sub', [partnerLogProbs, logProbs])]), axis], { keepdims: 0 });
      loss = op('Add', [loss, op('Mul', [kl, TRADES_WEIGHT_INPUT])]);
    }
    return loss;
  };
}

/**
 * Hinton et al. (2015): (1 − α)·CE(y, z) + α·T²·KL(softmax(t/T) ‖ softmax(z/T)), per sample — the
 * definition the head is checked against.
 */
export function distillationLoss(student: Float32Array, teacher: Float32Array, labels: ArrayLike<number>, classes: number, temperature: number, alpha: number): Float64Array {
  const out = new Float64Array(labels.length);
  const logSoftmax = (z: Float32Array, o: number, scale: number) => {
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, z[o + k] * scale);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += Math.exp(z[o + k] * scale - max);
    return Array.from({ length: classes }, (_, k) => z[o + k] * scale - max - Math.log(sum));
  };
  for (let n = 0; n < labels.length; n++) {
    const o = n * classes;
    const ce = -logSoftmax(student, o, 1)[labels[n]];
    const ls = logSoftmax(student, o, 1 / temperature);
    const lt = logSoftmax(teacher, o, 1 / temperature);
    let kl = 0;
    for (let k = 0; k < classes; k++) kl += Math.exp(lt[k]) * (lt[k] - ls[k]);
    out[n] = (1 - alpha) * ce + alpha * temperature * temperature * kl;
  }
  return out;
}

// The training loss as ONNX ops on the logits (so the autodiff rules differentiate it in the same session):
//   soft-target cross-entropy   −Σ_k q_k · log softmax(z)_k        (q: smoothed / mixed / hard targets)
//   + distillation term         −Σ_k p_k · log softmax(z / T)_k    (p: α·T²·softmax(teacher / T))
// The distillation term equals α·T²·KL(softmax(t/T) ‖ softmax(z/T)) minus the teacher's entropy, a
// constant in the student's weights, so its gradient is Hinton et al.'s (2015); the hard-label part is
// weighted by scaling q with 1 − α.
import { DataType } from '../onnx/proto.js';
import { makeNode, makeValueInfo } from '../onnx/build.js';
import type { Graph } from '../onnx/graph.js';
import type { LossHeadBuilder } from '../autodiff/gradient.js';

export const SOFT_TARGETS_INPUT = 'soft_targets';
export const TEACHER_TARGETS_INPUT = 'teacher_targets';
export const INVERSE_TEMPERATURE_INPUT = 'inverse_temperature';

export function softTargetHead(distillation: boolean): LossHeadBuilder {
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
    const hard = crossEntropy(SOFT_TARGETS_INPUT, logits);
    if (!distillation) return hard;
    graph.inputs.push(makeValueInfo(TEACHER_TARGETS_INPUT, ['N', numClasses], dataType), makeValueInfo(INVERSE_TEMPERATURE_INPUT, [], dataType));
    return op('Add', [hard, crossEntropy(TEACHER_TARGETS_INPUT, op('Mul', [logits, INVERSE_TEMPERATURE_INPUT]))]);
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

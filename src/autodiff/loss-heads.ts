// Loss heads of shared/spec/adversarial.md ("Loss heads"), written as ONNX ops on the logits so the
// same VJP rules differentiate them. Per-sample losses, sign convention of src/model/differentiable.ts
// users (src/noise/adversarial/testing/mlp.ts): ascent is more adversarial except the two plain
// cross-entropies of a targeted attack, which are minimised.
//   ce            CE(z, y) = -log softmax(z)_y
//   ce-targeted   CE(z, t)
//   cw            max_{j≠y} z_j − z_y, clamped above at κ (the 'kappa' input; +∞ = no clamp)
//   dlr           −(z_y − max_{j≠y} z_j) / (z_π1 − z_π3 + 1e-12)          (Croce & Hein 2020, eq. 5)
//   dlr-targeted  −(z_y − z_t) / (z_π1 − (z_π3 + z_π4)/2 + 1e-12)
//   logit         z_t
import type { LossKind } from '../model/differentiable.js';
import { DataType } from '../onnx/proto.js';
import { makeNode, makeValueInfo } from '../onnx/build.js';
import type { Graph } from '../onnx/graph.js';
import { RobustartError } from '../errors.js';

export const LOSS_KINDS: readonly LossKind[] = ['ce', 'ce-targeted', 'cw', 'dlr', 'dlr-targeted', 'logit'];

/** Graph input names a loss head adds. */
export const LABELS_INPUT = 'labels';
export const TARGETS_INPUT = 'targets';
export const KAPPA_INPUT = 'kappa';
export const LOSS_OUTPUT = 'loss';

export function lossUsesTargets(kind: LossKind): boolean {
  return kind === 'ce-targeted' || kind === 'dlr-targeted' || kind === 'logit';
}

export function parseLossKind(text: string): LossKind {
  if ((LOSS_KINDS as readonly string[]).includes(text)) return text as LossKind;
  throw new RobustartError(`unknown loss '${text}'; choose one of ${LOSS_KINDS.join(', ')}`);
}

/**
 * Appends the head to `graph`, reading logits `logits` ([N, K], float type `dataType`), and adds
 * the inputs it needs (labels, and targets / kappa where used). Returns the per-sample loss name.
 */
export function appendLossHead(graph: Graph, kind: LossKind, logits: string, numClasses: number, dataType: number): string {
  const name = (hint: string) => graph.freshName(`loss_${hint}`);
  const nodes = graph.nodes;
  const i64 = (values: number[], scalar = false) => {
    if (!scalar) return graph.int64Constant('loss_const', values);
    const n = name('const');
    graph.initializers.set(n, { dims: [], dataType: DataType.INT64, data: BigInt64Array.from(values.map(BigInt)) });
    return n;
  };
  const float = (value: number) => {
    const n = name('const');
    graph.initializers.set(n, { dims: [], dataType, data: dataType === DataType.DOUBLE ? Float64Array.of(value) : Float32Array.of(value) });
    return n;
  };
  const op = (type: string, inputs: string[], attrs: Record<string, number | number[] | string> = {}) => {
    const out = name(type);
    nodes.push(makeNode(type, inputs, [out], attrs));
    return out;
  };
  const addInput = (input: string, dims: (number | string)[], elem: number) => {
    if (!graph.input(input)) graph.inputs.push(makeValueInfo(input, dims, elem));
    return input;
  };
  const axis1 = i64([1]);
  /** z[n, c[n]] as [N]. */
  const pick = (values: string, classes: string) => op('Squeeze', [op('GatherElements', [values, op('Unsqueeze', [classes, axis1])], { axis: 1 }), axis1]);
  const labels = addInput(LABELS_INPUT, ['N'], DataType.INT64);
  const targets = lossUsesTargets(kind) ? addInput(TARGETS_INPUT, ['N'], DataType.INT64) : '';
  const maxOther = () => {
    const oneHot = op('Equal', [op('Unsqueeze', [labels, axis1]), i64(Array.from({ length: numClasses }, (_, k) => k))]);
    return op('ReduceMax', [op('Where', [oneHot, float(-Infinity), logits]), axis1], { keepdims: 0 });
  };
  /** The k largest logits, descending; returns an accessor for position p as [N]. */
  const sortedLogits = (k: number) => {
    const values = name('topk');
    const indices = name('topk_indices');
    nodes.push(makeNode('TopK', [logits, i64([k])], [values, indices], { axis: 1, largest: 1, sorted: 1 }));
    return (position: number) => op('Gather', [values, i64([position], true)], { axis: 1 });
  };
  if ((kind === 'dlr' && numClasses < 3) || (kind === 'dlr-targeted' && numClasses < 4)) {
    throw new RobustartError(`loss ${kind} needs at least ${kind === 'dlr' ? 3 : 4} classes; this model has ${numClasses}: use cw or ce`);
  }
  let loss: string;
  switch (kind) {
    case 'ce':
    case 'ce-targeted': {
      const logProbs = op('LogSoftmax', [logits], { axis: 1 });
      loss = op('Neg', [pick(logProbs, kind === 'ce' ? labels : targets)]);
      break;
    }
    case 'cw': {
      const kappa = addInput(KAPPA_INPUT, [], dataType);
      loss = op('Min', [op('Sub', [maxOther(), pick(logits, labels)]), kappa]);
      break;
    }
    case 'dlr': {
      const sorted = sortedLogits(3);
      const den = op('Add', [op('Sub', [sorted(0), sorted(2)]), float(1e-12)]);
      loss = op('Neg', [op('Div', [op('Sub', [pick(logits, labels), maxOther()]), den])]);
      break;
    }
    case 'dlr-targeted': {
      const sorted = sortedLogits(4);
      const tail = op('Mul', [op('Add', [sorted(2), sorted(3)]), float(0.5)]);
      const den = op('Add', [op('Sub', [sorted(0), tail]), float(1e-12)]);
      loss = op('Neg', [op('Div', [op('Sub', [pick(logits, labels), pick(logits, targets)]), den])]);
      break;
    }
    case 'logit':
      loss = pick(logits, targets);
      break;
  }
  nodes.push(makeNode('Identity', [loss], [LOSS_OUTPUT]));
  return LOSS_OUTPUT;
}

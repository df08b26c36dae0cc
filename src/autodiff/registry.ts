// The VJP registry: one rule per ONNX op type (or small family), looked up by op type, in the shape of
// TensorFlow.js's gradient table. A rule turns the gradients of a node's outputs into the gradients of
// its inputs, emitting standard ONNX ops only (see shared/spec/adversarial.md, "standard ops only").
import type { NodeProto } from '../onnx/proto.js';
import type { VjpContext } from './context.js';
import { RobustartError } from '../errors.js';

export interface VjpRule {
  /**
   * Indices of the inputs gradient flows to (default: input 0 only). Other inputs (shapes, axes,
   * indices, running statistics a rule does not handle) never receive a gradient.
   */
  readonly differentiableInputs?: (node: NodeProto) => number[];
  /**
   * Returns one gradient value name per input (undefined where none is wanted or it is zero).
   * `outputGradients[i]` is undefined when output i does not reach the loss; `wanted[i]` says
   * whether input i's gradient is needed.
   */
  vjp(ctx: VjpContext, node: NodeProto, outputGradients: (string | undefined)[], wanted: boolean[]): (string | undefined)[];
}

const rules = new Map<string, VjpRule>();

/**
 * Ops whose outputs carry no gradient: shape plumbing, comparisons, index computations, and
 * piecewise-constant maps (Floor, Sign, ...) whose derivative is zero almost everywhere.
 */
export const NON_DIFFERENTIABLE_OPS: ReadonlySet<string> = new Set([
  'Shape', 'Size', 'Constant', 'ConstantOfShape', 'Range', 'Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Xor',
  'ArgMax', 'ArgMin', 'NonZero', 'Floor', 'Ceil', 'Round', 'Sign', 'IsNaN', 'IsInf', 'EyeLike', 'RandomNormalLike', 'RandomUniformLike', 'OneHot', 'Mod', 'BitShift',
]);

export function registerVjp(opTypes: string | string[], rule: VjpRule): void {
  for (const op of Array.isArray(opTypes) ? opTypes : [opTypes]) rules.set(op, rule);
}

export function vjpRuleFor(node: NodeProto): VjpRule {
  const op = node.opType ?? '';
  const rule = (!node.domain || node.domain === 'ai.onnx') && rules.get(op);
  if (!rule) {
    throw new RobustartError(
      `cannot differentiate ONNX op ${node.domain ? `${node.domain}.` : ''}${op} (node '${node.name || node.output?.[0]}'); robustart has gradients for: ${supportedOps().join(', ')} (and treats ${[...NON_DIFFERENTIABLE_OPS].join(', ')} as constant)`,
    );
  }
  return rule;
}

export function hasVjp(opType: string): boolean {
  return rules.has(opType);
}

export function supportedOps(): string[] {
  return [...rules.keys()].sort();
}

/** Default differentiable inputs: input 0. */
export function differentiableInputsOf(node: NodeProto): number[] {
  const rule = rules.get(node.opType ?? '');
  return rule?.differentiableInputs ? rule.differentiableInputs(node) : [0];
}

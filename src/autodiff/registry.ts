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
/** Rules for one execution provider that replace the default where that provider lacks an op's form. */
const providerRules = new Map<string, Map<string, VjpRule>>();

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

/**
 * Registers a rule used instead of the default one when the backward graph is built for `executionProvider`
 * (e.g. a form of the op that provider does not implement, such as MaxPool's Indices output on WebGPU).
 */
export function registerProviderVjp(opType: string, executionProvider: string, rule: VjpRule): void {
  let forProvider = providerRules.get(executionProvider);
  if (!forProvider) providerRules.set(executionProvider, (forProvider = new Map()));
  forProvider.set(opType, rule);
}

/** The (op type, execution provider) pairs that have a provider-specific rule. */
export function providerVariants(): { opType: string; executionProvider: string }[] {
  return [...providerRules].flatMap(([executionProvider, forProvider]) => [...forProvider.keys()].map((opType) => ({ opType, executionProvider }))).sort((a, b) => a.opType.localeCompare(b.opType) || a.executionProvider.localeCompare(b.executionProvider));
}

/** The rule for `node` in a backward graph that will run on `executionProvider` (default: CPU). */
export function vjpRuleFor(node: NodeProto, executionProvider = 'cpu'): VjpRule {
  const op = node.opType ?? '';
  const standard = !node.domain || node.domain === 'ai.onnx';
  const rule = standard && (providerRules.get(executionProvider)?.get(op) ?? rules.get(op));
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

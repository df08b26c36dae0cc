// BatchNormalization in inference form (a per-channel affine map) and in training form (training_mode=1:
// normalised with the batch's own mean and biased variance over N and the spatial axes, so the input
// gradient is the normalisation formula below; the running-statistics outputs carry no gradient), LayerNormalization and
// InstanceNormalization (normalisation over axes, with the standard
// dx = invstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * scale).
import { floatAttribute, intAttribute } from '../../onnx/build.js';
import { DataType, type NodeProto } from '../../onnx/proto.js';
import { registerVjp } from '../registry.js';
import { normAxis, type Dims, type VjpContext } from '../context.js';

/** Reshapes a per-channel [C] tensor to [C, 1, ..., 1] so it broadcasts against N,C,spatial. */
function perChannel(ctx: VjpContext, t: string, rank: number): string {
  const c = ctx.dims(t)[0];
  return ctx.reshape(t, [c, ...Array(rank - 2).fill(1)]);
}

type Shape = { dims: Dims; dataType: number } | undefined;

/** 1/sqrt(variance + eps), per channel; eps takes the dtype of `epsLike`. */
function invStdOf(ctx: VjpContext, variance: string, eps: number, cDims: Shape, epsLike: string): string {
  return ctx.emit('Reciprocal', [ctx.emit('Sqrt', [ctx.emit('Add', [variance, ctx.scalar(eps, epsLike)], {}, cDims)], {}, cDims)], {}, cDims);
}

/** The axes a BatchNormalization reduces over: N and the spatial axes, as an int64 constant. */
function channelAxes(ctx: VjpContext, rank: number): string {
  return ctx.int64([0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)]);
}

/** x − mean, the per-channel mean broadcast over N and the spatial axes. */
function centeredOf(ctx: VjpContext, x: string, mean: string, rank: number, sx: Shape): string {
  return ctx.emit('Sub', [x, perChannel(ctx, mean, rank)], {}, sx);
}

/** Σ v over `axes` (N and spatial), per channel. */
function channelSum(ctx: VjpContext, v: string, axes: string, cDims: Shape): string {
  return ctx.emit('ReduceSum', [v, axes], { keepdims: 0 }, cDims);
}

registerVjp('BatchNormalization', {
  differentiableInputs: (n) => (n.input ?? []).map((_, i) => i),
  vjp: (ctx, node, [dy], wanted) => {
    const [x, scale, bias, mean, variance] = node.input!;
    const rank = ctx.rank(x);
    const eps = floatAttribute(node, 'epsilon', 1e-5);
    if (intAttribute(node, 'training_mode', 0) !== 0) {
      // Momentum 0 (the trainer's form): the node's running-statistics outputs are the batch moments.
      if (floatAttribute(node, 'momentum', 0.9) === 0) return batchNormTrainingFromMoments(ctx, node, x, scale, dy!, wanted, rank, eps);
      return batchNormTrainingVjp(ctx, x, scale, dy!, wanted, rank, eps);
    }
    const sx = ctx.shapes.get(x);
    const cDims = ctx.shapes.get(scale);
    const invStd = invStdOf(ctx, variance, eps, cDims, variance);
    const axes = channelAxes(ctx, rank);
    const sumDy = () => channelSum(ctx, dy!, axes, cDims);
    const centered = () => centeredOf(ctx, x, mean, rank, sx);
    const grads: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
    if (wanted[0]) grads[0] = ctx.emit('Mul', [dy!, perChannel(ctx, ctx.emit('Mul', [scale, invStd], {}, cDims), rank)], {}, sx);
    if (wanted[1]) {
      const xhat = ctx.emit('Mul', [centered(), perChannel(ctx, invStd, rank)], {}, sx);
      grads[1] = channelSum(ctx, ctx.emit('Mul', [dy!, xhat], {}, sx), axes, cDims);
    }
    if (wanted[2]) grads[2] = sumDy();
    if (wanted[3]) grads[3] = ctx.emit('Neg', [ctx.emit('Mul', [sumDy(), ctx.emit('Mul', [scale, invStd], {}, cDims)], {}, cDims)], {}, cDims);
    if (wanted[4]) {
      // d/dvar of scale*(x-mean)*(var+eps)^(-1/2) = -0.5 * scale * (x-mean) * invstd^3
      const dot = channelSum(ctx, ctx.emit('Mul', [dy!, centered()], {}, sx), axes, cDims);
      const cube = ctx.emit('Mul', [invStd, ctx.emit('Mul', [invStd, invStd], {}, cDims)], {}, cDims);
      grads[4] = ctx.emit('Mul', [ctx.emit('Mul', [dot, ctx.emit('Mul', [scale, cube], {}, cDims)], {}, cDims), ctx.scalar(-0.5, scale)], {}, cDims);
    }
    return grads;
  },
});

/**
 * Gradient of y = xhat * scale + bias w.r.t. x, where xhat normalises x over `axes`:
 * dx = invstd * (g - mean(g) - xhat * mean(g * xhat)).
 */
function normalizedInputGradient(ctx: VjpContext, g: string, xhat: string, invStd: string, axes: number[], reducedDims: Dims): string {
  const s = ctx.shapes.get(xhat);
  const dataType = ctx.dataType(xhat);
  const ax = ctx.int64(axes);
  const meanG = ctx.emit('ReduceMean', [g, ax], { keepdims: 1 }, { dims: reducedDims, dataType });
  const meanGX = ctx.emit('ReduceMean', [ctx.emit('Mul', [g, xhat], {}, s), ax], { keepdims: 1 }, { dims: reducedDims, dataType });
  const inner = ctx.emit('Sub', [ctx.emit('Sub', [g, meanG], {}, s), ctx.emit('Mul', [xhat, meanGX], {}, s)], {}, s);
  return ctx.emit('Mul', [inner, invStd], {}, s);
}

/** Training-mode BatchNormalization: x̂ from batch statistics; dx by the normalisation formula with g = dy·scale. */
function batchNormTrainingVjp(ctx: VjpContext, x: string, scale: string, dy: string, wanted: readonly boolean[], rank: number, eps: number): (string | undefined)[] {
  const axes = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)];
  const sx = ctx.shapes.get(x);
  const cDims = ctx.shapes.get(scale);
  const { xhat, invStd, reducedDims } = moments(ctx, x, axes, eps);
  const grads: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
  if (wanted[0]) grads[0] = normalizedInputGradient(ctx, ctx.emit('Mul', [dy, perChannel(ctx, scale, rank)], {}, sx), xhat, invStd, axes, reducedDims);
  if (wanted[1]) grads[1] = ctx.emit('ReduceSum', [ctx.emit('Mul', [dy, xhat], {}, sx), ctx.int64(axes)], { keepdims: 0 }, cDims);
  if (wanted[2]) grads[2] = ctx.emit('ReduceSum', [dy, ctx.int64(axes)], { keepdims: 0 }, cDims);
  return grads;
}

/**
 * Training-mode BatchNormalization with momentum 0, whose outputs 1 and 2 are the batch mean μ and biased
 * variance σ²: the moments are read there instead of recomputed, and dx is one per-channel affine map of
 * dy and x − μ (the formula of PyTorch's native batch_norm_backward), with M = N·spatial values per channel:
 *   dbias = Σ dy,  dscale = invstd · Σ dy·(x − μ),
 *   dx = a·dy + b·(x − μ) + c,  a = scale·invstd,  b = −a·invstd·dscale / M,  c = −a·dbias / M.
 * Eight passes over the activation instead of about fifteen.
 */
function batchNormTrainingFromMoments(ctx: VjpContext, node: NodeProto, x: string, scale: string, dy: string, wanted: readonly boolean[], rank: number, eps: number): (string | undefined)[] {
  const sx = ctx.shapes.get(x)!;
  const cDims = ctx.shapes.get(scale)!;
  const mean = ctx.ensureOutput(node, 1, cDims.dims, cDims.dataType);
  const variance = ctx.ensureOutput(node, 2, cDims.dims, cDims.dataType);
  const axes = channelAxes(ctx, rank);
  const invStd = invStdOf(ctx, variance, eps, cDims, x);
  const centered = centeredOf(ctx, x, mean, rank, sx);
  const sumDy = channelSum(ctx, dy, axes, cDims);
  const dScale = ctx.emit('Mul', [channelSum(ctx, ctx.emit('Mul', [dy, centered], {}, sx), axes, cDims), invStd], {}, cDims);
  const grads: (string | undefined)[] = [undefined, wanted[1] ? dScale : undefined, wanted[2] ? sumDy : undefined, undefined, undefined];
  if (wanted[0]) {
    const count = ctx.emit('Div', [ctx.emit('Cast', [ctx.emit('Size', [x], {}, { dims: [], dataType: DataType.INT64 })], { to: sx.dataType }, { dims: [], dataType: sx.dataType }), ctx.scalar(ctx.dims(x)[1] as number, x)], {}, { dims: [], dataType: sx.dataType });
    const a = ctx.emit('Mul', [scale, invStd], {}, cDims);
    const perValue = (v: string) => ctx.emit('Div', [v, count], {}, cDims);
    const b = ctx.emit('Neg', [perValue(ctx.emit('Mul', [a, ctx.emit('Mul', [invStd, dScale], {}, cDims)], {}, cDims))], {}, cDims);
    const c = ctx.emit('Neg', [perValue(ctx.emit('Mul', [a, sumDy], {}, cDims))], {}, cDims);
    const scaled = ctx.emit('Add', [ctx.emit('Mul', [dy, perChannel(ctx, a, rank)], {}, sx), ctx.emit('Mul', [centered, perChannel(ctx, b, rank)], {}, sx)], {}, sx);
    grads[0] = ctx.emit('Add', [scaled, perChannel(ctx, c, rank)], {}, sx);
  }
  return grads;
}

/** Mean and 1/sqrt(var + eps) over `axes` (keepdims), recomputed from x. */
function moments(ctx: VjpContext, x: string, axes: number[], eps: number): { xhat: string; invStd: string; reducedDims: Dims } {
  const s = ctx.shapes.get(x)!;
  const reducedDims = ctx.dims(x).map((d, i) => (axes.includes(i) ? 1 : d));
  const r = { dims: reducedDims, dataType: s.dataType };
  const ax = ctx.int64(axes);
  const mean = ctx.emit('ReduceMean', [x, ax], { keepdims: 1 }, r);
  const centered = ctx.emit('Sub', [x, mean], {}, s);
  const variance = ctx.emit('ReduceMean', [ctx.emit('Mul', [centered, centered], {}, s), ax], { keepdims: 1 }, r);
  const invStd = ctx.emit('Reciprocal', [ctx.emit('Sqrt', [ctx.emit('Add', [variance, ctx.scalar(eps, x)], {}, r)], {}, r)], {}, r);
  return { xhat: ctx.emit('Mul', [centered, invStd], {}, s), invStd, reducedDims };
}

registerVjp('LayerNormalization', {
  differentiableInputs: (n) => (n.input ?? []).map((_, i) => i),
  vjp: (ctx, node, [dy], wanted) => {
    const [x, scale, bias] = node.input!;
    const rank = ctx.rank(x);
    const axis = normAxis(intAttribute(node, 'axis', -1), rank);
    const eps = floatAttribute(node, 'epsilon', 1e-5);
    const axes = Array.from({ length: rank - axis }, (_, i) => axis + i);
    const s = ctx.shapes.get(x);
    const { xhat, invStd, reducedDims } = moments(ctx, x, axes, eps);
    const grads: (string | undefined)[] = [undefined, undefined, undefined];
    if (wanted[0]) grads[0] = normalizedInputGradient(ctx, ctx.emit('Mul', [dy!, scale], {}, s), xhat, invStd, axes, reducedDims);
    const lead = ctx.int64(Array.from({ length: axis }, (_, i) => i));
    if (wanted[1]) grads[1] = axis === 0 ? ctx.emit('Mul', [dy!, xhat], {}, s) : ctx.emit('ReduceSum', [ctx.emit('Mul', [dy!, xhat], {}, s), lead], { keepdims: 0 }, ctx.shapes.get(scale));
    if (wanted[2] && bias) grads[2] = axis === 0 ? dy! : ctx.emit('ReduceSum', [dy!, lead], { keepdims: 0 }, ctx.shapes.get(bias));
    return grads;
  },
});

registerVjp('InstanceNormalization', {
  differentiableInputs: () => [0, 1, 2],
  vjp: (ctx, node, [dy], wanted) => {
    const [x, scale, bias] = node.input!;
    const rank = ctx.rank(x);
    const eps = floatAttribute(node, 'epsilon', 1e-5);
    const spatialAxes = Array.from({ length: rank - 2 }, (_, i) => i + 2);
    const s = ctx.shapes.get(x);
    const { xhat, invStd, reducedDims } = moments(ctx, x, spatialAxes, eps);
    const grads: (string | undefined)[] = [undefined, undefined, undefined];
    if (wanted[0]) grads[0] = normalizedInputGradient(ctx, ctx.emit('Mul', [dy!, perChannel(ctx, scale, rank)], {}, s), xhat, invStd, spatialAxes, reducedDims);
    const axes = ctx.int64([0, ...spatialAxes]);
    if (wanted[1]) grads[1] = ctx.emit('ReduceSum', [ctx.emit('Mul', [dy!, xhat], {}, s), axes], { keepdims: 0 }, ctx.shapes.get(scale));
    if (wanted[2]) grads[2] = ctx.emit('ReduceSum', [dy!, axes], { keepdims: 0 }, ctx.shapes.get(bias));
    return grads;
  },
});

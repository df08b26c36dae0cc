// ReduceSum, ReduceMean (spread back over the reduced axes), ReduceMax/ReduceMin (to the extremal
// entries, split evenly on ties as torch.amax/amin). Axes come from the input (opset >= 18 form).
import type { NodeProto } from '../../onnx/proto.js';
import { DataType } from '../../onnx/proto.js';
import { intAttribute } from '../../onnx/build.js';
import { registerVjp } from '../registry.js';
import { normAxis, type VjpContext } from '../context.js';

/** Reduced axes, and dy reshaped to keepdims form so it broadcasts against x. */
function keptGradient(ctx: VjpContext, node: NodeProto, dy: string): { axes: number[]; kept: string; keptY?: string } {
  const x = node.input![0];
  const rank = ctx.rank(x);
  const given = ctx.constantValues(node.input![1]);
  if (node.input![1] && !given) ctx.fail(node, 'axes must be constant');
  const noop = intAttribute(node, 'noop_with_empty_axes', 0) === 1;
  const axes = given && given.length > 0 ? given.map((a) => normAxis(a, rank)) : noop ? [] : Array.from({ length: rank }, (_, i) => i);
  const keepdims = intAttribute(node, 'keepdims', 1) === 1;
  const keptDims = ctx.dims(x).map((d, i) => (axes.includes(i) ? 1 : d));
  const r = { dims: keptDims, dataType: ctx.dataType(x) };
  if (keepdims || axes.length === 0) return { axes, kept: dy, keptY: node.output![0] };
  const axesConst = ctx.int64([...axes].sort((a, b) => a - b));
  return { axes, kept: ctx.emit('Unsqueeze', [dy, axesConst], {}, r), keptY: ctx.emit('Unsqueeze', [node.output![0], axesConst], {}, r) };
}

const diffData = () => [0];

registerVjp('ReduceSum', {
  differentiableInputs: diffData,
  vjp: (ctx, node, [dy]) => {
    const x = node.input![0];
    const { kept } = keptGradient(ctx, node, dy!);
    return [ctx.emit('Expand', [kept, ctx.shapeOf(x)], {}, ctx.shapes.get(x))];
  },
});

registerVjp('ReduceMean', {
  differentiableInputs: diffData,
  vjp: (ctx, node, [dy]) => {
    const x = node.input![0];
    const { axes, kept } = keptGradient(ctx, node, dy!);
    const dims = ctx.dims(x);
    const expanded = ctx.emit('Expand', [kept, ctx.shapeOf(x)], {}, ctx.shapes.get(x));
    if (axes.every((a) => dims[a] !== null)) {
      const count = axes.reduce((n, a) => n * (dims[a] as number), 1);
      return [ctx.emit('Mul', [expanded, ctx.scalar(1 / count, x)], {}, ctx.shapes.get(x))];
    }
    // A reduced axis scales with the batch: divide by the runtime element count ratio.
    const i64 = { dims: [], dataType: DataType.INT64 };
    const ratio = ctx.emit('Div', [ctx.emit('Size', [x], {}, i64), ctx.emit('Size', [node.output![0]], {}, i64)], {}, i64);
    const count = ctx.emit('Cast', [ratio], { to: ctx.dataType(x) }, { dims: [], dataType: ctx.dataType(x) });
    return [ctx.emit('Div', [expanded, count], {}, ctx.shapes.get(x))];
  },
});

registerVjp(['ReduceMax', 'ReduceMin'], {
  differentiableInputs: diffData,
  vjp: (ctx, node, [dy]) => {
    const x = node.input![0];
    const { axes, kept, keptY } = keptGradient(ctx, node, dy!);
    const s = ctx.shapes.get(x);
    const keptShape = ctx.shapes.get(kept);
    const mask = ctx.emit('Cast', [ctx.emit('Equal', [x, keptY!], {}, { dims: ctx.dims(x), dataType: DataType.BOOL })], { to: ctx.dataType(x) }, s);
    const count = ctx.emit('ReduceSum', [mask, ctx.int64(axes)], { keepdims: 1 }, keptShape);
    return [ctx.emit('Mul', [mask, ctx.emit('Div', [kept, count], {}, keptShape)], {}, s)];
  },
});

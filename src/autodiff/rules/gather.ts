// Gather, GatherElements and TopK: scatter the gradient back to the gathered positions with
// ScatterElements(reduction='add'), so repeated indices accumulate.
import { DataType } from '../../onnx/proto.js';
import { intAttribute } from '../../onnx/build.js';
import { registerVjp } from '../registry.js';
import { normAxis } from '../context.js';

registerVjp('Gather', {
  vjp: (ctx, node, [dy]) => {
    const [x, indices] = node.input!;
    const rank = ctx.rank(x);
    const axis = normAxis(intAttribute(node, 'axis', 0), rank);
    const xDims = ctx.dims(x);
    const idxDims = ctx.dims(indices);
    const count = idxDims.reduce<number>((n, d) => n * (d ?? ctx.fail(node, 'indices must have a static shape')), 1);
    // dy: x[:axis] + idx + x[axis+1:] -> x[:axis] + [count] + x[axis+1:]
    const flatDims = xDims.map((d, i) => (i === axis ? count : d));
    const flatDy = ctx.reshape(dy!, flatDims, undefined);
    // Constant indices that pick a contiguous run (q/k/v of a fused projection, a class token): the
    // gradient is dy padded with zeros along the axis, much cheaper than a scatter.
    const size = xDims[axis];
    const constant = ctx.constantValues(indices)?.map((v) => (size !== null && v < 0 ? v + size : v));
    if (size !== null && constant && constant.length === count && constant.every((v, i) => v === constant[0] + i && v >= 0 && v < size)) {
      const pads = new Array(2 * rank).fill(0);
      pads[axis] = constant[0];
      pads[axis + rank] = size - constant[0] - count;
      return [ctx.emit('Pad', [flatDy, ctx.int64(pads)], {}, ctx.shapes.get(x))];
    }
    const idxShape = xDims.map((_, i) => (i === axis ? count : 1));
    const idx64 = ctx.dataType(indices) === DataType.INT64 ? indices : ctx.emit('Cast', [indices], { to: DataType.INT64 }, { dims: idxDims, dataType: DataType.INT64 });
    const idxView = ctx.reshape(idx64, idxShape);
    const idxFull = ctx.emit('Expand', [idxView, ctx.shapeOf(flatDy)], {}, { dims: flatDims, dataType: DataType.INT64 });
    const zeros = ctx.zerosLike(x);
    return [ctx.emit('ScatterElements', [zeros, idxFull, flatDy], { axis, reduction: 'add' }, ctx.shapes.get(x))];
  },
});

registerVjp('GatherElements', {
  vjp: (ctx, node, [dy]) => {
    const [x, indices] = node.input!;
    const axis = normAxis(intAttribute(node, 'axis', 0), ctx.rank(x));
    return [ctx.emit('ScatterElements', [ctx.zerosLike(x), indices, dy!], { axis, reduction: 'add' }, ctx.shapes.get(x))];
  },
});

registerVjp('TopK', {
  vjp: (ctx, node, [dValues]) => {
    const x = node.input![0];
    const axis = normAxis(intAttribute(node, 'axis', -1), ctx.rank(x));
    if (!dValues) return [undefined];
    const indices = node.output![1] || ctx.ensureOutput(node, 1, ctx.dims(node.output![0]), DataType.INT64);
    return [ctx.emit('ScatterElements', [ctx.zerosLike(x), indices, dValues], { axis, reduction: 'add' }, ctx.shapes.get(x))];
  },
});

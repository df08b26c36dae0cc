// Layout ops: Reshape/Flatten/Squeeze/Unsqueeze (reshape the gradient back to the input's runtime
// shape), Transpose (inverse permutation), Expand (sum over the broadcast axes) and Tile (sum over repeats).
import { intsAttribute } from '../../onnx/build.js';
import { registerVjp } from '../registry.js';

registerVjp(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze'], {
  vjp: (ctx, node, [dy]) => {
    const x = node.input![0];
    return [ctx.emit('Reshape', [dy!, ctx.shapeOf(x)], {}, ctx.shapes.get(x))];
  },
});

registerVjp('Transpose', {
  vjp: (ctx, node, [dy]) => {
    const x = node.input![0];
    const rank = ctx.rank(x);
    const perm = intsAttribute(node, 'perm', undefined) ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    const inverse = new Array<number>(rank);
    perm.forEach((p, i) => (inverse[p] = i));
    return [ctx.emit('Transpose', [dy!], { perm: inverse }, ctx.shapes.get(x))];
  },
});

registerVjp('Expand', { vjp: (ctx, node, [dy]) => [ctx.unbroadcast(dy!, node.input![0])] });

registerVjp('Tile', {
  // y viewed as [r0, d0, r1, d1, ...]: sum over the repeat axes.
  vjp: (ctx, node, [dy]) => {
    const x = node.input![0];
    const repeats = ctx.requireConstant(node.input![1], node, 'repeats');
    const dims = ctx.dims(x);
    const interleaved = dims.flatMap((d, i) => [repeats[i], d]);
    const view = ctx.reshape(dy!, interleaved);
    const axes = dims.map((_, i) => 2 * i);
    const summed = ctx.emit('ReduceSum', [view, ctx.int64(axes)], { keepdims: 0 }, ctx.shapes.get(x));
    return [summed];
  },
});

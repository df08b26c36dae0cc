// Concat (split the gradient at the inputs' extents) and Split (concatenate the pieces' gradients,
// zeros for pieces that do not reach the loss).
import { intAttribute } from '../../onnx/build.js';
import { registerVjp } from '../registry.js';
import { normAxis } from '../context.js';

registerVjp('Concat', {
  differentiableInputs: (n) => (n.input ?? []).map((_, i) => i),
  vjp: (ctx, node, [dy], wanted) => {
    const inputs = node.input!;
    const axis = normAxis(intAttribute(node, 'axis', 0), ctx.rank(inputs[0]));
    const sizes = inputs.map((x) => ctx.dims(x)[axis] ?? ctx.fail(node, `concatenation along a batch-sized axis ${axis} is not supported`));
    const pieces = ctx.emitN('Split', [dy!, ctx.int64(sizes)], inputs.length, { axis });
    pieces.forEach((p, i) => ctx.sameShape(p, inputs[i]));
    return inputs.map((_, i) => (wanted[i] ? pieces[i] : undefined));
  },
});

registerVjp('Split', {
  vjp: (ctx, node, dys) => {
    const x = node.input![0];
    const axis = normAxis(intAttribute(node, 'axis', 0), ctx.rank(x));
    const parts = node.output!.map((o, i) => dys[i] ?? ctx.zerosLike(o));
    return [ctx.emit('Concat', parts, { axis }, ctx.shapes.get(x))];
  },
});

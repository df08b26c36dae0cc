// Softmax and LogSoftmax over one axis (opset >= 13 semantics; older models are rewritten by onnx/opset.ts).
import { intAttribute } from '../../onnx/build.js';
import { registerVjp } from '../registry.js';
import { normAxis } from '../context.js';

registerVjp('Softmax', {
  // dx = y * (dy - sum(dy*y, axis))
  vjp: (ctx, node, [dy]) => {
    const y = node.output![0];
    const s = ctx.shapes.get(y);
    const axis = normAxis(intAttribute(node, 'axis', -1), ctx.rank(y));
    const prod = ctx.emit('Mul', [dy!, y], {}, s);
    const dims = ctx.dims(y).map((d, i) => (i === axis ? 1 : d));
    const dot = ctx.emit('ReduceSum', [prod, ctx.int64([axis])], { keepdims: 1 }, { dims, dataType: ctx.dataType(y) });
    return [ctx.emit('Mul', [y, ctx.emit('Sub', [dy!, dot], {}, s)], {}, s)];
  },
});

registerVjp('LogSoftmax', {
  // dx = dy - exp(y) * sum(dy, axis)
  vjp: (ctx, node, [dy]) => {
    const y = node.output![0];
    const s = ctx.shapes.get(y);
    const axis = normAxis(intAttribute(node, 'axis', -1), ctx.rank(y));
    const dims = ctx.dims(y).map((d, i) => (i === axis ? 1 : d));
    const total = ctx.emit('ReduceSum', [dy!, ctx.int64([axis])], { keepdims: 1 }, { dims, dataType: ctx.dataType(y) });
    return [ctx.emit('Sub', [dy!, ctx.emit('Mul', [ctx.emit('Exp', [y], {}, s), total], {}, s)], {}, s)];
  },
});

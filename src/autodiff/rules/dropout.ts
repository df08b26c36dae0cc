// Dropout: the identity in inference form (no training_mode input, or a constant false); in training form
// (training_mode true) y = x · mask / (1 − ratio), so dx = dy · mask / (1 − ratio) with the mask the node
// itself drew (its second output, added when the model did not name it). The mask output has no gradient.
import { DataType } from '../../onnx/proto.js';
import { registerVjp } from '../registry.js';

registerVjp('Dropout', {
  vjp: (ctx, node, [dy]) => {
    const [x, ratio, trainingMode] = node.input!;
    const training = trainingMode ? ctx.constantValues(trainingMode) : [0];
    if (training && training[0] === 0) return [dy];
    const rate = ratio ? ctx.requireConstant(ratio, node, 'the dropout ratio')[0] : 0.5;
    const mask = ctx.ensureOutput(node, 1, ctx.dims(x), DataType.BOOL);
    const shape = ctx.shapes.get(x);
    const kept = ctx.emit('Cast', [mask], { to: ctx.dataType(x) }, shape);
    return [ctx.emit('Mul', [ctx.emit('Mul', [dy!, kept], {}, shape), ctx.scalar(1 / (1 - rate), x)], {}, shape)];
  },
});

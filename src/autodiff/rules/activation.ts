// Pointwise activations. Derivatives at kinks follow PyTorch's autograd so end-to-end gradients match
// torch: ReLU passes nothing at 0, Clip passes on the open interval (min, max) as ReLU6, hardsigmoid
// and hardswish use the closed forms of torch.nn.functional (hardswish'(x) = x/3 + 1/2 on [-3, 3]).
import { DataType } from '../../onnx/proto.js';
import { floatAttribute, stringAttribute } from '../../onnx/build.js';
import { registerVjp } from '../registry.js';
import type { VjpContext } from '../context.js';

const like = (ctx: VjpContext, name: string) => ctx.shapes.get(name);
const boolLike = (ctx: VjpContext, name: string) => ({ dims: ctx.dims(name), dataType: DataType.BOOL });

function mul(ctx: VjpContext, a: string, b: string): string {
  return ctx.emit('Mul', [a, b], {}, like(ctx, a));
}

/** Where(cond(x), dy, 0). */
function gate(ctx: VjpContext, cond: string, dy: string): string {
  return ctx.emit('Where', [cond, dy, ctx.scalar(0, dy)], {}, like(ctx, dy));
}

registerVjp('Relu', {
  // Gate on the output, as torch's threshold_backward does: y > 0 exactly where x > 0, and reading y
  // leaves the Conv -> Relu pair free for onnxruntime to fuse.
  // Mask = Cast(Cast(y, bool), float): y >= 0, so nonzero means y > 0. Measured faster in
  // onnxruntime's CPU provider than Sign(y) or Where(y > 0, dy, 0).
  vjp: (ctx, node, [dy]) => {
    const y = node.output![0];
    const nonzero = ctx.emit('Cast', [y], { to: DataType.BOOL }, boolLike(ctx, y));
    return [mul(ctx, dy!, ctx.emit('Cast', [nonzero], { to: ctx.dataType(y) }, like(ctx, y)))];
  },
});

registerVjp('LeakyRelu', {
  vjp: (ctx, node, [dy]) => {
    const x = node.input![0];
    const alpha = floatAttribute(node, 'alpha', 0.01);
    const pos = ctx.emit('Greater', [x, ctx.scalar(0, x)], {}, boolLike(ctx, x));
    return [ctx.emit('Where', [pos, dy!, mul(ctx, dy!, ctx.scalar(alpha, dy!))], {}, like(ctx, dy!))];
  },
});

registerVjp('Elu', {
  // x > 0: 1; else alpha*exp(x) = y + alpha
  vjp: (ctx, node, [dy]) => {
    const [x, y] = [node.input![0], node.output![0]];
    const alpha = floatAttribute(node, 'alpha', 1);
    const pos = ctx.emit('Greater', [x, ctx.scalar(0, x)], {}, boolLike(ctx, x));
    const neg = mul(ctx, dy!, ctx.emit('Add', [y, ctx.scalar(alpha, y)], {}, like(ctx, y)));
    return [ctx.emit('Where', [pos, dy!, neg], {}, like(ctx, dy!))];
  },
});

registerVjp('Sigmoid', {
  vjp: (ctx, node, [dy]) => {
    const y = node.output![0];
    const oneMinus = ctx.emit('Sub', [ctx.scalar(1, y), y], {}, like(ctx, y));
    return [mul(ctx, dy!, mul(ctx, y, oneMinus))];
  },
});

registerVjp('Tanh', {
  vjp: (ctx, node, [dy]) => {
    const y = node.output![0];
    const oneMinusSq = ctx.emit('Sub', [ctx.scalar(1, y), mul(ctx, y, y)], {}, like(ctx, y));
    return [mul(ctx, dy!, oneMinusSq)];
  },
});

/** 2/sqrt(pi) * exp(-x^2) */
function erfDerivative(ctx: VjpContext, x: string): string {
  const negSq = ctx.emit('Neg', [mul(ctx, x, x)], {}, like(ctx, x));
  return mul(ctx, ctx.emit('Exp', [negSq], {}, like(ctx, x)), ctx.scalar(2 / Math.sqrt(Math.PI), x));
}

registerVjp('Erf', { vjp: (ctx, node, [dy]) => [mul(ctx, dy!, erfDerivative(ctx, node.input![0]))] });

registerVjp('Softplus', {
  vjp: (ctx, node, [dy]) => [mul(ctx, dy!, ctx.emit('Sigmoid', [node.input![0]], {}, like(ctx, node.input![0])))],
});

registerVjp('Clip', {
  // Passes where min < y < max, i.e. min < x < max: torch's hardtanh/ReLU6 backward (clamp's differs
  // only at x exactly on a bound). Reading y leaves Conv -> Clip free for onnxruntime to fuse.
  vjp: (ctx, node, [dy]) => {
    const [, min, max] = node.input!;
    const y = node.output![0];
    const b = boolLike(ctx, y);
    let inside: string | undefined;
    if (min) inside = ctx.emit('Greater', [y, min], {}, b);
    if (max) {
      const below = ctx.emit('Less', [y, max], {}, b);
      inside = inside ? ctx.emit('And', [inside, below], {}, b) : below;
    }
    return [inside ? mul(ctx, dy!, ctx.emit('Cast', [inside], { to: ctx.dataType(y) }, like(ctx, y))) : dy!];
  },
});

registerVjp('HardSigmoid', {
  // y = max(0, min(1, alpha*x + beta)); slope alpha strictly inside (0, 1).
  vjp: (ctx, node, [dy]) => {
    const x = node.input![0];
    const alpha = floatAttribute(node, 'alpha', 0.2);
    const beta = floatAttribute(node, 'beta', 0.5);
    const b = boolLike(ctx, x);
    const z = ctx.emit('Add', [mul(ctx, x, ctx.scalar(alpha, x)), ctx.scalar(beta, x)], {}, like(ctx, x));
    const inside = ctx.emit('And', [ctx.emit('Greater', [z, ctx.scalar(0, x)], {}, b), ctx.emit('Less', [z, ctx.scalar(1, x)], {}, b)], {}, b);
    return [gate(ctx, inside, mul(ctx, dy!, ctx.scalar(alpha, dy!)))];
  },
});

registerVjp('HardSwish', {
  // y = x * relu6(x + 3) / 6: derivative 0 below -3, 1 above 3, x/3 + 1/2 between (torch hardswish_backward).
  vjp: (ctx, node, [dy]) => {
    const x = node.input![0];
    const b = boolLike(ctx, x);
    const mid = ctx.emit('Add', [mul(ctx, x, ctx.scalar(1 / 3, x)), ctx.scalar(0.5, x)], {}, like(ctx, x));
    const above = ctx.emit('Where', [ctx.emit('Greater', [x, ctx.scalar(3, x)], {}, b), ctx.scalar(1, x), mid], {}, like(ctx, x));
    const deriv = ctx.emit('Where', [ctx.emit('Less', [x, ctx.scalar(-3, x)], {}, b), ctx.scalar(0, x), above], {}, like(ctx, x));
    return [mul(ctx, dy!, deriv)];
  },
});

registerVjp('Gelu', {
  // exact: Phi(x) + x*phi(x); tanh form: derivative of 0.5x(1 + tanh(c(x + 0.044715x^3))), c = sqrt(2/pi).
  vjp: (ctx, node, [dy]) => {
    const x = node.input![0];
    const s = like(ctx, x);
    if (stringAttribute(node, 'approximate', 'none') === 'tanh') {
      const c = Math.sqrt(2 / Math.PI);
      const x2 = mul(ctx, x, x);
      const inner = mul(ctx, ctx.emit('Add', [x, mul(ctx, mul(ctx, x2, x), ctx.scalar(0.044715, x))], {}, s), ctx.scalar(c, x));
      const t = ctx.emit('Tanh', [inner], {}, s);
      const dInner = mul(ctx, ctx.emit('Add', [ctx.scalar(1, x), mul(ctx, x2, ctx.scalar(3 * 0.044715, x))], {}, s), ctx.scalar(c, x));
      const sech2 = ctx.emit('Sub', [ctx.scalar(1, x), mul(ctx, t, t)], {}, s);
      const left = mul(ctx, ctx.emit('Add', [ctx.scalar(1, x), t], {}, s), ctx.scalar(0.5, x));
      const right = mul(ctx, mul(ctx, mul(ctx, x, sech2), dInner), ctx.scalar(0.5, x));
      return [mul(ctx, dy!, ctx.emit('Add', [left, right], {}, s))];
    }
    const cdf = mul(ctx, ctx.emit('Add', [ctx.scalar(1, x), ctx.emit('Erf', [mul(ctx, x, ctx.scalar(Math.SQRT1_2, x))], {}, s)], {}, s), ctx.scalar(0.5, x));
    const pdf = mul(ctx, ctx.emit('Exp', [mul(ctx, mul(ctx, x, x), ctx.scalar(-0.5, x))], {}, s), ctx.scalar(1 / Math.sqrt(2 * Math.PI), x));
    return [mul(ctx, dy!, ctx.emit('Add', [cdf, mul(ctx, x, pdf)], {}, s))];
  },
});

registerVjp('PRelu', {
  // y = x for x > 0, slope * x otherwise (slope broadcasts against x).
  differentiableInputs: () => [0, 1],
  vjp: (ctx, node, [dy], wanted) => {
    const [x, slope] = node.input!;
    const pos = ctx.emit('Greater', [x, ctx.scalar(0, x)], {}, boolLike(ctx, x));
    const zero = ctx.scalar(0, dy!);
    const dx = wanted[0] ? ctx.emit('Where', [pos, dy!, mul(ctx, dy!, slope)], {}, like(ctx, dy!)) : undefined;
    const dslope = wanted[1] ? ctx.unbroadcast(ctx.emit('Where', [pos, zero, mul(ctx, dy!, x)], {}, like(ctx, dy!)), slope) : undefined;
    return [dx, dslope];
  },
});

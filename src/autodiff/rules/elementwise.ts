// Arithmetic with numpy broadcasting (Add, Sub, Mul, Div, Pow, Sum, Mean, Min, Max, Where) and the
// unary maps whose derivative is a closed form of x or y (Neg, Sqrt, Reciprocal, Exp, Log, Abs).
// Broadcasting is undone by summing over the broadcast axes (VjpContext.unbroadcast).
import { DataType } from '../../onnx/proto.js';
import { registerVjp } from '../registry.js';
import type { VjpContext } from '../context.js';

const all = (n: { input?: string[] | null }) => (n.input ?? []).map((_, i) => i);
const like = (ctx: VjpContext, name: string) => ctx.shapes.get(name);

/** dy * f, recorded with dy's shape (the output's). */
function times(ctx: VjpContext, dy: string, f: string): string {
  return ctx.emit('Mul', [dy, f], {}, like(ctx, dy));
}

registerVjp('Add', {
  differentiableInputs: all,
  vjp: (ctx, node, [dy], wanted) => node.input!.map((x, i) => (wanted[i] ? ctx.unbroadcast(dy!, x) : undefined)),
});

registerVjp('Sub', {
  differentiableInputs: all,
  vjp: (ctx, node, [dy], wanted) => [
    wanted[0] ? ctx.unbroadcast(dy!, node.input![0]) : undefined,
    wanted[1] ? ctx.unbroadcast(ctx.emit('Neg', [dy!], {}, like(ctx, dy!)), node.input![1]) : undefined,
  ],
});

registerVjp('Mul', {
  differentiableInputs: all,
  vjp: (ctx, node, [dy], wanted) => {
    const [a, b] = node.input!;
    return [wanted[0] ? ctx.unbroadcast(times(ctx, dy!, b), a) : undefined, wanted[1] ? ctx.unbroadcast(times(ctx, dy!, a), b) : undefined];
  },
});

registerVjp('Div', {
  differentiableInputs: all,
  vjp: (ctx, node, [dy], wanted) => {
    const [a, b] = node.input!;
    const y = node.output![0];
    const da = wanted[0] ? ctx.unbroadcast(ctx.emit('Div', [dy!, b], {}, like(ctx, dy!)), a) : undefined;
    // d(a/b)/db = -y/b
    const db = wanted[1] ? ctx.unbroadcast(ctx.emit('Neg', [ctx.emit('Div', [times(ctx, dy!, y), b], {}, like(ctx, dy!))], {}, like(ctx, dy!)), b) : undefined;
    return [da, db];
  },
});

registerVjp('Pow', {
  differentiableInputs: (n) => [0, 1],
  vjp: (ctx, node, [dy], wanted) => {
    const [a, b] = node.input!;
    const y = node.output![0];
    const s = like(ctx, dy!);
    let da: string | undefined;
    if (wanted[0]) {
      // b * a^(b-1); the exponent may be an integer tensor, so cast it to a's type first.
      const bf = ctx.dataType(b) === ctx.dataType(a) ? b : ctx.emit('Cast', [b], { to: ctx.dataType(a) }, { dims: ctx.dims(b), dataType: ctx.dataType(a) });
      const bm1 = ctx.emit('Sub', [bf, ctx.scalar(1, a)], {}, like(ctx, bf));
      const deriv = ctx.emit('Mul', [bf, ctx.emit('Pow', [a, bm1], {}, s)], {}, s);
      da = ctx.unbroadcast(times(ctx, dy!, deriv), a);
    }
    const db = wanted[1] ? ctx.unbroadcast(times(ctx, dy!, ctx.emit('Mul', [y, ctx.emit('Log', [a], {}, like(ctx, a))], {}, s)), b) : undefined;
    return [da, db];
  },
});

registerVjp('Neg', { vjp: (ctx, _n, [dy]) => [ctx.emit('Neg', [dy!], {}, like(ctx, dy!))] });

registerVjp('Sqrt', {
  // d sqrt(x) = 0.5 / y
  vjp: (ctx, node, [dy]) => [ctx.emit('Div', [times(ctx, dy!, ctx.scalar(0.5, dy!)), node.output![0]], {}, like(ctx, dy!))],
});

registerVjp('Reciprocal', {
  // d(1/x) = -y^2
  vjp: (ctx, node, [dy]) => {
    const y = node.output![0];
    return [ctx.emit('Neg', [times(ctx, dy!, ctx.emit('Mul', [y, y], {}, like(ctx, y)))], {}, like(ctx, dy!))];
  },
});

registerVjp('Exp', { vjp: (ctx, node, [dy]) => [times(ctx, dy!, node.output![0])] });
registerVjp('Log', { vjp: (ctx, node, [dy]) => [ctx.emit('Div', [dy!, node.input![0]], {}, like(ctx, dy!))] });
registerVjp('Abs', { vjp: (ctx, node, [dy]) => [times(ctx, dy!, ctx.emit('Sign', [node.input![0]], {}, like(ctx, dy!)))] });

registerVjp('Identity', {
  vjp: (_ctx, _n, [dy]) => [dy],
});

registerVjp('Cast', {
  vjp: (ctx, node, [dy]) => {
    const x = node.input![0];
    return [ctx.emit('Cast', [dy!], { to: ctx.dataType(x) }, like(ctx, x))];
  },
});

registerVjp('Sum', {
  differentiableInputs: all,
  vjp: (ctx, node, [dy], wanted) => node.input!.map((x, i) => (wanted[i] ? ctx.unbroadcast(dy!, x) : undefined)),
});

registerVjp('Mean', {
  differentiableInputs: all,
  vjp: (ctx, node, [dy], wanted) => {
    const scaled = times(ctx, dy!, ctx.scalar(1 / node.input!.length, dy!));
    return node.input!.map((x, i) => (wanted[i] ? ctx.unbroadcast(scaled, x) : undefined));
  },
});

/** Min/Max: the gradient goes to the input(s) equal to the result, split evenly on ties (as torch.maximum). */
function extremumVjp(ctx: VjpContext, node: { input?: string[] | null; output?: string[] | null }, dy: string, wanted: boolean[]) {
  const y = node.output![0];
  const s = like(ctx, dy);
  const masks = node.input!.map((x) => ctx.emit('Cast', [ctx.emit('Equal', [x, y], {}, { dims: ctx.dims(y), dataType: DataType.BOOL })], { to: ctx.dataType(y) }, s));
  const count = masks.length === 1 ? masks[0] : ctx.emit('Sum', masks, {}, s);
  const share = ctx.emit('Div', [dy, count], {}, s);
  return node.input!.map((x, i) => (wanted[i] ? ctx.unbroadcast(times(ctx, share, masks[i]), x) : undefined));
}

registerVjp(['Min', 'Max'], { differentiableInputs: all, vjp: (ctx, node, [dy], wanted) => extremumVjp(ctx, node, dy!, wanted) });

registerVjp('Where', {
  differentiableInputs: () => [1, 2],
  vjp: (ctx, node, [dy], wanted) => {
    const [cond, a, b] = node.input!;
    const zero = ctx.scalar(0, dy!);
    const s = like(ctx, dy!);
    return [
      undefined,
      wanted[1] ? ctx.unbroadcast(ctx.emit('Where', [cond, dy!, zero], {}, s), a) : undefined,
      wanted[2] ? ctx.unbroadcast(ctx.emit('Where', [cond, zero, dy!], {}, s), b) : undefined,
    ];
  },
});

// MatMul (numpy semantics: 1-D promotion, batched, broadcast batch dims) and Gemm.
import { floatAttribute, intAttribute } from '../../onnx/build.js';
import { registerVjp } from '../registry.js';
import type { Dims, VjpContext } from '../context.js';

/** Swaps the last two axes. */
function transposeLast(ctx: VjpContext, x: string): string {
  const r = ctx.rank(x);
  const perm = Array.from({ length: r }, (_, i) => i);
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  const d = ctx.dims(x);
  return ctx.emit('Transpose', [x], { perm }, { dims: perm.map((p) => d[p]), dataType: ctx.dataType(x) });
}

function unsqueeze(ctx: VjpContext, x: string, axis: number): string {
  const d = [...ctx.dims(x)];
  d.splice(axis < 0 ? d.length + 1 + axis : axis, 0, 1);
  return ctx.emit('Unsqueeze', [x, ctx.int64([axis])], {}, { dims: d, dataType: ctx.dataType(x) });
}

function matmul(ctx: VjpContext, a: string, b: string): string {
  const da = ctx.dims(a);
  const db = ctx.dims(b);
  const batch: Dims = [];
  const ba = da.slice(0, -2);
  const bb = db.slice(0, -2);
  const n = Math.max(ba.length, bb.length);
  for (let i = 0; i < n; i++) {
    const x = ba[ba.length - n + i] ?? 1;
    const y = bb[bb.length - n + i] ?? 1;
    batch.push(x === 1 ? y : x);
  }
  return ctx.emit('MatMul', [a, b], {}, { dims: [...batch, da[da.length - 2], db[db.length - 1]], dataType: ctx.dataType(a) });
}

registerVjp('MatMul', {
  differentiableInputs: () => [0, 1],
  vjp: (ctx, node, [dy], wanted) => {
    const [a, b] = node.input!;
    const aVec = ctx.rank(a) === 1;
    const bVec = ctx.rank(b) === 1;
    const a2 = aVec ? unsqueeze(ctx, a, 0) : a;
    const b2 = bVec ? unsqueeze(ctx, b, 1) : b;
    let g = dy!;
    if (aVec) g = unsqueeze(ctx, g, -2);
    if (bVec) g = unsqueeze(ctx, g, -1);
    const restore = (grad: string, target: string, promoted: string, vec: boolean) => {
      const reduced = ctx.unbroadcast(grad, promoted);
      return vec ? ctx.reshape(reduced, ctx.dims(target)) : reduced;
    };
    let ga: string | undefined;
    let gb: string | undefined;
    if (wanted[0]) ga = restore(matmul(ctx, g, transposeLast(ctx, b2)), a, a2, aVec);
    if (wanted[1]) {
      const rankA = ctx.rank(a2);
      if (ctx.rank(b2) === 2 && rankA > 2) {
        // A weight shared over the batch: one Gemm over the flattened rows instead of a batched
        // product followed by a sum (same result, no [batch, K, N] intermediate).
        const k = ctx.dims(a2)[rankA - 1];
        const nOut = ctx.dims(g)[ctx.rank(g) - 1];
        const aRows = ctx.reshape(a2, [null, k]);
        const gRows = ctx.reshape(g, [null, nOut]);
        const prod = ctx.emit('Gemm', [aRows, gRows], { transA: 1 }, { dims: [k, nOut], dataType: ctx.dataType(a) });
        gb = bVec ? ctx.reshape(prod, ctx.dims(b)) : prod;
      } else {
        gb = restore(matmul(ctx, transposeLast(ctx, a2), g), b, b2, bVec);
      }
    }
    return [ga, gb];
  },
});

registerVjp('Gemm', {
  // Y = alpha * op(A) op(B) + beta * C, op = optional transpose.
  differentiableInputs: (n) => (n.input ?? []).map((_, i) => i),
  vjp: (ctx, node, [dy], wanted) => {
    const [a, b, c] = node.input!;
    const alpha = floatAttribute(node, 'alpha', 1);
    const beta = floatAttribute(node, 'beta', 1);
    const transA = intAttribute(node, 'transA', 0);
    const transB = intAttribute(node, 'transB', 0);
    const out = (x: string) => ({ dims: ctx.dims(x), dataType: ctx.dataType(x) });
    let ga: string | undefined;
    let gb: string | undefined;
    let gc: string | undefined;
    if (wanted[0]) {
      // d op(A) = alpha * dY op(B)^T
      ga = transA ? ctx.emit('Gemm', [b, dy!], { alpha, transA: transB, transB: 1 }, out(a)) : ctx.emit('Gemm', [dy!, b], { alpha, transB: transB ? 0 : 1 }, out(a));
    }
    if (wanted[1]) {
      // d op(B) = alpha * op(A)^T dY
      gb = transB ? ctx.emit('Gemm', [dy!, a], { alpha, transA: 1, transB: transA }, out(b)) : ctx.emit('Gemm', [a, dy!], { alpha, transA: transA ? 0 : 1 }, out(b));
    }
    if (wanted[2] && c) {
      const scaled = beta === 1 ? dy! : ctx.emit('Mul', [dy!, ctx.scalar(beta, dy!)], {}, ctx.shapes.get(dy!));
      gc = ctx.unbroadcast(scaled, c);
    }
    return [ga, gb, gc];
  },
});

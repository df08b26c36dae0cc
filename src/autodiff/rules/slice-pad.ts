// Slice (any steps, negative included) and constant-mode Pad. The slice gradient is built per sliced
// axis from standard ops: reverse for negative steps, interleave zeros for |step| > 1 (Unsqueeze, Pad,
// Reshape), then Pad/Slice to place the selected positions in an input-sized zero tensor.
import { stringAttribute } from '../../onnx/build.js';
import { registerVjp } from '../registry.js';
import { normAxis, type VjpContext } from '../context.js';

/** The positions ONNX Slice selects on an axis of length `size` (Slice-13 clamping rules). */
export function sliceIndices(size: number, start: number, end: number, step: number): { first: number; count: number } {
  const clampStart = (v: number) => {
    let s = v < 0 ? v + size : v;
    return step > 0 ? Math.min(Math.max(s, 0), size) : Math.min(Math.max(s, -1), size - 1);
  };
  const s = clampStart(start);
  let e = end < 0 ? end + size : end;
  e = step > 0 ? Math.min(Math.max(e, 0), size) : Math.min(Math.max(e, -1), size - 1);
  const count = step > 0 ? Math.max(0, Math.ceil((e - s) / step)) : Math.max(0, Math.ceil((s - e) / -step));
  return { first: s, count };
}

/** Pads (or crops, for negative amounts) axis `axis` of `t` by `begin`/`end`. */
function padAxis(ctx: VjpContext, t: string, axis: number, begin: number, end: number): string {
  const dims = [...ctx.dims(t)];
  const dataType = ctx.dataType(t);
  const size = dims[axis] as number;
  let out = t;
  if (begin < 0 || end < 0) {
    const s = Math.max(0, -begin);
    const e = size - Math.max(0, -end);
    dims[axis] = e - s;
    out = ctx.emit('Slice', [out, ctx.int64([s]), ctx.int64([e]), ctx.int64([axis])], {}, { dims: [...dims], dataType });
  }
  const pb = Math.max(0, begin);
  const pe = Math.max(0, end);
  if (pb > 0 || pe > 0) {
    const rank = dims.length;
    const pads = new Array(2 * rank).fill(0);
    pads[axis] = pb;
    pads[axis + rank] = pe;
    dims[axis] = (dims[axis] as number) + pb + pe;
    out = ctx.emit('Pad', [out, ctx.int64(pads)], {}, { dims: [...dims], dataType });
  }
  return out;
}

/**
 * Fallback for slices whose parameters are only known at run time (or that cut the batch axis):
 * slice a tensor of flat positions 0..numel(x)-1 with the node's own parameters, then scatter-add dy
 * to those positions.
 */
function sliceByIndexMap(ctx: VjpContext, node: { input?: string[] | null }, dy: string): string {
  const x = node.input![0];
  const dataType = ctx.dataType(x);
  const i64 = (dims: (number | null)[]) => ({ dims, dataType: 7 });
  const count = ctx.emit('Size', [x], {}, i64([]));
  const positions = ctx.emit('Range', [ctx.int64([0], true), count, ctx.int64([1], true)], {}, i64([null]));
  const grid = ctx.emit('Reshape', [positions, ctx.shapeOf(x)], {}, i64(ctx.dims(x)));
  const picked = ctx.emit('Slice', [grid, ...node.input!.slice(1)], {}, i64(ctx.dims(dy)));
  const flat = (t: string, type: number) => ctx.emit('Reshape', [t, ctx.int64([-1])], {}, { dims: [null], dataType: type });
  const zeros = ctx.zerosLike(flat(x, dataType));
  const scattered = ctx.emit('ScatterElements', [zeros, flat(picked, 7), flat(dy, dataType)], { axis: 0, reduction: 'add' }, { dims: [null], dataType });
  return ctx.emit('Reshape', [scattered, ctx.shapeOf(x)], {}, ctx.shapes.get(x));
}

registerVjp('Slice', {
  vjp: (ctx, node, [dy]) => {
    const [x, startsName, endsName, axesName, stepsName] = node.input!;
    const rank = ctx.rank(x);
    const starts = ctx.constantValues(startsName);
    const ends = ctx.constantValues(endsName);
    const axesGiven = axesName ? ctx.constantValues(axesName) : undefined;
    const stepsGiven = stepsName ? ctx.constantValues(stepsName) : undefined;
    if (!starts || !ends || (axesName && !axesGiven) || (stepsName && !stepsGiven)) return [sliceByIndexMap(ctx, node, dy!)];
    const axes = axesGiven ? axesGiven.map((a) => normAxis(a, rank)) : starts.map((_, i) => i);
    const steps = stepsGiven ?? starts.map(() => 1);
    const xDims = ctx.dims(x);
    const cutsBatch = axes.some((axis, k) => xDims[axis] === null && !(starts[k] === 0 && ends[k] >= 2 ** 31 - 1 && steps[k] === 1));
    if (cutsBatch) return [sliceByIndexMap(ctx, node, dy!)];
    let g = dy!;
    axes.forEach((axis, k) => {
      const size = xDims[axis];
      const step = steps[k];
      if (size === null) return; // the whole batch axis
      const { first, count } = sliceIndices(size as number, starts[k], ends[k], step);
      const dataType = ctx.dataType(g);
      let lowest = first;
      if (step < 0) {
        lowest = first + (count - 1) * step;
        const dims = ctx.dims(g);
        g = ctx.emit('Slice', [g, ctx.int64([-1]), ctx.int64([-(2 ** 53)]), ctx.int64([axis]), ctx.int64([-1])], {}, { dims, dataType });
      }
      const stride = Math.abs(step);
      if (stride > 1) {
        const dims = ctx.dims(g);
        const up = [...dims.slice(0, axis + 1), 1, ...dims.slice(axis + 1)];
        const u = ctx.emit('Unsqueeze', [g, ctx.int64([axis + 1])], {}, { dims: up, dataType });
        const pads = new Array(2 * up.length).fill(0);
        pads[axis + 1 + up.length] = stride - 1;
        const spread = ctx.emit('Pad', [u, ctx.int64(pads)], {}, { dims: up.map((d, i) => (i === axis + 1 ? stride : d)), dataType });
        g = ctx.reshape(spread, dims.map((d, i) => (i === axis ? count * stride : d)), undefined);
      }
      const extent = stride > 1 ? count * stride : count;
      g = padAxis(ctx, g, axis, lowest, (size as number) - lowest - extent);
    });
    return [g];
  },
});

registerVjp('Pad', {
  vjp: (ctx, node, [dy]) => {
    const [x, padsName, , axesName] = node.input!;
    const mode = stringAttribute(node, 'mode', 'constant');
    if (mode !== 'constant') ctx.fail(node, `Pad mode '${mode}' has no gradient rule yet; only constant padding is supported`);
    const rank = ctx.rank(x);
    const pads = ctx.requireConstant(padsName, node, 'pads');
    const axes = axesName ? ctx.requireConstant(axesName, node, 'axes').map((a) => normAxis(a, rank)) : Array.from({ length: rank }, (_, i) => i);
    let g = dy!;
    axes.forEach((axis, k) => {
      const begin = pads[k];
      const end = pads[k + axes.length];
      if (begin !== 0 || end !== 0) g = padAxis(ctx, g, axis, -begin, -end);
    });
    return [g];
  },
});

// Pooling. MaxPool: through its Indices output (flat positions in the input) and ScatterElements with
// reduction add, which is exact for overlapping windows. AveragePool: a depthwise ConvTranspose with a
// ones kernel applied to dY divided by each window's divisor (count_include_pad either way, ceil_mode).
// Global pools: broadcast back over the spatial axes.
import { DataType } from '../../onnx/proto.js';
import { intAttribute, intsAttribute } from '../../onnx/build.js';
import { registerVjp } from '../registry.js';
import { convGeometry } from './conv.js';
import type { VjpContext } from '../context.js';

registerVjp('MaxPool', {
  vjp: (ctx, node, [dy]) => {
    const x = node.input![0];
    const y = node.output![0];
    if (intAttribute(node, 'storage_order', 0) !== 0) ctx.fail(node, 'storage_order=1 (column-major indices) is not supported; re-export with the default');
    const indices = ctx.ensureOutput(node, 1, ctx.dims(y), DataType.INT64);
    const dataType = ctx.dataType(x);
    // Indices count over the whole N*C*H*W tensor (onnxruntime's MaxPool), so scatter into the flat input.
    const flatDy = ctx.reshape(dy!, [null]);
    const flatIdx = ctx.reshape(indices, [null]);
    const flatX = ctx.reshape(x, [null]);
    const zeros = ctx.zerosLike(flatX);
    const scattered = ctx.emit('ScatterElements', [zeros, flatIdx, flatDy], { axis: 0, reduction: 'add' }, { dims: [null], dataType });
    return [ctx.emit('Reshape', [scattered, ctx.shapeOf(x)], {}, { dims: ctx.dims(x), dataType })];
  },
});

/** Divisor of each output window (ONNX AveragePool): window clipped to the padded input, or to the input. */
function divisorMap(inputSize: number[], outputSize: number[], kernel: number[], strides: number[], pads: number[], includePad: boolean): Float64Array {
  const spatial = kernel.length;
  const total = outputSize.reduce((a, b) => a * b, 1);
  const out = new Float64Array(total);
  for (let flat = 0; flat < total; flat++) {
    let rem = flat;
    let count = 1;
    for (let a = spatial - 1; a >= 0; a--) {
      const o = rem % outputSize[a];
      rem = Math.floor(rem / outputSize[a]);
      const start = o * strides[a] - pads[a];
      const end = start + kernel[a];
      const lo = includePad ? -pads[a] : 0;
      const hi = includePad ? inputSize[a] + pads[a + spatial] : inputSize[a];
      count *= Math.max(0, Math.min(end, hi) - Math.max(start, lo));
    }
    out[flat] = count;
  }
  return out;
}

registerVjp('AveragePool', {
  vjp: (ctx, node, [dy]) => {
    const x = node.input![0];
    const kernel = intsAttribute(node, 'kernel_shape', undefined) ?? ctx.fail(node, 'kernel_shape is required');
    const g = convGeometry(ctx, node, kernel);
    if (g.dilations.some((d) => d !== 1)) ctx.fail(node, 'dilated AveragePool is not supported');
    const channels = ctx.dims(x)[1] ?? ctx.fail(node, 'channel count must be static');
    const dataType = ctx.dataType(x);
    const includePad = intAttribute(node, 'count_include_pad', 0) === 1;
    const divisors = divisorMap(g.inputSize, g.outputSize, kernel, g.strides, g.pads, includePad);
    const inverse = ctx.floatTensor(Array.from(divisors, (d) => (d > 0 ? 1 / d : 0)), [1, 1, ...g.outputSize], x);
    const scaled = ctx.emit('Mul', [dy!, inverse], {}, ctx.shapes.get(dy!));
    const ones = ctx.floatTensor(new Float64Array(channels * kernel.reduce((a, b) => a * b, 1)).fill(1), [channels, 1, ...kernel], x);
    // Full transposed-conv extent, then crop/pad to the input (ceil_mode windows may overhang).
    const full = g.outputSize.map((o, i) => (o - 1) * g.strides[i] + kernel[i]);
    const spread = ctx.emit('ConvTranspose', [scaled, ones], { strides: g.strides, group: channels, kernel_shape: kernel }, { dims: [ctx.dims(x)[0], channels, ...full], dataType });
    return [cropToInput(ctx, spread, full, g.inputSize, g.pads, ctx.dims(x))];
  },
});

/** Takes [pad_begin, pad_begin + size) of each spatial axis of `t` (whose extent is `full`), zero-filling beyond. */
function cropToInput(ctx: VjpContext, t: string, full: number[], size: number[], pads: number[], targetDims: (number | null)[]): string {
  const spatial = size.length;
  const dataType = ctx.dataType(t);
  const axes = Array.from({ length: spatial }, (_, i) => i + 2);
  const ends = size.map((s, i) => Math.min(full[i], pads[i] + s));
  let out = t;
  if (pads.slice(0, spatial).some((p) => p > 0) || ends.some((e, i) => e < full[i])) {
    out = ctx.emit('Slice', [t, ctx.int64(pads.slice(0, spatial)), ctx.int64(ends), ctx.int64(axes)], {}, { dims: [targetDims[0], targetDims[1], ...ends.map((e, i) => e - pads[i])], dataType });
  }
  const short = size.map((s, i) => s - (ends[i] - pads[i]));
  if (short.some((s) => s > 0)) {
    const padSpec = [...Array(2 + spatial).fill(0), 0, 0, ...short];
    out = ctx.emit('Pad', [out, ctx.int64(padSpec)], {}, { dims: targetDims, dataType });
  }
  return out;
}

registerVjp('GlobalAveragePool', {
  vjp: (ctx, node, [dy]) => {
    const x = node.input![0];
    const area = ctx.dims(x).slice(2).reduce<number>((a, d) => a * (d ?? ctx.fail(node, 'spatial size must be static')), 1);
    const scaled = ctx.emit('Mul', [dy!, ctx.scalar(1 / area, x)], {}, ctx.shapes.get(dy!));
    return [ctx.emit('Expand', [scaled, ctx.shapeOf(x)], {}, ctx.shapes.get(x))];
  },
});

registerVjp('GlobalMaxPool', {
  // Split evenly among tied maxima (as torch.amax).
  vjp: (ctx, node, [dy]) => {
    const x = node.input![0];
    const y = node.output![0];
    const s = ctx.shapes.get(x);
    const mask = ctx.emit('Cast', [ctx.emit('Equal', [x, y], {}, { dims: ctx.dims(x), dataType: DataType.BOOL })], { to: ctx.dataType(x) }, s);
    const axes = Array.from({ length: ctx.rank(x) - 2 }, (_, i) => i + 2);
    const count = ctx.emit('ReduceSum', [mask, ctx.int64(axes)], { keepdims: 1 }, ctx.shapes.get(y));
    return [ctx.emit('Mul', [mask, ctx.emit('Div', [dy!, count], {}, ctx.shapes.get(y))], {}, s)];
  },
});

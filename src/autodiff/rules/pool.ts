// Pooling. MaxPool: through its Indices output (flat positions in the input) and ScatterElements with
// reduction add, which is exact for overlapping windows; on execution providers without the Indices output
// (WebGPU), by comparing each window tap with the pooled output instead (maxPoolWithoutIndices).
// AveragePool: a depthwise ConvTranspose with a ones kernel applied to dY divided by each window's divisor (count_include_pad either way, ceil_mode).
// Global pools: broadcast back over the spatial axes.
import { DataType } from '../../onnx/proto.js';
import { intAttribute, intsAttribute } from '../../onnx/build.js';
import { registerProviderVjp, registerVjp } from '../registry.js';
import { convGeometry, type ConvGeometry } from './conv.js';
import type { VjpContext } from '../context.js';
import type { NodeProto } from '../../onnx/proto.js';

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

/**
 * MaxPool's VJP from X, Y and dY alone (standard ops WebGPU runs: Pad, Slice, Equal, Where, ConvTranspose).
 * For each window tap k (row-major, the order onnxruntime scans a window in), the strided slice X_k of the
 * (-inf padded) input that tap reads is compared with Y; a tap takes dY where it equals Y and no earlier
 * tap of the same window did. So every window gives its whole dY to its first maximum, as the Indices of
 * onnxruntime's CPU MaxPool do (it keeps the first of tied maxima). The K masked dY are then put back on
 * the input grid by one grouped ConvTranspose whose kernels are one-hot at each tap's offset, which adds
 * up where overlapping windows chose the same pixel.
 */
function maxPoolWithoutIndices(ctx: VjpContext, node: NodeProto, dy: string): string {
  const x = node.input![0];
  const y = node.output![0];
  if (intAttribute(node, 'storage_order', 0) !== 0) ctx.fail(node, 'storage_order=1 is not supported; re-export with the default');
  const kernel = intsAttribute(node, 'kernel_shape', undefined) ?? ctx.fail(node, 'kernel_shape is required');
  const g: ConvGeometry = convGeometry(ctx, node, kernel);
  const dataType = ctx.dataType(x);
  const dims = ctx.dims(x);
  const channels = dims[1] ?? ctx.fail(node, 'channel count must be static');
  const axes = Array.from({ length: g.spatial }, (_, i) => i + 2);
  // Extent one output row of windows spans on the padded grid; ceil_mode windows may reach past the end pad.
  const full = g.outputSize.map((o, i) => (o - 1) * g.strides[i] + (kernel[i] - 1) * g.dilations[i] + 1);
  const endPads = full.map((f, i) => Math.max(0, f - g.pads[i] - g.inputSize[i]));
  const padSpec = [0, 0, ...g.pads.slice(0, g.spatial), 0, 0, ...endPads];
  const padded = ctx.emit('Pad', [x, ctx.int64(padSpec), ctx.scalar(-Infinity, x)], { mode: 'constant' }, { dims: [dims[0], dims[1], ...g.inputSize.map((s, i) => g.pads[i] + s + endPads[i])], dataType });
  const yShape = ctx.shapes.get(y)!;
  const boolShape = { dims: yShape.dims, dataType: DataType.BOOL };
  const taps = kernel.reduce((a, b) => a * b, 1);
  const zero = ctx.scalar(0, x);
  const parts: string[] = [];
  let taken: string | undefined;
  for (let k = 0; k < taps; k++) {
    // Row-major tap position: offset along each spatial axis.
    const offset: number[] = [];
    for (let a = g.spatial - 1, rem = k; a >= 0; a--) {
      offset[a] = (rem % kernel[a]) * g.dilations[a];
      rem = Math.floor(rem / kernel[a]);
    }
    const starts = offset;
    const ends = offset.map((o, i) => o + (g.outputSize[i] - 1) * g.strides[i] + 1);
    const tap = ctx.emit('Slice', [padded, ctx.int64(starts), ctx.int64(ends), ctx.int64(axes), ctx.int64(g.strides)], {}, yShape);
    let hit = ctx.emit('Equal', [tap, y], {}, boolShape);
    if (taken) hit = ctx.emit('And', [hit, ctx.emit('Not', [taken], {}, boolShape)], {}, boolShape);
    taken = taken ? ctx.emit('Or', [taken, hit], {}, boolShape) : hit;
    parts.push(ctx.emit('Unsqueeze', [ctx.emit('Where', [hit, dy, zero], {}, yShape), ctx.int64([2])], {}, { dims: [yShape.dims[0], yShape.dims[1], 1, ...yShape.dims.slice(2)], dataType }));
  }
  // [N, C, K, out...] -> [N, C*K, out...]: channel c*K + k holds tap k of channel c.
  const stacked = ctx.emit('Concat', parts, { axis: 2 }, { dims: [yShape.dims[0], channels, taps, ...g.outputSize], dataType });
  const grouped = ctx.reshape(stacked, [null, channels * taps, ...g.outputSize]);
  // One-hot kernels over the dilated window extent (no dilations attribute needed on the provider).
  const extent = kernel.map((k, i) => (k - 1) * g.dilations[i] + 1);
  const extentSize = extent.reduce((a, b) => a * b, 1);
  const weights = new Float64Array(channels * taps * extentSize);
  for (let c = 0; c < channels; c++) {
    for (let k = 0; k < taps; k++) {
      let position = 0;
      for (let a = 0, rem = k, stride = taps; a < g.spatial; a++) {
        stride /= kernel[a];
        const along = Math.floor(rem / stride) % kernel[a];
        position = position * extent[a] + along * g.dilations[a];
      }
      weights[(c * taps + k) * extentSize + position] = 1;
    }
  }
  const oneHot = ctx.floatTensor(weights, [channels * taps, 1, ...extent], x);
  const spread = ctx.emit('ConvTranspose', [grouped, oneHot], { strides: g.strides, group: channels, kernel_shape: extent }, { dims: [dims[0], channels, ...full], dataType });
  return cropToInput(ctx, spread, full, g.inputSize, g.pads, dims);
}

registerProviderVjp('MaxPool', 'webgpu', { vjp: (ctx, node, [dy]) => [maxPoolWithoutIndices(ctx, node, dy!)] });

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

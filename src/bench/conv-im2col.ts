// `npm run bench -- conv-im2col`: would a training graph run faster if each fed-weight Conv were lowered to one
// batch-wide GEMM? Times, on every convolution shape of ResNet-18 at 224², the forward Conv with a constant weight
// (the inference graph's, which onnxruntime runs on its blocked NCHWc kernels) and with a fed weight (the training
// graph's, plain NCHW: im2col and one GEMM per image), against the lowering in standard ops: the input channel-major
// (C, N, H, W), padded, k² strided Slices concatenated into patches (k²·C, N·Ho·Wo), one MatMul with the weight as
// (O, kh·kw·C), and the result back to NCHW; and the same without the two Transposes, as a trunk kept channel-major
// would run it. Then forward + backward: the Conv rule's forms against the autodiff of each lowering (its MatMul rule
// gives dW as one GEMM over the kept patches; dX comes back through Split, Pads and a Sum, i.e. col2im).
// The answer on this machine was no at every layer (see src/autodiff/README.md, "Performance notes").
// Flags: --batch N (default 32), --repeats N (default 2), --threads N (default 1), --layers TEXT.
import { DataType } from '../onnx/proto.js';
import { Graph } from '../onnx/graph.js';
import { makeNode, makeValueInfo } from '../onnx/build.js';
import { createSession, tensor, type OrtTensor } from '../onnx/runtime.js';
import type { ShapeMap } from '../onnx/shapes.js';
import { VjpContext } from '../autodiff/context.js';
import { appendBackward } from '../autodiff/backward.js';
import type { ConvGeometry } from '../autodiff/rules/conv.js';
import { flag, option } from './_timing.js';
import { SHAPES, geometry, layersNamed, randoms, type ConvShape } from './conv-grad.js';

const FLOAT = DataType.FLOAT;

/** y (O, N, Ho, Wo) = Conv(x (C, N, H, W), w) as k² strided Slices, one Concat and one MatMul. */
function im2colConv(ctx: VjpContext, x: string, w: string, s: ConvShape, g: ConvGeometry, batch: number): string {
  const [k, stride, [pad], [out]] = [s.kernel, s.stride, g.pads, g.outputSize];
  const padded = pad === 0 ? x : ctx.emit('Pad', [x, ctx.int64([0, 0, pad, pad, 0, 0, pad, pad])], {}, { dims: [s.cIn, batch, s.size + 2 * pad, s.size + 2 * pad], dataType: FLOAT });
  const taps: string[] = [];
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const ends = [i + (out - 1) * stride + 1, j + (out - 1) * stride + 1];
      taps.push(k === 1 && stride === 1 ? padded : ctx.emit('Slice', [padded, ctx.int64([i, j]), ctx.int64(ends), ctx.int64([2, 3]), ctx.int64([stride, stride])], {}, { dims: [s.cIn, batch, out, out], dataType: FLOAT }));
    }
  }
  const patches = taps.length === 1 ? taps[0] : ctx.emit('Concat', taps, { axis: 0 }, { dims: [k * k * s.cIn, batch, out, out], dataType: FLOAT });
  // The weight in the patches' row order: (O, kh, kw, C).
  const rows = ctx.reshape(ctx.emit('Transpose', [w], { perm: [0, 2, 3, 1] }, { dims: [s.cOut, k, k, s.cIn], dataType: FLOAT }), [s.cOut, k * k * s.cIn]);
  const y = ctx.emit('MatMul', [rows, ctx.reshape(patches, [k * k * s.cIn, batch * out * out])], {}, { dims: [s.cOut, batch * out * out], dataType: FLOAT });
  return ctx.reshape(y, [s.cOut, batch, out, out]);
}

export type Variant = 'conv constant' | 'conv fed' | 'im2col' | 'im2col channel-major';

/** The forward graph (x, w) → y of one variant, or with `backward` the graph (x, w, dy) → (dx, dw). */
export function benchGraph(s: ConvShape, g: ConvGeometry, variant: Variant, backward: boolean, batch: number, weight: Float32Array): Graph {
  const channelMajor = variant === 'im2col channel-major';
  const out = g.outputSize[0];
  const xDims = channelMajor ? [s.cIn, batch, s.size, s.size] : [batch, s.cIn, s.size, s.size];
  const yDims = channelMajor ? [s.cOut, batch, out, out] : [batch, s.cOut, out, out];
  const wDims = [s.cOut, s.cIn, s.kernel, s.kernel];
  const graph = new Graph({ inputs: [makeValueInfo('x', xDims), ...(variant === 'conv constant' ? [] : [makeValueInfo('w', wDims)]), ...(backward ? [makeValueInfo('dy', yDims)] : [])] });
  if (variant === 'conv constant') graph.initializers.set('w', { dims: wDims, dataType: FLOAT, data: weight });
  const shapes: ShapeMap = new Map([['x', { dims: xDims, dataType: FLOAT }], ['w', { dims: wDims, dataType: FLOAT }], ['dy', { dims: yDims, dataType: FLOAT }]]);
  const ctx = new VjpContext(graph, shapes);
  let y = 'y';
  if (variant.startsWith('conv')) {
    graph.nodes.push(makeNode('Conv', ['x', 'w'], [y], { kernel_shape: g.kernel, strides: g.strides, pads: g.pads }));
    shapes.set(y, { dims: yDims, dataType: FLOAT });
  } else if (channelMajor) {
    y = im2colConv(ctx, 'x', 'w', s, g, batch);
  } else {
    const x = ctx.emit('Transpose', ['x'], { perm: [1, 0, 2, 3] }, { dims: [s.cIn, batch, s.size, s.size], dataType: FLOAT });
    y = ctx.emit('Transpose', [im2colConv(ctx, x, 'w', s, g, batch)], { perm: [1, 0, 2, 3] }, { dims: yDims, dataType: FLOAT });
  }
  if (!backward) {
    graph.outputs = [{ name: y }];
    return graph;
  }
  const gradients = appendBackward(graph, shapes, { sources: ['x', 'w'], seeds: [{ value: y, gradient: 'dy' }] });
  graph.outputs = [{ name: gradients.get('x')! }, { name: gradients.get('w')! }];
  graph.pruneToOutputs();
  return graph;
}

/** Forward (fwd) or forward + backward (step) of each variant; column labels. */
const RUNS: readonly { readonly variant: Variant; readonly backward: boolean; readonly label: string }[] = [
  { variant: 'conv constant', backward: false, label: 'fwd const' },
  { variant: 'conv fed', backward: false, label: 'fwd fed' },
  { variant: 'im2col', backward: false, label: 'fwd im2col' },
  { variant: 'im2col channel-major', backward: false, label: 'fwd im2col-cm' },
  { variant: 'conv fed', backward: true, label: 'step rule' },
  { variant: 'im2col', backward: true, label: 'step im2col' },
  { variant: 'im2col channel-major', backward: true, label: 'step im2col-cm' },
];

export async function run(args: string[]): Promise<void> {
  const batch = flag(args, 'batch', 32);
  const repeats = flag(args, 'repeats', 2);
  const threads = flag(args, 'threads', 1);
  const only = option(args, 'layers', '');
  console.log(`conv-im2col bench: batch ${batch}, ${threads || 'default'} threads, best of ${repeats}, ms per convolution`);
  console.log('(fwd: forward Conv with a constant or fed weight, or the lowering (-cm: channel-major in and out); step: forward + backward,');
  console.log(' the Conv rule or the autodiff of the lowering; patches: what the lowering keeps for the backward)');
  console.log(`${'layer'.padEnd(24)} ×  ${RUNS.map((r) => r.label.padStart(15)).join('')}  patches MiB`);
  const totals = RUNS.map(() => 0);
  let patchBytes = 0;
  for (const s of layersNamed(SHAPES.filter((shape) => shape.layer.startsWith('resnet18')), only)) {
    const g = geometry(s);
    const out = g.outputSize[0];
    const weight = randoms(s.cOut * s.cIn * s.kernel * s.kernel, 31);
    const best: number[] = [];
    for (const { variant, backward } of RUNS) {
      const session = await createSession(benchGraph(s, g, variant, backward, batch, weight), { threads }, `${variant} bench graph`);
      const channelMajor = variant === 'im2col channel-major';
      const feeds: Record<string, OrtTensor> = {
        x: tensor('float32', randoms(batch * s.cIn * s.size * s.size, 7919), channelMajor ? [s.cIn, batch, s.size, s.size] : [batch, s.cIn, s.size, s.size]),
        w: tensor('float32', weight, [s.cOut, s.cIn, s.kernel, s.kernel]),
        dy: tensor('float32', randoms(batch * s.cOut * out * out, 104729), channelMajor ? [s.cOut, batch, out, out] : [batch, s.cOut, out, out]),
      };
      const wanted = Object.fromEntries(session.inputNames.map((n) => [n, feeds[n]]));
      let ms = Infinity;
      for (let r = 0; r <= repeats; r++) {
        const start = process.hrtime.bigint();
        await session.run(wanted);
        if (r > 0) ms = Math.min(ms, Number(process.hrtime.bigint() - start) / 1e6);
      }
      await session.release();
      best.push(ms);
    }
    best.forEach((ms, k) => (totals[k] += s.count * ms));
    const patches = s.kernel * s.kernel * s.cIn * batch * out * out * 4;
    patchBytes += s.count * patches;
    console.log(`${s.layer.padEnd(24)} ${s.count}  ${best.map((ms) => ms.toFixed(1).padStart(15)).join('')}  ${(patches / 2 ** 20).toFixed(0).padStart(11)}`);
  }
  console.log(`${'all layers × count'.padEnd(27)}${totals.map((ms) => ms.toFixed(0).padStart(15)).join('')}  ${(patchBytes / 2 ** 20).toFixed(0).padStart(11)}`);
  const [, fed, im2col, channelMajor, rule, im2colStep, channelMajorStep] = totals;
  console.log(`im2col ÷ Conv: forward ${(im2col / fed).toFixed(2)}× (channel-major ${(channelMajor / fed).toFixed(2)}×), forward+backward ${(im2colStep / rule).toFixed(2)}× (channel-major ${(channelMajorStep / rule).toFixed(2)}×) the Conv rule's`);
}

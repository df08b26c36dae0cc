// Conv (any spatial rank, groups, depthwise, dilation, stride, explicit pads or auto_pad).
// Input gradient, chosen per shape (`inputGradientForm`): at stride 1 one Conv with the flipped kernel; at
// stride > 1 (dilation 1) on small maps one Conv per stride phase of the input (`phaseInputGradient`); else
// ConvTranspose with the forward attributes and the output_padding that restores the input size. Weight gradient, chosen per shape
// (`weightGradientForm`): GEMMs for group 1 with up to 9 taps (pointwise: one batched MatMul; 3×3: one
// GEMM per tap), else a Conv that correlates the input with the output gradient, with the roles of
// batch and channels swapped (batch becomes the reduction axis) and stride/dilation swapped.
import type { NodeProto } from '../../onnx/proto.js';
import { intAttribute, intsAttribute, stringAttribute } from '../../onnx/build.js';
import { registerVjp } from '../registry.js';
import type { Dims, VjpContext } from '../context.js';

export interface ConvGeometry {
  readonly spatial: number;
  readonly kernel: number[];
  readonly strides: number[];
  readonly dilations: number[];
  /** [begin..., end...] */
  readonly pads: number[];
  readonly inputSize: number[];
  readonly outputSize: number[];
}

/** Resolves auto_pad to explicit pads using the static spatial sizes (ONNX Conv spec, auto_pad). */
export function convGeometry(ctx: VjpContext, node: NodeProto, kernel: number[]): ConvGeometry {
  const x = node.input![0];
  const y = node.output![0];
  const spatial = kernel.length;
  const inputSize = ctx.dims(x).slice(2).map((d) => d ?? ctx.fail(node, 'spatial input size must be static'));
  const outputSize = ctx.dims(y).slice(2).map((d) => d ?? ctx.fail(node, 'spatial output size must be static'));
  const strides = intsAttribute(node, 'strides', undefined) ?? Array(spatial).fill(1);
  const dilations = intsAttribute(node, 'dilations', undefined) ?? Array(spatial).fill(1);
  const autoPad = stringAttribute(node, 'auto_pad', 'NOTSET');
  let pads = intsAttribute(node, 'pads', undefined) ?? Array(2 * spatial).fill(0);
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    pads = Array(2 * spatial).fill(0);
    for (let i = 0; i < spatial; i++) {
      const total = Math.max(0, (outputSize[i] - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - inputSize[i]);
      const small = Math.floor(total / 2);
      pads[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i + spatial] = total - pads[i];
    }
  } else if (autoPad === 'VALID') {
    pads = Array(2 * spatial).fill(0);
  }
  return { spatial, kernel, strides, dilations, pads, inputSize, outputSize };
}

registerVjp('Conv', {
  differentiableInputs: (n) => (n.input ?? []).map((_, i) => i),
  vjp: (ctx, node, [dy], wanted) => {
    const [x, w, b] = node.input!;
    const wDims = ctx.dims(w).map((d) => d ?? ctx.fail(node, 'weight shape must be static'));
    const group = intAttribute(node, 'group', 1);
    const g = convGeometry(ctx, node, intsAttribute(node, 'kernel_shape', undefined) ?? wDims.slice(2));
    const dataType = ctx.dataType(x);
    const grads: (string | undefined)[] = [undefined, undefined, undefined];
    if (wanted[0]) grads[0] = INPUT_GRADIENT_FORMS[inputGradientForm(g)](ctx, dy!, w, wDims, group, g, ctx.dims(x), dataType);
    if (wanted[1]) grads[1] = WEIGHT_GRADIENT_FORMS[weightGradientForm(group, g)](ctx, x, dy!, wDims, group, g, dataType);
    if (wanted[2] && b) {
      const axes = [0, ...Array.from({ length: g.spatial }, (_, i) => i + 2)];
      grads[2] = ctx.emit('ReduceSum', [dy!, ctx.int64(axes)], { keepdims: 0 }, { dims: ctx.dims(b), dataType });
    }
    return grads;
  },
});

export type InputGradientForm = 'flipped' | 'phases' | 'transposed';

type InputGradient = (ctx: VjpContext, dy: string, w: string, wDims: number[], group: number, g: ConvGeometry, xDims: Dims, dataType: number) => string;

/** The input-gradient forms a Conv node's rule can emit (each gives the same dX where it applies). */
export const INPUT_GRADIENT_FORMS: Record<InputGradientForm, InputGradient> = {
  flipped: stridedOneInputGradient,
  phases: (ctx, dy, w, wDims, group, g, xDims, dataType) => phaseInputGradient(ctx, dy, w, wDims, group, g, inputGradientPhases(g)!, xDims, dataType),
  transposed: transposedInputGradient,
};

/** Strided gradients whose output map has more positions than this keep ConvTranspose (see `inputGradientForm`). */
const MAX_PHASE_FORM_POSITIONS = 64;

/**
 * Stride 1: the flipped-kernel Conv. Strided (dilation 1, every stride phase reached by a tap): one Conv per phase
 * when dY's map is small, else ConvTranspose. From `npm run bench -- conv-grad --batch 32` on ResNet-18's 3×3/2
 * layers (load 8–10, best of 4): dY 7×7 (layer4) phases 126 ms against ConvTranspose 383 ms; dY 14×14 and 28×28
 * ConvTranspose 200 and 258 ms against phases 267 and 323 ms (its per-image GEMM is wide enough there, and the
 * phase form pays a Concat and a Transpose over dX). 1×1/2 kernels and the 7×7/2 stem keep ConvTranspose.
 */
export function inputGradientForm(g: ConvGeometry): InputGradientForm {
  if (g.strides.every((v) => v === 1) && g.pads.every((p, i) => p <= (g.kernel[i % g.spatial] - 1) * g.dilations[i % g.spatial])) return 'flipped';
  const positions = g.outputSize.reduce((a, v) => a * v, 1);
  return positions <= MAX_PHASE_FORM_POSITIONS && inputGradientPhases(g) ? 'phases' : 'transposed';
}

/** dX as the ConvTranspose of dY with the forward attributes, and the output_padding that restores the input size. */
function transposedInputGradient(ctx: VjpContext, dy: string, w: string, _wDims: number[], group: number, g: ConvGeometry, xDims: Dims, dataType: number): string {
  const outputPadding = g.inputSize.map((size, i) => size + g.pads[i] + g.pads[i + g.spatial] - ((g.outputSize[i] - 1) * g.strides[i] + (g.kernel[i] - 1) * g.dilations[i] + 1));
  return ctx.emit('ConvTranspose', [dy, w], { strides: g.strides, dilations: g.dilations, pads: g.pads, group, kernel_shape: g.kernel, output_padding: outputPadding }, { dims: xDims, dataType });
}

/** The kernel with input and output channels swapped per group: [group·Cin/group, Cout/group, ...kernel]. */
function swappedKernel(ctx: VjpContext, w: string, wDims: number[], group: number, spatial: number, dataType: number): string {
  const [cOut, cInGroup, ...kernel] = wDims;
  const sp = Array.from({ length: spatial }, (_, i) => i);
  if (group === 1) return ctx.emit('Transpose', [w], { perm: [1, 0, ...sp.map((i) => i + 2)] }, { dims: [cInGroup, cOut, ...kernel], dataType });
  const w5 = ctx.reshape(w, [group, cOut / group, cInGroup, ...kernel]);
  const t = ctx.emit('Transpose', [w5], { perm: [0, 2, 1, ...sp.map((i) => i + 3)] }, { dims: [group, cInGroup, cOut / group, ...kernel], dataType });
  return ctx.reshape(t, [group * cInGroup, cOut / group, ...kernel]);
}

/**
 * Stride-1 input gradient as a plain Conv (onnxruntime's Conv kernels are much faster than its
 * ConvTranspose): dX = Conv(dY, W'), W' the kernel with input/output channels swapped per group and
 * spatially flipped, pads (k-1)·d - p on each side. For constant W the flip is folded at load time.
 */
function stridedOneInputGradient(ctx: VjpContext, dy: string, w: string, wDims: number[], group: number, g: ConvGeometry, xDims: Dims, dataType: number): string {
  const sp = Array.from({ length: g.spatial }, (_, i) => i);
  const swapped = swappedKernel(ctx, w, wDims, group, g.spatial, dataType);
  const flipped = ctx.emit(
    'Slice',
    [swapped, ctx.int64(sp.map(() => -1)), ctx.int64(sp.map(() => -(2 ** 53))), ctx.int64(sp.map((i) => i + 2)), ctx.int64(sp.map(() => -1))],
    {},
    ctx.shapes.get(swapped),
  );
  const pads = g.pads.map((p, i) => (g.kernel[i % g.spatial] - 1) * g.dilations[i % g.spatial] - p);
  return ctx.emit('Conv', [dy, flipped], { dilations: g.dilations, pads, group, kernel_shape: g.kernel }, { dims: xDims, dataType });
}

/** One stride phase b of one spatial axis: the input positions q·s + b, the kernel taps that reach them. */
export interface AxisPhase {
  /** First kernel tap of the phase (taps first, first + s, ...). */
  readonly first: number;
  /** How many taps (0: the phase gets no gradient). */
  readonly taps: number;
  /** Conv pads on dY that give this phase's gradient at q = 0 … Q-1. */
  readonly padBegin: number;
  readonly padEnd: number;
}

/** More stride phases than this (patch embeddings: 16×16) keep ConvTranspose, whose columns do not overlap. */
const MAX_PHASES = 4;

/**
 * The stride phases of each spatial axis for `phaseInputGradient`, or undefined when that form does not
 * apply (dilation, too many phases, a phase no tap reaches, or one needing negative pads).
 * Derivation, per axis (stride s, kernel K, begin pad p, dY length L, Q = ⌈input/s⌉): input i = q·s + b sits at
 * padded position q·s + b + p = (q + c)·s + a with a = (b + p) mod s, c = ⌊(b + p)/s⌋, so
 *   dX[q·s + b] = Σ_m W[m·s + a] · dY[q + c − m],  m = 0 … ⌈(K − a)/s⌉ − 1,
 * a correlation of dY with the phase's taps reversed, pads (taps − 1 − c) before and (Q − L + c) after.
 */
export function inputGradientPhases(g: ConvGeometry): AxisPhase[][] | undefined {
  if (g.strides.every((s) => s === 1) || g.dilations.some((d) => d !== 1)) return undefined;
  if (g.strides.reduce((a, s) => a * s, 1) > MAX_PHASES) return undefined;
  const axes = g.strides.map((s, i) => Array.from({ length: s }, (_, b): AxisPhase => {
    const a = (b + g.pads[i]) % s;
    const c = Math.floor((b + g.pads[i]) / s);
    const taps = a < g.kernel[i] ? Math.ceil((g.kernel[i] - a) / s) : 0;
    const q = Math.ceil(g.inputSize[i] / s);
    return { first: a, taps, padBegin: taps - 1 - c, padEnd: q - g.outputSize[i] + c };
  }));
  if (axes.some((phases) => phases.some((p) => p.taps === 0 || p.padBegin < 0 || p.padEnd < 0))) return undefined;
  return axes;
}

/**
 * Input gradient of a strided Conv (dilation 1) as one plain Conv per stride phase of the input instead of
 * a ConvTranspose (onnxruntime's CPU ConvTranspose runs a GEMM into columns and a col2im pass; measured
 * 3× the phase Convs on ResNet-18's last 3×3/2 layer, see `inputGradientForm`). The phase Convs do the forward's multiply-adds once in all;
 * their outputs [N, C, Q…] are interleaved by one Concat and one Transpose, then cropped when the input length is
 * not a multiple of the stride.
 */
function phaseInputGradient(ctx: VjpContext, dy: string, w: string, wDims: number[], group: number, g: ConvGeometry, axes: AxisPhase[][], xDims: Dims, dataType: number): string {
  const k = g.spatial;
  const sp = Array.from({ length: k }, (_, i) => i);
  const batch = xDims[0];
  const channels = wDims[1] * group;
  const q = sp.map((i) => Math.ceil(g.inputSize[i] / g.strides[i]));
  const swapped = swappedKernel(ctx, w, wDims, group, k, dataType);
  // Every combination of one phase per axis, row-major (the last axis fastest), as the Concat stacks them.
  let combos: AxisPhase[][] = [[]];
  for (const phases of axes) combos = combos.flatMap((c) => phases.map((p) => [...c, p]));
  const phaseGradient = (phase: AxisPhase[]) => {
    const taps = phase.map((p) => p.taps);
    // Taps first + (taps-1)·s, …, first: reversed, so the Conv correlates.
    const starts = phase.map((p, i) => p.first + (p.taps - 1) * g.strides[i]);
    const ends = phase.map((p, i) => (p.first - g.strides[i] >= 0 ? p.first - g.strides[i] : -(2 ** 53)));
    const kernel = ctx.emit('Slice', [swapped, ctx.int64(starts), ctx.int64(ends), ctx.int64(sp.map((i) => i + 2)), ctx.int64(g.strides.map((s) => -s))], {}, { dims: [channels, wDims[0] / group, ...taps], dataType });
    const pads = [...phase.map((p) => p.padBegin), ...phase.map((p) => p.padEnd)];
    return ctx.emit('Conv', [dy, kernel], { pads, group, kernel_shape: taps }, { dims: [batch, channels, ...q], dataType });
  };
  const stacked = ctx.emit('Concat', combos.map(phaseGradient), { axis: 1 }, { dims: [batch, combos.length * channels, ...q], dataType });
  const split = ctx.reshape(stacked, [batch, ...g.strides, channels, ...q]);
  // [N, s0, s1, …, C, Q0, Q1, …] → [N, C, Q0, s0, Q1, s1, …]
  const perm = [0, k + 1, ...sp.flatMap((i) => [k + 2 + i, 1 + i])];
  const interleaved = ctx.emit('Transpose', [split], { perm }, { dims: [batch, channels, ...sp.flatMap((i) => [q[i], g.strides[i]])], dataType });
  const covered = sp.map((i) => q[i] * g.strides[i]);
  const joined = ctx.reshape(interleaved, [batch, channels, ...covered]);
  if (covered.every((c, i) => c === g.inputSize[i])) return joined;
  return ctx.emit('Slice', [joined, ctx.int64(sp.map(() => 0)), ctx.int64(g.inputSize), ctx.int64(sp.map((i) => i + 2))], {}, { dims: xDims, dataType });
}

export type WeightGradientForm = 'correlation' | 'pointwise' | 'taps';

/** The weight-gradient forms a Conv node's rule can emit (each gives the same dW). */
export const WEIGHT_GRADIENT_FORMS: Record<WeightGradientForm, (ctx: VjpContext, x: string, dy: string, wDims: number[], group: number, g: ConvGeometry, dataType: number) => string> = {
  correlation: weightGradient,
  pointwise: (ctx, x, dy, wDims, _group, g, dataType) => pointwiseWeightGradient(ctx, x, dy, wDims, g, dataType),
  taps: (ctx, x, dy, wDims, _group, g, dataType) => tapWeightGradient(ctx, x, dy, wDims, g, dataType),
};

/** Kernels with more taps than this (7×7 stems, patch embeddings) keep the correlation Conv. */
const MAX_GEMM_TAPS = 9;

/**
 * Which weight-gradient form a Conv gets, from per-layer timings of ResNet-18's convolutions and ViT's patch
 * embedding (`npm run bench -- conv-grad`, batch 8, one thread): pointwise kernels as one batched MatMul
 * (0.1–0.2× the correlation Conv); kernels of up to 9 taps (3×3) as one GEMM per tap (0.6× at 56² and 28²,
 * about 1× at 14² and 7²); larger kernels (7×7 stem: taps 3.5×, patch embedding 16×16: 4.4×) and grouped or
 * depthwise ones as the correlation Conv. One GEMM over all taps stacked (im2col) was no faster than a GEMM
 * per tap on the 3×3 layers and needs the input's memory once per tap.
 */
export function weightGradientForm(group: number, g: ConvGeometry): WeightGradientForm {
  if (group !== 1) return 'correlation';
  const taps = g.kernel.reduce((a, k) => a * k, 1);
  if (taps === 1) return 'pointwise';
  return taps <= MAX_GEMM_TAPS ? 'taps' : 'correlation';
}

/**
 * dW[o, i, k] = sum_n sum_p dY[n, o, p] * Xpad[n, g(o)*Cg + i, p*stride + k*dilation].
 * As a Conv: input X' = X as [Cg, group*N, ...] (channels-in-group become the batch), weight
 * dY' = dY as [Cout, N, ...] with group = group, stride = forward dilation, dilation = forward stride.
 */
function weightGradient(ctx: VjpContext, x: string, dy: string, wDims: number[], group: number, g: ConvGeometry, dataType: number): string {
  const [cOut, cInGroup] = wDims;
  const sp = Array.from({ length: g.spatial }, (_, i) => i);
  const xDims = ctx.dims(x);
  const dyDims = ctx.dims(dy);
  let xT: string;
  let dyT: string;
  if (group === 1) {
    xT = ctx.emit('Transpose', [x], { perm: [1, 0, ...sp.map((i) => i + 2)] }, { dims: [xDims[1], xDims[0], ...xDims.slice(2)], dataType });
    dyT = ctx.emit('Transpose', [dy], { perm: [1, 0, ...sp.map((i) => i + 2)] }, { dims: [dyDims[1], dyDims[0], ...dyDims.slice(2)], dataType });
  } else {
    const xs = xDims.slice(2);
    const x5 = ctx.reshape(x, [null, group, cInGroup, ...xs]);
    const xP = ctx.emit('Transpose', [x5], { perm: [2, 1, 0, ...sp.map((i) => i + 3)] }, { dims: [cInGroup, group, null, ...xs], dataType });
    xT = ctx.reshape(xP, [cInGroup, null, ...xs]);
    const ys = dyDims.slice(2);
    const dy5 = ctx.reshape(dy, [null, group, cOut / group, ...ys]);
    const dyP = ctx.emit('Transpose', [dy5], { perm: [1, 2, 0, ...sp.map((i) => i + 3)] }, { dims: [group, cOut / group, null, ...ys], dataType });
    dyT = ctx.reshape(dyP, [cOut, null, ...ys]);
  }
  // Output size along each axis is >= kernel; the extra positions (when the forward conv dropped a
  // remainder) are cropped.
  const full = g.inputSize.map((size, i) => Math.floor((size + g.pads[i] + g.pads[i + g.spatial] - ((g.outputSize[i] - 1) * g.strides[i] + 1)) / g.dilations[i]) + 1);
  const corr = ctx.emit('Conv', [xT, dyT], { strides: g.dilations, dilations: g.strides, pads: g.pads, group, kernel_shape: g.outputSize }, { dims: [cInGroup, cOut, ...full], dataType });
  let cropped = corr;
  if (full.some((f, i) => f !== g.kernel[i])) {
    cropped = ctx.emit(
      'Slice',
      [corr, ctx.int64(sp.map(() => 0)), ctx.int64(g.kernel), ctx.int64(sp.map((i) => i + 2))],
      {},
      { dims: [cInGroup, cOut, ...g.kernel], dataType },
    );
  }
  return ctx.emit('Transpose', [cropped], { perm: [1, 0, ...sp.map((i) => i + 2)] }, { dims: wDims, dataType });
}

/**
 * Pointwise (1×1, group 1) weight gradient as GEMMs: dW[o, c] = Σ_n Σ_p dY[n, o, p] · X[n, c, p·stride]
 * (the strided positions taken by one Slice), a batched MatMul summed over n. Measured at batch 8
 * on a ResNet downsample conv (64→128, 56², stride 2): about 30 ms against 250 ms for the correlation
 * Conv, whose kernel is the whole output map. For larger kernels the unfolded input (one Slice per
 * tap) costs more than it saves, so they keep the correlation Conv.
 */
function pointwiseWeightGradient(ctx: VjpContext, x: string, dy: string, wDims: number[], g: ConvGeometry, dataType: number): string {
  const [cOut, cIn] = wDims;
  const sp = Array.from({ length: g.spatial }, (_, i) => i);
  const batch = ctx.dims(x)[0];
  const positions = g.outputSize.reduce((a, v) => a * v, 1);
  let taken = x;
  if (g.pads.some((p) => p > 0)) {
    taken = ctx.emit('Pad', [x, ctx.int64([0, 0, ...g.pads.slice(0, g.spatial), 0, 0, ...g.pads.slice(g.spatial)])], {}, { dims: [batch, cIn, ...g.inputSize.map((v, i) => v + g.pads[i] + g.pads[i + g.spatial])], dataType });
  }
  const covered = g.outputSize.map((size, i) => (size - 1) * g.strides[i] + 1);
  if (g.strides.some((s) => s > 1) || covered.some((c, i) => c !== g.inputSize[i] + g.pads[i] + g.pads[i + g.spatial])) {
    taken = ctx.emit('Slice', [taken, ctx.int64(sp.map(() => 0)), ctx.int64(covered), ctx.int64(sp.map((i) => i + 2)), ctx.int64(g.strides)], {}, { dims: [batch, cIn, ...g.outputSize], dataType });
  }
  const columns = ctx.emit('Transpose', [ctx.reshape(taken, [batch, cIn, positions])], { perm: [0, 2, 1] }, { dims: [batch, positions, cIn], dataType });
  const perSample = ctx.emit('MatMul', [ctx.reshape(dy, [batch, cOut, positions]), columns], {}, { dims: [batch, cOut, cIn], dataType });
  const summed = ctx.emit('ReduceSum', [perSample, ctx.int64([0])], { keepdims: 0 }, { dims: [cOut, cIn], dataType });
  return ctx.reshape(summed, wDims);
}

/**
 * Weight gradient (group 1, any kernel) as one GEMM per kernel tap, so the work runs in onnxruntime's
 * GEMM kernels instead of a Conv whose kernel is the whole output map:
 *   dW[o, c, t] = Σ_n Σ_p dY[n, o, p] · Xpad[n, c, p·stride + t·dilation].
 * The padded input is split into its stride phases (Xpad[.., q·s + a] is phase a at q), so every tap
 * reads one phase at a whole-number shift δ. With each phase's spatial axes flattened, the shifted
 * window of all output positions is one contiguous run of the flat plane, provided dY is zero-padded
 * to the phase's width on every axis but the first (the padded columns multiply the wrapped-around
 * values by zero). The phases come with channels first and batch second, so a tap's window reshapes
 * to [C, N·L] without a copy beyond its Slice, and the GEMM sums over batch and positions at once.
 */
function tapWeightGradient(ctx: VjpContext, x: string, dy: string, wDims: number[], g: ConvGeometry, dataType: number): string {
  const [cOut, cIn, ...kernel] = wDims;
  const k = g.spatial;
  const sp = Array.from({ length: k }, (_, i) => i);
  // Phase sizes; the first axis gets one more row so the last taps' windows stay inside the plane.
  const phase = sp.map((i) => Math.ceil((g.inputSize[i] + g.pads[i] + g.pads[i + k]) / g.strides[i]) + (i === 0 ? 1 : 0));
  const padEnd = sp.map((i) => phase[i] * g.strides[i] - g.inputSize[i] - g.pads[i]);
  const padded = ctx.emit('Pad', [x, ctx.int64([0, 0, ...g.pads.slice(0, k), 0, 0, ...padEnd])], {}, { dims: [null, cIn, ...phase.map((q, i) => q * g.strides[i])], dataType });
  // [N, C, Q0, s0, Q1, s1, …] → [s0, s1, …, C, N, Q0, Q1, …] → [S, C, N, ΠQ]
  const phases = g.strides.reduce((a, v) => a * v, 1);
  const plane = phase.reduce((a, v) => a * v, 1);
  let phased: string;
  if (phases === 1) {
    phased = ctx.emit('Transpose', [ctx.reshape(padded, [null, cIn, plane])], { perm: [1, 0, 2] }, { dims: [cIn, null, plane], dataType });
  } else {
    const split = ctx.reshape(padded, [null, cIn, ...sp.flatMap((i) => [phase[i], g.strides[i]])]);
    const perm = [...sp.map((i) => 3 + 2 * i), 1, 0, ...sp.map((i) => 2 + 2 * i)];
    phased = ctx.emit('Transpose', [split], { perm }, { dims: [...g.strides, cIn, null, ...phase], dataType });
  }
  const flat = ctx.reshape(phased, [phases, cIn, null, plane]);
  // dY zero-padded to the phase widths on the inner axes, as [Cout, N·L].
  const window = g.outputSize[0] * phase.slice(1).reduce((a, v) => a * v, 1);
  let dyWide = dy;
  if (sp.some((i) => i > 0 && phase[i] !== g.outputSize[i])) {
    const ends = sp.map((i) => (i === 0 ? 0 : phase[i] - g.outputSize[i]));
    dyWide = ctx.emit('Pad', [dy, ctx.int64([0, 0, ...sp.map(() => 0), 0, 0, ...ends])], {}, { dims: [null, cOut, g.outputSize[0], ...phase.slice(1)], dataType });
  }
  const dyT = ctx.emit('Transpose', [dyWide], { perm: [1, 0, ...sp.map((i) => i + 2)] }, { dims: [cOut, null, g.outputSize[0], ...phase.slice(1)], dataType });
  const dyRows = ctx.reshape(dyT, [cOut, null]);
  const taps: string[] = [];
  const strideOf = sp.map((i) => phase.slice(i + 1).reduce((a, v) => a * v, 1));
  for (let t = 0; t < kernel.reduce((a, v) => a * v, 1); t++) {
    // Tap index t → kernel position per axis (row-major), its phase and its shift inside the phase.
    let rest = t;
    const position = [...sp].reverse().map((i) => {
      const v = rest % kernel[i];
      rest = Math.floor(rest / kernel[i]);
      return v;
    }).reverse();
    const offsets = position.map((v, i) => v * g.dilations[i]);
    const phaseIndex = sp.reduce((a, i) => a * g.strides[i] + (offsets[i] % g.strides[i]), 0);
    const shift = sp.reduce((a, i) => a + Math.floor(offsets[i] / g.strides[i]) * strideOf[i], 0);
    const slice = ctx.emit('Slice', [flat, ctx.int64([phaseIndex, shift]), ctx.int64([phaseIndex + 1, shift + window]), ctx.int64([0, 3])], {}, { dims: [1, cIn, null, window], dataType });
    const columns = ctx.reshape(slice, [cIn, null]);
    const product = ctx.emit('Gemm', [dyRows, columns], { transB: 1 }, { dims: [cOut, cIn], dataType });
    taps.push(ctx.reshape(product, [cOut, cIn, 1]));
  }
  const joined = taps.length === 1 ? taps[0] : ctx.emit('Concat', taps, { axis: 2 }, { dims: [cOut, cIn, taps.length], dataType });
  return ctx.reshape(joined, wDims);
}

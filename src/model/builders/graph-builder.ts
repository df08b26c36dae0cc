// A small ONNX graph builder for image classifiers: layers as methods that emit standard ops and
// seeded initializers, batch dim dynamic ('N'). Initialisation follows torch.nn defaults where they
// matter for training: Kaiming-normal (fan_out, ReLU) for convs as torchvision's ResNet, truncated
// normal std 0.02 for transformer linears as timm's ViT, zeros for biases, ones/zeros for norms.
import { DataType } from '../../onnx/proto.js';
import { makeNode, makeValueInfo, type AttributeValue } from '../../onnx/build.js';
import { Graph } from '../../onnx/graph.js';
import { Rng } from '../../util/rng.js';

/** RobustART's three architecture families. */
export type ArchitectureFamily = 'CNN' | 'ViT' | 'MLP';

export interface ImageModelConfig {
  readonly inputSize: readonly [number, number, number];
  readonly numClasses: number;
  readonly seed?: number;
  /** false: weights left at zero (fast; for shape and parameter-count checks). Default true. */
  readonly initialize?: boolean;
  /**
   * true: initializers carry their dims but no values. The graph cannot run; it is cheap to build at
   * any size and enough to count parameters and MACs (src/model/zoo/complexity.ts).
   */
  readonly shapesOnly?: boolean;
  /**
   * true: parameters carry the reference implementation's state-dict names (the zoo builds this way,
   * so torchvision/timm weights map by name); false (default): generated names such as bn_mean_4.
   */
  readonly referenceNames?: boolean;
}

/** Options of a layer whose parameters carry reference (torchvision/timm state-dict) names. */
export interface Named {
  /** Module path, e.g. 'layer1.0.conv1': parameters become 'layer1.0.conv1.weight' etc. */
  readonly name?: string;
}

export class ModelBuilder {
  readonly graph: Graph;
  readonly rng: Rng;
  private count = 0;

  constructor(
    seed: number,
    readonly initialize = true,
    opset = 17,
    readonly shapesOnly = false,
    readonly referenceNames = false,
  ) {
    this.graph = new Graph({ opset, name: 'robustart_model' });
    this.rng = new Rng(seed);
  }

  static for(config: ImageModelConfig): ModelBuilder {
    return new ModelBuilder(config.seed ?? 0, config.initialize ?? true, 17, config.shapesOnly ?? false, config.referenceNames ?? false);
  }

  name(hint: string): string {
    return `${hint}_${this.count++}`;
  }

  input(name: string, dims: (number | string)[]): string {
    this.graph.inputs.push(makeValueInfo(name, dims));
    return name;
  }

  op(type: string, inputs: string[], attrs: Record<string, AttributeValue> = {}, output?: string): string {
    const out = output ?? this.name(type.toLowerCase());
    this.graph.nodes.push(makeNode(type, inputs, [out], attrs));
    return out;
  }

  /** A node with several outputs (Split). */
  opOutputs(type: string, inputs: string[], count: number, attrs: Record<string, AttributeValue> = {}): string[] {
    const outs = Array.from({ length: count }, () => this.name(type.toLowerCase()));
    this.graph.nodes.push(makeNode(type, inputs, outs, attrs));
    return outs;
  }

  /** A float initializer; `fullName` gives it a reference (state-dict) name instead of a generated one. */
  param(hint: string, dims: number[], init: (rng: Rng) => number, fullName?: string): string {
    const name = this.referenceNames && fullName ? fullName : this.name(hint);
    if (this.graph.initializers.has(name)) throw new Error(`duplicate parameter name ${name}`);
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(this.shapesOnly ? 0 : n);
    if (this.initialize && !this.shapesOnly) for (let i = 0; i < n; i++) data[i] = init(this.rng);
    this.graph.initializers.set(name, { dims, dataType: DataType.FLOAT, data });
    return name;
  }

  ints(values: number[]): string {
    const name = this.name('shape');
    this.graph.initializers.set(name, { dims: [values.length], dataType: DataType.INT64, data: BigInt64Array.from(values.map(BigInt)) });
    return name;
  }

  scalar(value: number): string {
    const name = this.name('const');
    this.graph.initializers.set(name, { dims: [], dataType: DataType.FLOAT, data: Float32Array.of(value) });
    return name;
  }

  /** Conv with Kaiming-normal weights (fan_out, gain sqrt(2)) and an optional zero bias. */
  conv(x: string, cin: number, cout: number, kernel: number, options: { stride?: number; pad?: number; groups?: number; bias?: boolean } & Named = {}): string {
    const groups = options.groups ?? 1;
    if (cin % groups !== 0 || cout % groups !== 0) throw new Error(`conv ${options.name ?? ''}: ${cin}→${cout} channels do not split into ${groups} groups`);
    const std = Math.sqrt(2 / ((cout / groups) * kernel * kernel));
    const w = this.param('conv_w', [cout, cin / groups, kernel, kernel], (r) => r.normal(0, std), suffixed(options.name, 'weight'));
    const inputs = [x, w];
    if (options.bias) inputs.push(this.param('conv_b', [cout], () => 0, suffixed(options.name, 'bias')));
    const pad = options.pad ?? Math.floor(kernel / 2);
    const stride = options.stride ?? 1;
    return this.op('Conv', inputs, { kernel_shape: [kernel, kernel], strides: [stride, stride], pads: [pad, pad, pad, pad], group: groups });
  }

  /** Inference-form BatchNorm with identity statistics (scale 1, bias 0, mean 0, var 1), as a fresh torch model in eval mode. */
  batchNorm(x: string, channels: number, options: { zeroScale?: boolean; epsilon?: number } & Named = {}): string {
    const n = options.name;
    const scale = this.param('bn_scale', [channels], () => (options.zeroScale ? 0 : 1), suffixed(n, 'weight'));
    const bias = this.param('bn_bias', [channels], () => 0, suffixed(n, 'bias'));
    const mean = this.param('bn_mean', [channels], () => 0, suffixed(n, 'running_mean'));
    const variance = this.param('bn_var', [channels], () => 1, suffixed(n, 'running_var'));
    return this.op('BatchNormalization', [x, scale, bias, mean, variance], { epsilon: options.epsilon ?? 1e-5 });
  }

  /** ReLU6 (MobileNet): min(max(x, 0), 6). */
  relu6(x: string): string {
    return this.op('Clip', [x, this.scalar(0), this.scalar(6)]);
  }

  /** SiLU / swish (EfficientNet): x·sigmoid(x). */
  silu(x: string): string {
    return this.op('Mul', [x, this.op('Sigmoid', [x])]);
  }

  /** torch.nn.Hardsigmoid: relu6(x + 3) / 6. */
  hardSigmoid(x: string): string {
    return this.op('HardSigmoid', [x], { alpha: 1 / 6, beta: 0.5 });
  }

  hardSwish(x: string): string {
    return this.op('HardSwish', [x]);
  }

  /** Dropout with probability p: identity in this inference graph (no training_mode input); training graphs switch it on. */
  dropout(x: string, p: number): string {
    return p > 0 ? this.op('Dropout', [x, this.scalar(p)]) : x;
  }

  /**
   * Stochastic depth / drop-path with probability p on a residual branch of rank `rank`: the branch
   * times Dropout over a per-sample [N, 1, …] tensor of ones. Identity in this inference graph; a
   * per-sample Bernoulli(1 − p)/(1 − p) mask once training switches Dropout on (as torchvision's
   * StochasticDepth 'row' mode and timm's DropPath).
   */
  dropPath(x: string, p: number, rank: number): string {
    if (p <= 0) return x;
    const batch = this.op('Slice', [this.op('Shape', [x]), this.ints([0]), this.ints([1])]);
    const shape = this.op('Concat', [batch, this.ints(Array(rank - 1).fill(1))], { axis: 0 });
    const one = { name: 'value', dims: [1], dataType: DataType.FLOAT, rawData: new Uint8Array(Float32Array.of(1).buffer) };
    const ones = this.op('ConstantOfShape', [shape], { value: one });
    return this.op('Mul', [x, this.op('Dropout', [ones, this.scalar(p)])]);
  }

  averagePool(x: string, kernel: number, stride: number, pad = 0): string {
    return this.op('AveragePool', [x], { kernel_shape: [kernel, kernel], strides: [stride, stride], pads: [pad, pad, pad, pad], count_include_pad: 1 });
  }

  /**
   * torch.nn.Linear with reference names: weight [out, in] as torch stores it (so reference weights
   * load unchanged), y = x Wᵀ + b over the last axis. Rank-2 inputs use Gemm (transB); others MatMul
   * against the transposed weight. Init: torch's Kaiming-uniform, or timm's truncated normal 0.02.
   */
  dense(x: string, fanIn: number, fanOut: number, options: { init?: 'torch' | 'trunc-normal'; rank?: number; bias?: boolean } & Named = {}): string {
    const bound = 1 / Math.sqrt(fanIn);
    const torchInit = (options.init ?? 'torch') === 'torch';
    const w = this.param('fc_w', [fanOut, fanIn], (r) => (torchInit ? r.uniformIn(-bound, bound) : truncatedNormal(r, 0.02)), suffixed(options.name, 'weight'));
    const hasBias = options.bias ?? true;
    const b = hasBias ? this.param('fc_b', [fanOut], (r) => (torchInit ? r.uniformIn(-bound, bound) : 0), suffixed(options.name, 'bias')) : '';
    if ((options.rank ?? 2) === 2) return this.op('Gemm', hasBias ? [x, w, b] : [x, w], { transB: 1 });
    const y = this.op('MatMul', [x, this.transpose(w, [1, 0])]);
    return hasBias ? this.op('Add', [y, b]) : y;
  }

  relu(x: string): string {
    return this.op('Relu', [x]);
  }

  /** GELU in its exact erf form, x/2 (1 + erf(x/sqrt 2)), as torch exports it below opset 20. */
  gelu(x: string): string {
    const e = this.op('Erf', [this.op('Mul', [x, this.scalar(Math.SQRT1_2)])]);
    return this.op('Mul', [this.op('Mul', [x, this.scalar(0.5)]), this.op('Add', [e, this.scalar(1)])]);
  }

  maxPool(x: string, kernel: number, stride: number, pad = 0): string {
    return this.op('MaxPool', [x], { kernel_shape: [kernel, kernel], strides: [stride, stride], pads: [pad, pad, pad, pad] });
  }

  globalAveragePool(x: string): string {
    return this.op('Flatten', [this.op('GlobalAveragePool', [x])], { axis: 1 });
  }

  /** y = x W + b over the last axis (any rank), W [in, out]; truncated-normal std or Kaiming-uniform as torch.nn.Linear. */
  linear(x: string, fanIn: number, fanOut: number, init: 'torch' | 'trunc-normal' = 'torch', output?: string): string {
    const bound = 1 / Math.sqrt(fanIn);
    const w = this.param('fc_w', [fanIn, fanOut], (r) => (init === 'torch' ? r.uniformIn(-bound, bound) : truncatedNormal(r, 0.02)));
    const b = this.param('fc_b', [fanOut], (r) => (init === 'torch' ? r.uniformIn(-bound, bound) : 0));
    return this.op('Add', [this.op('MatMul', [x, w]), b], {}, output);
  }

  layerNorm(x: string, dim: number, options: { epsilon?: number } & Named = {}): string {
    const scale = this.param('ln_scale', [dim], () => 1, suffixed(options.name, 'weight'));
    const bias = this.param('ln_bias', [dim], () => 0, suffixed(options.name, 'bias'));
    return this.op('LayerNormalization', [x, scale, bias], { axis: -1, epsilon: options.epsilon ?? 1e-6 });
  }

  /** LayerNorm over the channels of an NCHW tensor (ConvNeXt's LayerNorm2d). */
  layerNorm2d(x: string, channels: number, options: { epsilon?: number } & Named = {}): string {
    return this.transpose(this.layerNorm(this.transpose(x, [0, 2, 3, 1]), channels, options), [0, 3, 1, 2]);
  }

  reshape(x: string, dims: number[]): string {
    return this.op('Reshape', [x, this.ints(dims)]);
  }

  transpose(x: string, perm: number[]): string {
    return this.op('Transpose', [x], { perm });
  }

  output(x: string, name: string, numClasses: number): void {
    this.op('Identity', [x], {}, name);
    this.graph.outputs.push(makeValueInfo(name, ['N', numClasses]));
  }

  finish(metadata: Record<string, unknown>): Graph {
    // metadata_props values are JSON, as src/model/metadata.ts reads them.
    this.graph.metadata = Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, JSON.stringify(v)]));
    return this.graph;
  }
}

/** `module.param` when the layer is named; undefined lets the builder generate a name. */
export function suffixed(module: string | undefined, param: string): string | undefined {
  return module === undefined ? undefined : `${module}.${param}`;
}

/** Normal(0, std) truncated to ±2 std, as timm's trunc_normal_. */
export function truncatedNormal(rng: Rng, std: number): number {
  for (;;) {
    const v = rng.normal();
    if (Math.abs(v) <= 2) return v * std;
  }
}

/** Metadata in timm's pretrained_cfg field names (src/model/metadata.ts). */
export function imageMetadata(config: ImageModelConfig, family: ArchitectureFamily, architecture: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const metadata: Record<string, unknown> = {
    input_size: [...config.inputSize],
    num_classes: config.numClasses,
    family,
    architecture,
    interpolation: 'bicubic',
    crop_pct: 0.875,
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
    ...extra,
  };
  // Normalisation is per input channel: for other than RGB inputs, the RGB statistics' average per channel.
  const channels = config.inputSize[0];
  for (const key of ['mean', 'std']) {
    const rgb = metadata[key] as number[];
    if (rgb.length !== channels) metadata[key] = Array(channels).fill(rgb.reduce((a, b) => a + b, 0) / rgb.length);
  }
  return metadata;
}

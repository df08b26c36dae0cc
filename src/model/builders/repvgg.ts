// RepVGG (Ding et al. 2021) as the official implementation (DingXiaoH/RepVGG, repvgg.py) builds it,
// parameters under its names. Training-time blocks sum three branches — 3×3 conv+BN, 1×1 conv+BN and
// (when shapes allow) an identity BN — then ReLU. Deploy-time each block is one 3×3 conv with bias:
// reparameterizeRepVGG folds every branch's BN into its kernel and adds the 1×1 and identity kernels
// into the 3×3 centre (the paper's Section 3.3). A0: blocks [2, 4, 14, 1], widths ×[0.75, 0.75,
// 0.75, 2.5]; B3: [4, 6, 16, 1], ×[3, 3, 3, 5] on base widths 64, 128, 256, 512.
import { z, lazyValue, type Zod } from '../../util/native.js';
import { ModelBuilder, imageMetadata, type ImageModelConfig } from './graph-builder.js';
import type { Graph } from '../../onnx/graph.js';
import { scaleDepth, type Architecture } from '../zoo/registry.js';

export interface RepVGGConfig extends ImageModelConfig {
  readonly blocks: readonly number[];
  readonly multipliers: readonly number[];
  /** 'train': three-branch blocks; 'deploy': one 3×3 conv (rbr_reparam) per block. */
  readonly mode?: 'train' | 'deploy';
  /** Stride of stage 0 (2; 1 for small inputs). */
  readonly stemStride?: number;
}

const BN_EPS = 1e-5;

interface BlockSpec {
  readonly name: string;
  readonly cin: number;
  readonly cout: number;
  readonly stride: number;
}

/** Every block of the network with its reference name. */
export function repvggBlocks(blocks: readonly number[], multipliers: readonly number[], stemStride = 2): BlockSpec[] {
  const base = [64, 128, 256, 512];
  const specs: BlockSpec[] = [];
  let cin = Math.min(64, Math.floor(64 * multipliers[0]));
  const inputChannels = cin;
  specs.push({ name: 'stage0', cin: -1, cout: inputChannels, stride: stemStride });
  blocks.forEach((n, s) => {
    const cout = Math.floor(base[s] * multipliers[s]);
    for (let i = 0; i < n; i++) {
      specs.push({ name: `stage${s + 1}.${i}`, cin, cout, stride: i === 0 ? 2 : 1 });
      cin = cout;
    }
  });
  return specs;
}

export function buildRepVGG(config: RepVGGConfig): Graph {
  const b = ModelBuilder.for(config);
  const [c, h, w] = config.inputSize;
  const deploy = config.mode === 'deploy';
  let x = b.input('input', ['N', c, h, w]);
  let channels = c;
  for (const spec of repvggBlocks(config.blocks, config.multipliers, config.stemStride ?? 2)) {
    const { name, cout, stride } = spec;
    if (deploy) {
      x = b.relu(b.conv(x, channels, cout, 3, { stride, bias: true, name: `${name}.rbr_reparam` }));
    } else {
      const branches = [
        b.batchNorm(b.conv(x, channels, cout, 3, { stride, name: `${name}.rbr_dense.conv` }), cout, { name: `${name}.rbr_dense.bn`, epsilon: BN_EPS }),
        b.batchNorm(b.conv(x, channels, cout, 1, { stride, pad: 0, name: `${name}.rbr_1x1.conv` }), cout, { name: `${name}.rbr_1x1.bn`, epsilon: BN_EPS }),
      ];
      if (channels === cout && stride === 1) branches.push(b.batchNorm(x, cout, { name: `${name}.rbr_identity`, epsilon: BN_EPS }));
      x = b.relu(branches.reduce((acc, v) => b.op('Add', [acc, v])));
    }
    channels = cout;
  }
  b.output(b.dense(b.globalAveragePool(x), channels, config.numClasses, { name: 'linear' }), 'logits', config.numClasses);
  return b.finish(imageMetadata(config, 'CNN', `repvgg-${config.blocks.join('-')}-${deploy ? 'deploy' : 'train'}`));
}

/** Parameters by name, as a graph's initializers or a state dict hold them. */
export type Weights = ReadonlyMap<string, { readonly dims: readonly number[]; readonly data: Float32Array }>;

/**
 * Deploy weights from training-time weights: for each block, kernel = Σ branch kernel·γ/σ (1×1 and
 * identity kernels placed at the 3×3 centre) and bias = Σ β − μγ/σ, with σ = √(var + eps).
 */
export function reparameterizeRepVGG(config: Pick<RepVGGConfig, 'blocks' | 'multipliers' | 'stemStride' | 'inputSize'>, weights: Weights): Map<string, { dims: number[]; data: Float32Array }> {
  const out = new Map<string, { dims: number[]; data: Float32Array }>();
  const get = (n: string) => {
    const t = weights.get(n);
    if (!t) throw new Error(`RepVGG weights lack ${n}`);
    return t.data;
  };
  let channels = config.inputSize[0];
  for (const { name, cout, stride } of repvggBlocks(config.blocks, config.multipliers, config.stemStride ?? 2)) {
    const cin = channels;
    const kernel = new Float64Array(cout * cin * 9);
    const bias = new Float64Array(cout);
    const fold = (bn: string, add: (o: number, scale: number) => void) => {
      const [g, beta, mean, variance] = ['weight', 'bias', 'running_mean', 'running_var'].map((p) => get(`${bn}.${p}`));
      for (let o = 0; o < cout; o++) {
        const scale = g[o] / Math.sqrt(variance[o] + BN_EPS);
        add(o, scale);
        bias[o] += beta[o] - mean[o] * scale;
      }
    };
    const dense = get(`${name}.rbr_dense.conv.weight`);
    fold(`${name}.rbr_dense.bn`, (o, s) => {
      for (let j = 0; j < cin * 9; j++) kernel[o * cin * 9 + j] += dense[o * cin * 9 + j] * s;
    });
    const pointwise = get(`${name}.rbr_1x1.conv.weight`);
    fold(`${name}.rbr_1x1.bn`, (o, s) => {
      for (let i = 0; i < cin; i++) kernel[(o * cin + i) * 9 + 4] += pointwise[o * cin + i] * s;
    });
    if (cin === cout && stride === 1) fold(`${name}.rbr_identity`, (o, s) => (kernel[(o * cin + o) * 9 + 4] += s));
    out.set(`${name}.rbr_reparam.weight`, { dims: [cout, cin, 3, 3], data: Float32Array.from(kernel) });
    out.set(`${name}.rbr_reparam.bias`, { dims: [cout], data: Float32Array.from(bias) });
    channels = cout;
  }
  for (const p of ['linear.weight', 'linear.bias']) out.set(p, { dims: [...weights.get(p)!.dims], data: weights.get(p)!.data });
  return out;
}

const schema = lazyValue(() =>
  z.object({
    blocks: z.array(z.number().int().positive()).length(4),
    multipliers: z.array(z.number().positive()).length(4),
    mode: z.enum(['train', 'deploy']).default('train'),
    stemStride: z.number().int().positive().default(2),
  }),
);
type Options = Zod.infer<typeof schema>;

export const repvggArchitecture: Architecture<Options> = {
  family: 'CNN',
  description: 'RepVGG (DingXiaoH/RepVGG repvgg.py; timm repvgg_*)',
  schema,
  presets: {
    repvgg_a0: { options: { blocks: [2, 4, 14, 1], multipliers: [0.75, 0.75, 0.75, 2.5], mode: 'train', stemStride: 2 }, resolution: 224, reference: 'RepVGG-A0 (DingXiaoH/RepVGG)' },
    repvgg_b3: { options: { blocks: [4, 6, 16, 1], multipliers: [3, 3, 3, 5], mode: 'train', stemStride: 2 }, resolution: 224, reference: 'RepVGG-B3 (DingXiaoH/RepVGG)' },
    'small-repvgg': { options: { blocks: [1, 2, 2, 1], multipliers: [0.25, 0.25, 0.25, 0.25], mode: 'train', stemStride: 2 }, resolution: 32, classes: 10, small: true },
  },
  build: (o, s) => buildRepVGG({ ...s, ...o, multipliers: o.multipliers.map((m) => m * s.width), blocks: o.blocks.map((n) => scaleDepth(n, s.depth)) }),
};

// MLP-Mixer (Tolstikhin et al. 2021) as timm's MlpMixer, parameters under timm's names: patch
// embedding (stem.proj), blocks of token mixing (LayerNorm, MLP across patches on the transposed
// tokens) and channel mixing (LayerNorm, MLP across channels), final LayerNorm (eps 1e-6), mean over
// tokens, linear head. Mixer-B/16: dim 768, depth 12; L/16: dim 1024, depth 24; hidden 0.5·dim
// (tokens) and 4·dim (channels), timm's mlp_ratio (0.5, 4.0).
import { z, lazyValue, type Zod } from '../../util/native.js';
import { ModelBuilder, imageMetadata, truncatedNormal, type ImageModelConfig } from './graph-builder.js';
import type { Graph } from '../../onnx/graph.js';
import { scaleDepth, scaleWidth, type Architecture } from '../zoo/registry.js';
import { RobustartError } from '../../errors.js';

export interface MixerConfig extends ImageModelConfig {
  readonly patchSize: number;
  readonly dim: number;
  readonly depth: number;
  readonly tokenHidden?: number;
  readonly channelHidden?: number;
  /** Stochastic depth rate, rising linearly over the blocks (timm drop_path_rate, default 0). */
  readonly dropPath?: number;
}

export function buildMixer(config: MixerConfig): Graph {
  const b = ModelBuilder.for(config);
  const [c, h, w] = config.inputSize;
  const { dim, patchSize } = config;
  if (h % patchSize !== 0 || w % patchSize !== 0) throw new RobustartError(`Mixer: input ${h}×${w} is not a whole number of ${patchSize}-pixel patches; choose a resolution divisible by the patch size`);
  const tokens = (h / patchSize) * (w / patchSize);
  const tokenHidden = config.tokenHidden ?? Math.floor(dim / 2);
  const channelHidden = config.channelHidden ?? dim * 4;
  const fanIn = c * patchSize * patchSize;
  const pw = b.param('patch_w', [dim, c, patchSize, patchSize], (r) => truncatedNormal(r, Math.sqrt(1 / fanIn)), 'stem.proj.weight');
  const pb = b.param('patch_b', [dim], () => 0, 'stem.proj.bias');
  const grid = b.op('Conv', [b.input('input', ['N', c, h, w]), pw, pb], { kernel_shape: [patchSize, patchSize], strides: [patchSize, patchSize] });
  let x = b.transpose(b.reshape(grid, [0, dim, -1]), [0, 2, 1]);
  const dense = (v: string, i: number, o: number, name: string) => b.dense(v, i, o, { name, rank: 3, init: 'trunc-normal' });
  for (let i = 0; i < config.depth; i++) {
    const at = `blocks.${i}`;
    const t = b.transpose(b.layerNorm(x, dim, { name: `${at}.norm1` }), [0, 2, 1]);
    const mixed = dense(b.gelu(dense(t, tokens, tokenHidden, `${at}.mlp_tokens.fc1`)), tokenHidden, tokens, `${at}.mlp_tokens.fc2`);
    const dropRate = config.depth > 1 ? ((config.dropPath ?? 0) * i) / (config.depth - 1) : 0;
    x = b.op('Add', [x, b.dropPath(b.transpose(mixed, [0, 2, 1]), dropRate, 3)]);
    const n2 = b.layerNorm(x, dim, { name: `${at}.norm2` });
    x = b.op('Add', [x, b.dropPath(dense(b.gelu(dense(n2, dim, channelHidden, `${at}.mlp_channels.fc1`)), channelHidden, dim, `${at}.mlp_channels.fc2`), dropRate, 3)]);
  }
  const pooled = b.op('ReduceMean', [b.layerNorm(x, dim, { name: 'norm' })], { axes: [1], keepdims: 0 });
  b.output(b.dense(pooled, dim, config.numClasses, { name: 'head', init: 'trunc-normal' }), 'logits', config.numClasses);
  return b.finish(imageMetadata(config, 'MLP', `mixer-p${patchSize}-d${dim}-l${config.depth}`, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }));
}

const schema = lazyValue(() =>
  z.object({
    patchSize: z.number().int().positive(),
    dim: z.number().int().positive(),
    depth: z.number().int().positive(),
    dropPath: z.number().min(0).max(1).default(0),
  }),
);
type Options = Zod.infer<typeof schema>;

export const mixerArchitecture: Architecture<Options> = {
  family: 'MLP',
  description: 'MLP-Mixer (timm mlp_mixer.py)',
  schema,
  presets: {
    mixer_b16_224: { options: { patchSize: 16, dim: 768, depth: 12, dropPath: 0 }, resolution: 224, reference: 'timm:mixer_b16_224' },
    mixer_l16_224: { options: { patchSize: 16, dim: 1024, depth: 24, dropPath: 0 }, resolution: 224, reference: 'timm:mixer_l16_224' },
    'small-mixer': { options: { patchSize: 4, dim: 48, depth: 3, dropPath: 0.1 }, resolution: 32, classes: 10, small: true },
  },
  build: (o, s) => buildMixer({ ...s, ...o, dim: scaleWidth(o.dim, s.width), depth: scaleDepth(o.depth, s.depth) }),
};

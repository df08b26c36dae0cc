// MLP-Mixer (Tolstikhin et al. 2021) as timm's MlpMixer: patch embedding, blocks of token mixing
// (LayerNorm, MLP across patches on the transposed tokens) and channel mixing (LayerNorm, MLP across
// channels), final LayerNorm, mean over tokens, linear head. Mixer-B/16: dim 768, depth 12,
// token hidden 384, channel hidden 3072.
import { ModelBuilder, imageMetadata, type ImageModelConfig } from './graph-builder.js';
import type { Graph } from '../../onnx/graph.js';

export interface MixerConfig extends ImageModelConfig {
  readonly patchSize: number;
  readonly dim: number;
  readonly depth: number;
  readonly tokenHidden?: number;
  readonly channelHidden?: number;
}

export function buildMixer(config: MixerConfig): Graph {
  const b = new ModelBuilder(config.seed ?? 0, config.initialize ?? true);
  const [c, h, w] = config.inputSize;
  const { dim, patchSize } = config;
  const tokens = (h / patchSize) * (w / patchSize);
  const tokenHidden = config.tokenHidden ?? dim / 2;
  const channelHidden = config.channelHidden ?? dim * 4;
  let x = b.patchEmbed(b.input('input', ['N', c, h, w]), c, dim, patchSize);
  for (let i = 0; i < config.depth; i++) {
    const t = b.transpose(b.layerNorm(x, dim), [0, 2, 1]);
    const mixed = b.linear(b.gelu(b.linear(t, tokens, tokenHidden)), tokenHidden, tokens);
    x = b.op('Add', [x, b.transpose(mixed, [0, 2, 1])]);
    x = b.op('Add', [x, b.linear(b.gelu(b.linear(b.layerNorm(x, dim), dim, channelHidden)), channelHidden, dim)]);
  }
  const pooled = b.op('ReduceMean', [b.layerNorm(x, dim)], { axes: [1], keepdims: 0 });
  b.output(b.linear(pooled, dim, config.numClasses), 'logits', config.numClasses);
  return b.finish(imageMetadata(config, 'MLP', `mixer-p${patchSize}-d${dim}-l${config.depth}`, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }));
}

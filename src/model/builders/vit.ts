// Vision Transformer (Dosovitskiy et al. 2021) as timm's VisionTransformer: patch embedding, class
// token, learned position embedding, pre-norm blocks of multi-head self-attention and a GELU MLP,
// final LayerNorm, class-token head. ViT-B/16: patch 16, dim 768, depth 12, heads 12, mlpRatio 4.
import { ModelBuilder, imageMetadata, truncatedNormal, type ImageModelConfig } from './graph-builder.js';
import type { Graph } from '../../onnx/graph.js';

export interface ViTConfig extends ImageModelConfig {
  readonly patchSize: number;
  readonly dim: number;
  readonly depth: number;
  readonly heads: number;
  readonly mlpRatio?: number;
}

export function buildViT(config: ViTConfig): Graph {
  const b = new ModelBuilder(config.seed ?? 0, config.initialize ?? true);
  const [c, h, w] = config.inputSize;
  const { dim, heads, patchSize } = config;
  const headDim = dim / heads;
  const tokens = (h / patchSize) * (w / patchSize) + 1;
  const hidden = Math.round(dim * (config.mlpRatio ?? 4));
  const input = b.input('input', ['N', c, h, w]);
  const patches = b.patchEmbed(input, c, dim, patchSize);
  // Class token broadcast over the batch: Expand to [N, 1, D] using the runtime batch size.
  const cls = b.param('cls_token', [1, 1, dim], (r) => truncatedNormal(r, 0.02));
  const batch = b.op('Slice', [b.op('Shape', [patches]), b.ints([0]), b.ints([1])]);
  const clsShape = b.op('Concat', [batch, b.ints([1, dim])], { axis: 0 });
  let x = b.op('Concat', [b.op('Expand', [cls, clsShape]), patches], { axis: 1 });
  x = b.op('Add', [x, b.param('pos_embed', [1, tokens, dim], (r) => truncatedNormal(r, 0.02))]);
  for (let i = 0; i < config.depth; i++) {
    const n1 = b.layerNorm(x, dim);
    const qkv = b.linear(n1, dim, 3 * dim, 'trunc-normal');
    // [N, T, 3, H, Dh] -> [3, N, H, T, Dh]
    const split = b.transpose(b.reshape(qkv, [0, tokens, 3, heads, headDim]), [2, 0, 3, 1, 4]);
    const [q, k, v] = [0, 1, 2].map((j) => b.op('Gather', [split, b.ints([j])], { axis: 0 }));
    const scores = b.op('Mul', [b.op('MatMul', [b.op('Squeeze', [q, b.ints([0])]), b.transpose(b.op('Squeeze', [k, b.ints([0])]), [0, 1, 3, 2])]), b.scalar(1 / Math.sqrt(headDim))]);
    const attn = b.op('Softmax', [scores], { axis: -1 });
    const ctx = b.op('MatMul', [attn, b.op('Squeeze', [v, b.ints([0])])]);
    const merged = b.reshape(b.transpose(ctx, [0, 2, 1, 3]), [0, tokens, dim]);
    x = b.op('Add', [x, b.linear(merged, dim, dim, 'trunc-normal')]);
    const n2 = b.layerNorm(x, dim);
    x = b.op('Add', [x, b.linear(b.gelu(b.linear(n2, dim, hidden, 'trunc-normal')), hidden, dim, 'trunc-normal')]);
  }
  x = b.layerNorm(x, dim);
  const clsOut = b.op('Gather', [x, b.ints([0])], { axis: 1 });
  const logits = b.linear(b.op('Squeeze', [clsOut, b.ints([1])]), dim, config.numClasses, 'trunc-normal');
  b.output(logits, 'logits', config.numClasses);
  return b.finish(imageMetadata(config, 'ViT', `vit-p${patchSize}-d${dim}-l${config.depth}-h${heads}`, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }));
}

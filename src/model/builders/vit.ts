// Vision Transformer (Dosovitskiy et al. 2021) as torchvision's VisionTransformer, parameters under its
// state-dict names: patch embedding (conv_proj), class token, learned position embedding, pre-norm
// blocks of multi-head self-attention (packed in_proj as nn.MultiheadAttention) and a GELU MLP,
// final LayerNorm (eps 1e-6), class-token head. ViT-B/16: patch 16, dim 768, depth 12, heads 12.
// DeiT (Touvron et al. 2021) without distillation is the same network at dims 192/384/768.
import { z, lazyValue, type Zod } from '../../util/native.js';
import { ModelBuilder, imageMetadata, truncatedNormal, type ImageModelConfig } from './graph-builder.js';
import type { Graph } from '../../onnx/graph.js';
import { scaleDepth, type Architecture } from '../zoo/registry.js';
import { RobustartError } from '../../errors.js';

export interface ViTConfig extends ImageModelConfig {
  readonly patchSize: number;
  readonly dim: number;
  readonly depth: number;
  readonly heads: number;
  readonly mlpRatio?: number;
  /** Dropout after the position embedding and in the MLP (0 in the ImageNet recipes). */
  readonly dropout?: number;
  /** Stochastic depth rate, rising linearly over the blocks to this value (timm drop_path_rate; DeiT: 0.1). */
  readonly dropPath?: number;
}

export function buildViT(config: ViTConfig): Graph {
  const b = ModelBuilder.for(config);
  const [c, h, w] = config.inputSize;
  const { dim, heads, patchSize } = config;
  if (h % patchSize !== 0 || w % patchSize !== 0) throw new RobustartError(`ViT: input ${h}×${w} is not a whole number of ${patchSize}-pixel patches; choose a resolution divisible by the patch size`);
  if (dim % heads !== 0) throw new RobustartError(`ViT: width ${dim} does not split into ${heads} heads; choose a width divisible by the heads`);
  const headDim = dim / heads;
  const tokens = (h / patchSize) * (w / patchSize) + 1;
  const hidden = Math.round(dim * (config.mlpRatio ?? 4));
  const p = config.dropout ?? 0;
  const input = b.input('input', ['N', c, h, w]);
  const fanIn = c * patchSize * patchSize;
  const cls = b.param('cls_token', [1, 1, dim], () => 0, 'class_token');
  const pw = b.param('patch_w', [dim, c, patchSize, patchSize], (r) => truncatedNormal(r, Math.sqrt(1 / fanIn)), 'conv_proj.weight');
  const pb = b.param('patch_b', [dim], () => 0, 'conv_proj.bias');
  const grid = b.op('Conv', [input, pw, pb], { kernel_shape: [patchSize, patchSize], strides: [patchSize, patchSize] });
  const patches = b.transpose(b.reshape(grid, [0, dim, -1]), [0, 2, 1]);
  // Class token broadcast over the batch: Expand to [N, 1, D] using the runtime batch size.
  const batch = b.op('Slice', [b.op('Shape', [patches]), b.ints([0]), b.ints([1])]);
  const clsShape = b.op('Concat', [batch, b.ints([1, dim])], { axis: 0 });
  let x = b.op('Concat', [b.op('Expand', [cls, clsShape]), patches], { axis: 1 });
  x = b.dropout(b.op('Add', [x, b.param('pos_embed', [1, tokens, dim], (r) => r.normal(0, 0.02), 'encoder.pos_embedding')]), p);
  const dense = (v: string, i: number, o: number, name: string) => b.dense(v, i, o, { name, rank: 3, init: 'trunc-normal' });
  for (let i = 0; i < config.depth; i++) {
    const at = `encoder.layers.encoder_layer_${i}`;
    const n1 = b.layerNorm(x, dim, { name: `${at}.ln_1` });
    const inW = b.param('qkv_w', [3 * dim, dim], (r) => truncatedNormal(r, 0.02), `${at}.self_attention.in_proj_weight`);
    const inB = b.param('qkv_b', [3 * dim], () => 0, `${at}.self_attention.in_proj_bias`);
    const qkv = b.op('Add', [b.op('MatMul', [n1, b.transpose(inW, [1, 0])]), inB]);
    // [N, T, 3, H, Dh] -> [3, N, H, T, Dh]
    const split = b.transpose(b.reshape(qkv, [0, tokens, 3, heads, headDim]), [2, 0, 3, 1, 4]);
    const [q, k, v] = [0, 1, 2].map((j) => b.op('Squeeze', [b.op('Gather', [split, b.ints([j])], { axis: 0 }), b.ints([0])]));
    const scores = b.op('MatMul', [b.op('Mul', [q, b.scalar(1 / Math.sqrt(headDim))]), b.transpose(k, [0, 1, 3, 2])]);
    const ctx = b.op('MatMul', [b.op('Softmax', [scores], { axis: -1 }), v]);
    const merged = b.reshape(b.transpose(ctx, [0, 2, 1, 3]), [0, tokens, dim]);
    const dropRate = config.depth > 1 ? ((config.dropPath ?? 0) * i) / (config.depth - 1) : 0;
    x = b.op('Add', [x, b.dropPath(dense(merged, dim, dim, `${at}.self_attention.out_proj`), dropRate, 3)]);
    const n2 = b.layerNorm(x, dim, { name: `${at}.ln_2` });
    const mlp = dense(b.dropout(b.gelu(dense(n2, dim, hidden, `${at}.mlp.0`)), p), hidden, dim, `${at}.mlp.3`);
    x = b.op('Add', [x, b.dropPath(b.dropout(mlp, p), dropRate, 3)]);
  }
  x = b.layerNorm(x, dim, { name: 'encoder.ln' });
  const clsOut = b.op('Squeeze', [b.op('Gather', [x, b.ints([0])], { axis: 1 }), b.ints([1])]);
  b.output(b.dense(clsOut, dim, config.numClasses, { name: 'heads.head', init: 'trunc-normal' }), 'logits', config.numClasses);
  return b.finish(imageMetadata(config, 'ViT', `vit-p${patchSize}-d${dim}-l${config.depth}-h${heads}`, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }));
}

const schema = lazyValue(() =>
  z.object({
    patchSize: z.number().int().positive(),
    dim: z.number().int().positive(),
    depth: z.number().int().positive(),
    heads: z.number().int().positive(),
    mlpRatio: z.number().positive().default(4),
    dropout: z.number().min(0).max(1).default(0),
    dropPath: z.number().min(0).max(1).default(0),
  }),
);
type Options = Zod.infer<typeof schema>;

const vit = (reference: string, patchSize: number, dim: number, depth: number, heads: number, dropPath = 0) => ({ options: { patchSize, dim, depth, heads, mlpRatio: 4, dropout: 0, dropPath }, resolution: 224, reference });

/**
 * timm's VisionTransformer names (deit_*, vit_*) as torchvision's: same tensors and layouts (qkv packed
 * q, k, v along the output axis as in_proj_weight), other module paths.
 */
export function timmViTName(name: string): string | undefined {
  const block = /^blocks\.(\d+)\.(.+)$/.exec(name);
  if (block) {
    const at = `encoder.layers.encoder_layer_${block[1]}`;
    const rest: Record<string, string> = {
      'norm1.weight': 'ln_1.weight', 'norm1.bias': 'ln_1.bias', 'norm2.weight': 'ln_2.weight', 'norm2.bias': 'ln_2.bias',
      'attn.qkv.weight': 'self_attention.in_proj_weight', 'attn.qkv.bias': 'self_attention.in_proj_bias',
      'attn.proj.weight': 'self_attention.out_proj.weight', 'attn.proj.bias': 'self_attention.out_proj.bias',
      'mlp.fc1.weight': 'mlp.0.weight', 'mlp.fc1.bias': 'mlp.0.bias', 'mlp.fc2.weight': 'mlp.3.weight', 'mlp.fc2.bias': 'mlp.3.bias',
    };
    return rest[block[2]] && `${at}.${rest[block[2]]}`;
  }
  const top: Record<string, string> = {
    cls_token: 'class_token', pos_embed: 'encoder.pos_embedding', 'patch_embed.proj.weight': 'conv_proj.weight', 'patch_embed.proj.bias': 'conv_proj.bias',
    'norm.weight': 'encoder.ln.weight', 'norm.bias': 'encoder.ln.bias', 'head.weight': 'heads.head.weight', 'head.bias': 'heads.head.bias',
  };
  return top[name];
}

export const vitArchitecture: Architecture<Options> = {
  family: 'ViT',
  description: 'Vision Transformer and DeiT (torchvision vision_transformer.py; timm deit.py)',
  schema,
  weightAliases: timmViTName,
  presets: {
    vit_b_16: vit('torchvision:vit_b_16', 16, 768, 12, 12),
    vit_b_32: vit('torchvision:vit_b_32', 32, 768, 12, 12),
    // timm deit_{tiny,small,base}_patch16_224: VisionTransformer with embed_dim 192/384/768, heads 3/6/12;
    // DeiT's recipe (Touvron et al. 2021, Table 9) trains with stochastic depth 0.1.
    deit_tiny_patch16_224: vit('timm:deit_tiny_patch16_224', 16, 192, 12, 3, 0.1),
    deit_small_patch16_224: vit('timm:deit_small_patch16_224', 16, 384, 12, 6, 0.1),
    deit_base_patch16_224: vit('timm:deit_base_patch16_224', 16, 768, 12, 12, 0.1),
    'small-vit': { options: { patchSize: 4, dim: 48, depth: 3, heads: 3, mlpRatio: 2, dropout: 0, dropPath: 0.1 }, resolution: 32, classes: 10, small: true },
  },
  // Width scales the embedding in whole heads.
  build: (o, s) => buildViT({ ...s, ...o, dim: o.heads * Math.max(1, Math.round((o.dim / o.heads) * s.width)), depth: scaleDepth(o.depth, s.depth) }),
};

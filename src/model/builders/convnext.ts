// ConvNeXt (Liu et al. 2022) as torchvision builds it: 4×4/4 patchify stem + LayerNorm, four stages
// of blocks (7×7 depthwise conv, LayerNorm, linear to 4×, GELU, linear back, layer scale init 1e-6,
// residual) with LayerNorm + 2×2/2 conv downsampling between stages, global pool, LayerNorm, linear.
// ConvNeXt-T: widths [96, 192, 384, 768], depths [3, 3, 9, 3]; ConvNeXt-B: [128 … 1024], [3, 3, 27, 3].
import { z, lazyValue, type Zod } from '../../util/native.js';
import { ModelBuilder, imageMetadata, type ImageModelConfig } from './graph-builder.js';
import type { Graph } from '../../onnx/graph.js';
import { scaleDepth, scaleWidth, type Architecture } from '../zoo/registry.js';

export interface ConvNeXtConfig extends ImageModelConfig {
  readonly widths: readonly number[];
  readonly depths: readonly number[];
  /** Stem patch (4; smaller for small inputs). */
  readonly stemPatch?: number;
  readonly layerScaleInit?: number;
  /** Stochastic depth rate, rising linearly from 0 at the first block (torchvision: T 0.1, B 0.5). */
  readonly dropPath?: number;
}

const LN_EPS = 1e-6; // torchvision convnext.py: LayerNorm(eps=1e-6)

export function buildConvNeXt(config: ConvNeXtConfig): Graph {
  const b = ModelBuilder.for(config);
  const [c, h, w] = config.inputSize;
  const patch = config.stemPatch ?? 4;
  const widths = config.widths;
  let x = b.input('input', ['N', c, h, w]);
  x = b.layerNorm2d(b.conv(x, c, widths[0], patch, { stride: patch, pad: 0, bias: true, name: 'features.0.0' }), widths[0], { name: 'features.0.1', epsilon: LN_EPS });
  let index = 1;
  const totalBlocks = config.depths.reduce((a, d) => a + d, 0);
  let blockId = 0;
  config.depths.forEach((depth, s) => {
    const ch = widths[s];
    if (s > 0) {
      const at = `features.${index++}`;
      x = b.conv(b.layerNorm2d(x, widths[s - 1], { name: `${at}.0`, epsilon: LN_EPS }), widths[s - 1], ch, 2, { stride: 2, pad: 0, bias: true, name: `${at}.1` });
    }
    for (let i = 0; i < depth; i++) {
      const at = `features.${index}.${i}`;
      let y = b.conv(x, ch, ch, 7, { groups: ch, bias: true, name: `${at}.block.0` });
      y = b.layerNorm(b.transpose(y, [0, 2, 3, 1]), ch, { name: `${at}.block.2`, epsilon: LN_EPS });
      y = b.dense(b.gelu(b.dense(y, ch, 4 * ch, { name: `${at}.block.3`, rank: 4 })), 4 * ch, ch, { name: `${at}.block.5`, rank: 4 });
      const gamma = b.param('layer_scale', [ch, 1, 1], () => config.layerScaleInit ?? 1e-6, `${at}.layer_scale`);
      // torchvision: stochastic_depth_prob · block index / (total blocks − 1).
      const dropRate = totalBlocks > 1 ? ((config.dropPath ?? 0) * blockId++) / (totalBlocks - 1) : 0;
      x = b.op('Add', [x, b.dropPath(b.op('Mul', [b.transpose(y, [0, 3, 1, 2]), gamma]), dropRate, 4)]);
    }
    index++;
  });
  const last = widths[widths.length - 1];
  x = b.layerNorm2d(b.op('GlobalAveragePool', [x]), last, { name: 'classifier.0', epsilon: LN_EPS });
  x = b.op('Flatten', [x], { axis: 1 });
  b.output(b.dense(x, last, config.numClasses, { name: 'classifier.2' }), 'logits', config.numClasses);
  return b.finish(imageMetadata(config, 'CNN', `convnext-${widths.join('-')}`));
}

const schema = lazyValue(() =>
  z.object({
    widths: z.array(z.number().int().positive()).min(1),
    depths: z.array(z.number().int().positive()).min(1),
    stemPatch: z.number().int().positive().default(4),
    dropPath: z.number().min(0).max(1).default(0),
  }),
);
type Options = Zod.infer<typeof schema>;

export const convnextArchitecture: Architecture<Options> = {
  family: 'CNN',
  description: 'ConvNeXt (torchvision convnext.py)',
  schema,
  presets: {
    convnext_tiny: { options: { widths: [96, 192, 384, 768], depths: [3, 3, 9, 3], stemPatch: 4, dropPath: 0.1 }, resolution: 224, reference: 'torchvision:convnext_tiny' },
    convnext_base: { options: { widths: [128, 256, 512, 1024], depths: [3, 3, 27, 3], stemPatch: 4, dropPath: 0.5 }, resolution: 224, reference: 'torchvision:convnext_base' },
    'small-convnext': { options: { widths: [16, 32, 64], depths: [1, 1, 1], stemPatch: 2, dropPath: 0.1 }, resolution: 32, classes: 10, small: true },
  },
  build: (o, s) => buildConvNeXt({ ...s, ...o, widths: o.widths.map((n) => scaleWidth(n, s.width)), depths: o.depths.map((n) => scaleDepth(n, s.depth)) }),
};

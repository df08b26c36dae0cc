// EfficientNet-B0…B7 (Tan & Le 2019) as torchvision builds them: 3×3/2 stem, MBConv blocks (1×1
// expansion, k×k depthwise, squeeze-excitation to in/4 channels with SiLU and sigmoid, linear 1×1
// projection; residual when stride 1 and widths match), 1×1 conv to 4× the last width, pool,
// dropout, linear. Compound scaling: channels × width (rounded to 8), repeats ⌈n × depth⌉, and the
// native resolution per variant. BatchNorm eps 1e-5 for B0–B4 and 1e-3 for B5–B7 as torchvision.
import { z, lazyValue, type Zod } from '../../util/native.js';
import { ModelBuilder, imageMetadata, type ImageModelConfig } from './graph-builder.js';
import type { Graph } from '../../onnx/graph.js';
import { makeDivisible, scaleDepth, type Architecture } from '../zoo/registry.js';

/** The paper's Table 1 (B0): expansion, kernel, stride, in, out, repeats. */
export const EFFICIENTNET_B0_STAGES: readonly (readonly [number, number, number, number, number, number])[] = [
  [1, 3, 1, 32, 16, 1],
  [6, 3, 2, 16, 24, 2],
  [6, 5, 2, 24, 40, 2],
  [6, 3, 2, 40, 80, 3],
  [6, 5, 1, 80, 112, 3],
  [6, 5, 2, 112, 192, 4],
  [6, 3, 1, 192, 320, 1],
];

export interface EfficientNetConfig extends ImageModelConfig {
  readonly widthMultiplier: number;
  readonly depthMultiplier: number;
  readonly dropout: number;
  readonly bnEpsilon: number;
  readonly stemStride?: number;
  /** Stochastic depth rate, rising linearly over the blocks (torchvision: 0.2). */
  readonly dropPath?: number;
}

export function buildEfficientNet(config: EfficientNetConfig): Graph {
  const b = ModelBuilder.for(config);
  const [c, h, w] = config.inputSize;
  const adjust = (ch: number) => makeDivisible(ch * config.widthMultiplier);
  const bn = (x: string, ch: number, name: string) => b.batchNorm(x, ch, { name, epsilon: config.bnEpsilon });
  let channels = adjust(EFFICIENTNET_B0_STAGES[0][3]);
  const totalBlocks = EFFICIENTNET_B0_STAGES.reduce((a, st) => a + scaleDepth(st[5], config.depthMultiplier), 0);
  let blockId = 0;
  let x = b.input('input', ['N', c, h, w]);
  x = b.silu(bn(b.conv(x, c, channels, 3, { stride: config.stemStride ?? 2, name: 'features.0.0' }), channels, 'features.0.1'));
  EFFICIENTNET_B0_STAGES.forEach(([t, k, s, , o], stage) => {
    const out = adjust(o);
    const repeats = scaleDepth(EFFICIENTNET_B0_STAGES[stage][5], config.depthMultiplier);
    for (let i = 0; i < repeats; i++) {
      const at = `features.${stage + 1}.${i}.block`;
      const stride = i === 0 ? s : 1;
      const expanded = makeDivisible(channels * t);
      let y = x;
      let layer = 0;
      if (expanded !== channels) y = b.silu(bn(b.conv(y, channels, expanded, 1, { pad: 0, name: `${at}.${layer}.0` }), expanded, `${at}.${layer++}.1`));
      y = b.silu(bn(b.conv(y, expanded, expanded, k, { stride, groups: expanded, name: `${at}.${layer}.0` }), expanded, `${at}.${layer++}.1`));
      const squeeze = Math.max(1, Math.floor(channels / 4));
      const se = b.silu(b.conv(b.op('GlobalAveragePool', [y]), expanded, squeeze, 1, { pad: 0, bias: true, name: `${at}.${layer}.fc1` }));
      y = b.op('Mul', [y, b.op('Sigmoid', [b.conv(se, squeeze, expanded, 1, { pad: 0, bias: true, name: `${at}.${layer++}.fc2` })])]);
      y = bn(b.conv(y, expanded, out, 1, { pad: 0, name: `${at}.${layer}.0` }), out, `${at}.${layer}.1`);
      // torchvision: stochastic_depth_prob · block index / total blocks.
      const dropRate = ((config.dropPath ?? 0) * blockId++) / totalBlocks;
      x = stride === 1 && channels === out ? b.op('Add', [x, b.dropPath(y, dropRate, 4)]) : y;
      channels = out;
    }
  });
  const last = 4 * channels;
  const index = EFFICIENTNET_B0_STAGES.length + 1;
  x = b.silu(bn(b.conv(x, channels, last, 1, { pad: 0, name: `features.${index}.0` }), last, `features.${index}.1`));
  x = b.dropout(b.globalAveragePool(x), config.dropout);
  b.output(b.dense(x, last, config.numClasses, { name: 'classifier.1' }), 'logits', config.numClasses);
  return b.finish(imageMetadata(config, 'CNN', `efficientnet-w${config.widthMultiplier}-d${config.depthMultiplier}`));
}

const schema = lazyValue(() =>
  z.object({
    widthMultiplier: z.number().positive(),
    depthMultiplier: z.number().positive(),
    dropout: z.number().min(0).max(1),
    bnEpsilon: z.number().positive(),
    stemStride: z.number().int().positive().default(2),
    dropPath: z.number().min(0).max(1).default(0.2),
  }),
);
type Options = Zod.infer<typeof schema>;

// torchvision efficientnet.py: (width, depth, dropout) per variant; resolutions from the paper / torchvision weights.
const variant = (i: number, width: number, depth: number, dropout: number, resolution: number) => ({
  options: { widthMultiplier: width, depthMultiplier: depth, dropout, bnEpsilon: i >= 5 ? 1e-3 : 1e-5, stemStride: 2, dropPath: 0.2 },
  resolution,
  reference: `torchvision:efficientnet_b${i}`,
});

export const efficientnetArchitecture: Architecture<Options> = {
  family: 'CNN',
  description: 'EfficientNet B0–B7 (torchvision efficientnet.py)',
  schema,
  presets: {
    efficientnet_b0: variant(0, 1.0, 1.0, 0.2, 224),
    efficientnet_b1: variant(1, 1.0, 1.1, 0.2, 240),
    efficientnet_b2: variant(2, 1.1, 1.2, 0.3, 260),
    efficientnet_b3: variant(3, 1.2, 1.4, 0.3, 300),
    efficientnet_b4: variant(4, 1.4, 1.8, 0.4, 380),
    efficientnet_b5: variant(5, 1.6, 2.2, 0.4, 456),
    efficientnet_b6: variant(6, 1.8, 2.6, 0.5, 528),
    efficientnet_b7: variant(7, 2.0, 3.1, 0.5, 600),
    'small-efficientnet': { options: { widthMultiplier: 0.25, depthMultiplier: 0.5, dropout: 0.2, bnEpsilon: 1e-5, stemStride: 2, dropPath: 0.2 }, resolution: 32, classes: 10, small: true },
  },
  build: (o, s) => buildEfficientNet({ ...s, ...o, widthMultiplier: o.widthMultiplier * s.width, depthMultiplier: o.depthMultiplier * s.depth }),
};

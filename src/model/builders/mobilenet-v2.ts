// MobileNetV2 (Sandler et al. 2018) as torchvision builds it: 3×3/2 stem, inverted residual blocks
// (1×1 expansion ×t, 3×3 depthwise, linear 1×1 projection; residual when stride 1 and widths match),
// ReLU6, a 1×1 conv to 1280 (×max(1, width)), pool, dropout, linear. Channels are width × the paper's
// table rounded by torchvision's _make_divisible (multiples of 8).
import { z, lazyValue, type Zod } from '../../util/native.js';
import { ModelBuilder, imageMetadata, type ImageModelConfig } from './graph-builder.js';
import type { Graph } from '../../onnx/graph.js';
import { makeDivisible, scaleDepth, type Architecture } from '../zoo/registry.js';

/** The paper's Table 2 rows: expansion t, channels c, repeats n, first stride s. */
export const MOBILENET_V2_SETTINGS: readonly (readonly [number, number, number, number])[] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

export interface MobileNetV2Config extends ImageModelConfig {
  readonly widthMultiplier: number;
  readonly depthMultiplier?: number;
  /** Stride of the stem (2; 1 for small inputs). */
  readonly stemStride?: number;
  readonly dropout?: number;
}

export function buildMobileNetV2(config: MobileNetV2Config): Graph {
  const b = ModelBuilder.for(config);
  const [c, h, w] = config.inputSize;
  const wm = config.widthMultiplier;
  let channels = makeDivisible(32 * wm);
  const last = makeDivisible(1280 * Math.max(1, wm));
  let x = b.input('input', ['N', c, h, w]);
  x = b.relu6(b.batchNorm(b.conv(x, c, channels, 3, { stride: config.stemStride ?? 2, name: 'features.0.0' }), channels, { name: 'features.0.1' }));
  let index = 1;
  for (const [t, cOut, n, s] of MOBILENET_V2_SETTINGS) {
    const out = makeDivisible(cOut * wm);
    for (let i = 0; i < scaleDepth(n, config.depthMultiplier ?? 1); i++) {
      const at = `features.${index++}.conv`;
      const stride = i === 0 ? s : 1;
      const hidden = Math.round(channels * t);
      let y = x;
      let layer = 0;
      if (t !== 1) y = b.relu6(b.batchNorm(b.conv(y, channels, hidden, 1, { pad: 0, name: `${at}.${layer}.0` }), hidden, { name: `${at}.${layer++}.1` }));
      y = b.relu6(b.batchNorm(b.conv(y, hidden, hidden, 3, { stride, groups: hidden, name: `${at}.${layer}.0` }), hidden, { name: `${at}.${layer++}.1` }));
      y = b.batchNorm(b.conv(y, hidden, out, 1, { pad: 0, name: `${at}.${layer}` }), out, { name: `${at}.${layer + 1}` });
      x = stride === 1 && channels === out ? b.op('Add', [x, y]) : y;
      channels = out;
    }
  }
  x = b.relu6(b.batchNorm(b.conv(x, channels, last, 1, { pad: 0, name: `features.${index}.0` }), last, { name: `features.${index}.1` }));
  x = b.dropout(b.globalAveragePool(x), config.dropout ?? 0.2);
  b.output(b.dense(x, last, config.numClasses, { name: 'classifier.1' }), 'logits', config.numClasses);
  return b.finish(imageMetadata(config, 'CNN', `mobilenet-v2-x${wm}`));
}

/** MobileNetV2's and V3's knobs (the same in both, with torchvision's defaults). */
export const mobileNetOptionsSchema = lazyValue(() =>
  z.object({
    widthMultiplier: z.number().positive(),
    stemStride: z.number().int().positive().default(2),
    dropout: z.number().min(0).max(1).default(0.2),
  }),
);
const schema = mobileNetOptionsSchema;
type Options = Zod.infer<typeof schema>;

const tv = (wm: number) => ({ options: { widthMultiplier: wm, stemStride: 2, dropout: 0.2 }, resolution: 224, reference: `torchvision:mobilenet_v2(width_mult=${wm})` });

export const mobilenetV2Architecture: Architecture<Options> = {
  family: 'CNN',
  description: 'MobileNetV2 (torchvision mobilenetv2.py)',
  schema,
  presets: {
    mobilenet_v2_x0_5: tv(0.5),
    mobilenet_v2_x0_75: tv(0.75),
    mobilenet_v2: tv(1.0),
    mobilenet_v2_x1_4: tv(1.4),
    'small-mobilenet_v2': { options: { widthMultiplier: 0.25, stemStride: 2, dropout: 0.2 }, resolution: 32, classes: 10, small: true },
  },
  build: (o, s) => buildMobileNetV2({ ...s, ...o, widthMultiplier: o.widthMultiplier * s.width, depthMultiplier: s.depth }),
};

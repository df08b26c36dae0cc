// MobileNetV3-Large (Howard et al. 2019) as torchvision builds it: 3×3/2 stem with hard-swish, the
// paper's Table 1 bottlenecks (1×1 expansion, k×k depthwise, squeeze-excitation with hard-sigmoid
// on some, linear 1×1 projection; ReLU or hard-swish), a 1×1 conv to 6× the last width, pool, then
// linear 1280 (×width, rounded to 8) with hard-swish, dropout, linear. BatchNorm eps 1e-3.
import type { Zod } from '../../util/native.js';
import { mobileNetOptionsSchema } from './mobilenet-v2.js';
import { ModelBuilder, imageMetadata, type ImageModelConfig } from './graph-builder.js';
import type { Graph } from '../../onnx/graph.js';
import { makeDivisible, type Architecture } from '../zoo/registry.js';

/** torchvision's mobilenet_v3_large bneck_conf: in, kernel, expanded, out, SE, activation, stride. */
export const MOBILENET_V3_LARGE: readonly (readonly [number, number, number, number, boolean, 'RE' | 'HS', number])[] = [
  [16, 3, 16, 16, false, 'RE', 1],
  [16, 3, 64, 24, false, 'RE', 2],
  [24, 3, 72, 24, false, 'RE', 1],
  [24, 5, 72, 40, true, 'RE', 2],
  [40, 5, 120, 40, true, 'RE', 1],
  [40, 5, 120, 40, true, 'RE', 1],
  [40, 3, 240, 80, false, 'HS', 2],
  [80, 3, 200, 80, false, 'HS', 1],
  [80, 3, 184, 80, false, 'HS', 1],
  [80, 3, 184, 80, false, 'HS', 1],
  [80, 3, 480, 112, true, 'HS', 1],
  [112, 3, 672, 112, true, 'HS', 1],
  [112, 5, 672, 160, true, 'HS', 2],
  [160, 5, 960, 160, true, 'HS', 1],
  [160, 5, 960, 160, true, 'HS', 1],
];

export interface MobileNetV3Config extends ImageModelConfig {
  readonly widthMultiplier: number;
  /** Stride of the stem (2; 1 for small inputs). */
  readonly stemStride?: number;
  readonly dropout?: number;
}

const BN_EPS = 1e-3; // torchvision mobilenetv3.py: BatchNorm2d(eps=0.001)

export function buildMobileNetV3(config: MobileNetV3Config): Graph {
  const b = ModelBuilder.for(config);
  const [c, h, w] = config.inputSize;
  const adjust = (ch: number) => makeDivisible(ch * config.widthMultiplier);
  const bn = (x: string, ch: number, name: string) => b.batchNorm(x, ch, { name, epsilon: BN_EPS });
  let channels = adjust(16);
  let x = b.input('input', ['N', c, h, w]);
  x = b.hardSwish(bn(b.conv(x, c, channels, 3, { stride: config.stemStride ?? 2, name: 'features.0.0' }), channels, 'features.0.1'));
  MOBILENET_V3_LARGE.forEach(([, k, e, o, se, act, stride], i) => {
    const at = `features.${i + 1}.block`;
    const [expanded, out] = [adjust(e), adjust(o)];
    const activation = (v: string) => (act === 'HS' ? b.hardSwish(v) : b.relu(v));
    let y = x;
    let layer = 0;
    if (expanded !== channels) y = activation(bn(b.conv(y, channels, expanded, 1, { pad: 0, name: `${at}.${layer}.0` }), expanded, `${at}.${layer++}.1`));
    y = activation(bn(b.conv(y, expanded, expanded, k, { stride, groups: expanded, name: `${at}.${layer}.0` }), expanded, `${at}.${layer++}.1`));
    if (se) {
      const squeeze = makeDivisible(expanded / 4);
      const pooled = b.op('GlobalAveragePool', [y]);
      const s = b.relu(b.conv(pooled, expanded, squeeze, 1, { pad: 0, bias: true, name: `${at}.${layer}.fc1` }));
      y = b.op('Mul', [y, b.hardSigmoid(b.conv(s, squeeze, expanded, 1, { pad: 0, bias: true, name: `${at}.${layer++}.fc2` }))]);
    }
    y = bn(b.conv(y, expanded, out, 1, { pad: 0, name: `${at}.${layer}.0` }), out, `${at}.${layer}.1`);
    x = stride === 1 && channels === out ? b.op('Add', [x, y]) : y;
    channels = out;
  });
  const lastConv = 6 * channels;
  const index = MOBILENET_V3_LARGE.length + 1;
  x = b.hardSwish(bn(b.conv(x, channels, lastConv, 1, { pad: 0, name: `features.${index}.0` }), lastConv, `features.${index}.1`));
  const last = adjust(1280);
  x = b.hardSwish(b.dense(b.globalAveragePool(x), lastConv, last, { name: 'classifier.0' }));
  b.output(b.dense(b.dropout(x, config.dropout ?? 0.2), last, config.numClasses, { name: 'classifier.3' }), 'logits', config.numClasses);
  return b.finish(imageMetadata(config, 'CNN', `mobilenet-v3-large-x${config.widthMultiplier}`));
}

const schema = mobileNetOptionsSchema;
type Options = Zod.infer<typeof schema>;

const tv = (wm: number) => ({ options: { widthMultiplier: wm, stemStride: 2, dropout: 0.2 }, resolution: 224, reference: `torchvision:mobilenet_v3_large(width_mult=${wm})` });

export const mobilenetV3Architecture: Architecture<Options> = {
  family: 'CNN',
  description: 'MobileNetV3-Large (torchvision mobilenetv3.py)',
  schema,
  presets: {
    mobilenet_v3_large_x0_35: tv(0.35),
    mobilenet_v3_large_x0_5: tv(0.5),
    mobilenet_v3_large_x0_75: tv(0.75),
    mobilenet_v3_large: tv(1.0),
    mobilenet_v3_large_x1_4: tv(1.4),
    'small-mobilenet_v3': { options: { widthMultiplier: 0.35, stemStride: 2, dropout: 0.2 }, resolution: 32, classes: 10, small: true },
  },
  build: (o, s) => buildMobileNetV3({ ...s, ...o, widthMultiplier: o.widthMultiplier * s.width }),
};

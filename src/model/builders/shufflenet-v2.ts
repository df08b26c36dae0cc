// ShuffleNetV2 (Ma et al. 2018) as torchvision builds it: 3×3/2 conv + max-pool, three stages of
// units (stride 2: both branches process the input; stride 1: split channels in half, process one),
// branches of 1×1 conv, 3×3 depthwise, 1×1 conv, concatenation then a channel shuffle of 2 groups;
// 1×1 conv to the last width, global mean, linear. Widths per multiplier from the paper's Table 5.
import { z, lazyValue, type Zod } from '../../util/native.js';
import { ModelBuilder, imageMetadata, type ImageModelConfig } from './graph-builder.js';
import type { Graph } from '../../onnx/graph.js';
import { scaleDepth, scaleWidth, type Architecture } from '../zoo/registry.js';

export interface ShuffleNetV2Config extends ImageModelConfig {
  readonly repeats: readonly number[];
  /** Stem, three stages, last conv (torchvision stages_out_channels). */
  readonly channels: readonly number[];
  /** 'imagenet': stride-2 conv and max-pool; 'small': stride-1 conv, no pool. */
  readonly stem: 'imagenet' | 'small';
}

export function buildShuffleNetV2(config: ShuffleNetV2Config): Graph {
  const b = ModelBuilder.for(config);
  const [c, h, w] = config.inputSize;
  const cbr = (x: string, cin: number, cout: number, name: string) => b.relu(b.batchNorm(b.conv(x, cin, cout, 1, { pad: 0, name: `${name}` }), cout, { name: bnName(name) }));
  const dw = (x: string, ch: number, stride: number, name: string) => b.batchNorm(b.conv(x, ch, ch, 3, { stride, groups: ch, name }), ch, { name: bnName(name) });
  let channels = config.channels[0];
  let x = b.input('input', ['N', c, h, w]);
  const imagenet = config.stem === 'imagenet';
  x = b.relu(b.batchNorm(b.conv(x, c, channels, 3, { stride: imagenet ? 2 : 1, name: 'conv1.0' }), channels, { name: 'conv1.1' }));
  if (imagenet) x = b.maxPool(x, 3, 2, 1);
  config.repeats.forEach((repeats, s) => {
    const out = config.channels[s + 1];
    const half = out / 2;
    for (let i = 0; i < repeats; i++) {
      const at = `stage${s + 2}.${i}`;
      let left: string;
      let right: string;
      if (i === 0) {
        left = cbr(dw(x, channels, 2, `${at}.branch1.0`), channels, half, `${at}.branch1.2`);
        right = x;
      } else {
        [left, right] = splitHalves(b, x);
      }
      const inRight = i === 0 ? channels : half;
      let y = cbr(right, inRight, half, `${at}.branch2.0`);
      y = cbr(dw(y, half, i === 0 ? 2 : 1, `${at}.branch2.3`), half, half, `${at}.branch2.5`);
      x = channelShuffle(b, b.op('Concat', [left, y], { axis: 1 }), out);
      channels = out;
    }
  });
  const last = config.channels[config.channels.length - 1];
  x = b.relu(b.batchNorm(b.conv(x, channels, last, 1, { pad: 0, name: 'conv5.0' }), last, { name: 'conv5.1' }));
  x = b.op('ReduceMean', [x], { axes: [2, 3], keepdims: 0 });
  b.output(b.dense(x, last, config.numClasses, { name: 'fc' }), 'logits', config.numClasses);
  return b.finish(imageMetadata(config, 'CNN', `shufflenet-v2-${config.channels.join('-')}`));
}

/** torchvision numbers each module of a Sequential: the BN follows its conv at index + 1. */
function bnName(conv: string): string {
  const dot = conv.lastIndexOf('.');
  return `${conv.slice(0, dot)}.${Number(conv.slice(dot + 1)) + 1}`;
}

/** torch.chunk(x, 2, dim=1): Split without sizes divides the channels equally. */
function splitHalves(b: ModelBuilder, x: string): [string, string] {
  const [l, r] = b.opOutputs('Split', [x], 2, { axis: 1 });
  return [l, r];
}

/** [N, C, H, W] → [N, 2, C/2, H·W] → swap the group axes → back to [N, C, H, W]. */
function channelShuffle(b: ModelBuilder, x: string, channels: number): string {
  const grouped = b.op('Reshape', [x, b.ints([0, 2, channels / 2, -1])]);
  return b.op('Reshape', [b.transpose(grouped, [0, 2, 1, 3]), b.op('Shape', [x])]);
}

const schema = lazyValue(() =>
  z.object({
    repeats: z.array(z.number().int().positive()).min(1),
    channels: z.array(z.number().int().positive()).min(3),
    stem: z.enum(['imagenet', 'small']).default('imagenet'),
  }),
);
type Options = Zod.infer<typeof schema>;

const tv = (name: string, channels: number[]) => ({ options: { repeats: [4, 8, 4], channels, stem: 'imagenet' as const }, resolution: 224, reference: `torchvision:${name}` });

export const shufflenetV2Architecture: Architecture<Options> = {
  family: 'CNN',
  description: 'ShuffleNetV2 (torchvision shufflenetv2.py)',
  schema,
  presets: {
    shufflenet_v2_x0_5: tv('shufflenet_v2_x0_5', [24, 48, 96, 192, 1024]),
    shufflenet_v2_x1_0: tv('shufflenet_v2_x1_0', [24, 116, 232, 464, 1024]),
    shufflenet_v2_x1_5: tv('shufflenet_v2_x1_5', [24, 176, 352, 704, 1024]),
    shufflenet_v2_x2_0: tv('shufflenet_v2_x2_0', [24, 244, 488, 976, 2048]),
    'small-shufflenet_v2': { options: { repeats: [1, 2, 1], channels: [8, 16, 32, 64, 128], stem: 'small' }, resolution: 32, classes: 10, small: true },
  },
  build: (o, s) =>
    buildShuffleNetV2({ ...s, ...o, repeats: o.repeats.map((n) => scaleDepth(n, s.depth)), channels: o.channels.map((n, i) => (i === 0 || i === o.channels.length - 1 ? scaleWidth(n, s.width) : 2 * scaleWidth(n / 2, s.width))) }),
};

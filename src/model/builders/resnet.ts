// ResNet (He et al. 2016) as torchvision builds it, parameters under torchvision's state-dict names:
// 7×7/2 stem + 3×3/2 max-pool (or a 3×3/1 stem for small inputs), stages of basic (two 3×3) or
// bottleneck (1×1, 3×3, 1×1 ×4) blocks, stride in the 3×3 (ResNet v1.5), 1×1 projection shortcuts,
// global average pool, linear head. groups/widthPerGroup give ResNeXt (Xie et al. 2017) and Wide
// ResNet (Zagoruyko & Komodakis 2016; torchvision's wide_resnet: width_per_group 128).
import { z, lazyValue, type Zod } from '../../util/native.js';
import { ModelBuilder, imageMetadata, type ImageModelConfig } from './graph-builder.js';
import type { Graph } from '../../onnx/graph.js';
import { scaleDepth, scaleWidth, type Architecture } from '../zoo/registry.js';

export interface ResNetConfig extends ImageModelConfig {
  readonly block: 'basic' | 'bottleneck';
  readonly layers: readonly number[];
  /** Channels of the first stage (64 in torchvision). */
  readonly width?: number;
  /** Stem: 'imagenet' (7×7/2 + max-pool) or 'cifar' (3×3/1, no pool) for small inputs. */
  readonly stem?: 'imagenet' | 'cifar';
  /** ResNeXt cardinality (torchvision's groups). */
  readonly groups?: number;
  /** Bottleneck width per group (torchvision's width_per_group: 64; 128 gives Wide ResNet). */
  readonly widthPerGroup?: number;
  readonly kernelSize?: number;
}

export function buildResNet(config: ResNetConfig): Graph {
  const b = ModelBuilder.for(config);
  const [c, h, w] = config.inputSize;
  const width = config.width ?? 64;
  const groups = config.groups ?? 1;
  const k = config.kernelSize ?? 3;
  const expansion = config.block === 'bottleneck' ? 4 : 1;
  let x = b.input('input', ['N', c, h, w]);
  if ((config.stem ?? 'imagenet') === 'imagenet') {
    x = b.relu(b.batchNorm(b.conv(x, c, width, 7, { stride: 2, pad: 3, name: 'conv1' }), width, { name: 'bn1' }));
    x = b.maxPool(x, 3, 2, 1);
  } else {
    x = b.relu(b.batchNorm(b.conv(x, c, width, 3, { name: 'conv1' }), width, { name: 'bn1' }));
  }
  let channels = width;
  config.layers.forEach((blocks, stage) => {
    const planes = width * 2 ** stage;
    for (let i = 0; i < blocks; i++) {
      const at = `layer${stage + 1}.${i}`;
      const stride = i === 0 && stage > 0 ? 2 : 1;
      const out = planes * expansion;
      let y: string;
      if (config.block === 'basic') {
        y = b.relu(b.batchNorm(b.conv(x, channels, planes, k, { stride, name: `${at}.conv1` }), planes, { name: `${at}.bn1` }));
        y = b.batchNorm(b.conv(y, planes, planes, k, { name: `${at}.conv2` }), planes, { name: `${at}.bn2` });
      } else {
        // torchvision: width = planes · (width_per_group / 64) · groups.
        const mid = Math.floor(planes * ((config.widthPerGroup ?? 64) / 64)) * groups;
        y = b.relu(b.batchNorm(b.conv(x, channels, mid, 1, { pad: 0, name: `${at}.conv1` }), mid, { name: `${at}.bn1` }));
        y = b.relu(b.batchNorm(b.conv(y, mid, mid, k, { stride, groups, name: `${at}.conv2` }), mid, { name: `${at}.bn2` }));
        y = b.batchNorm(b.conv(y, mid, out, 1, { pad: 0, name: `${at}.conv3` }), out, { name: `${at}.bn3` });
      }
      const shortcut = stride !== 1 || channels !== out ? b.batchNorm(b.conv(x, channels, out, 1, { stride, pad: 0, name: `${at}.downsample.0` }), out, { name: `${at}.downsample.1` }) : x;
      x = b.relu(b.op('Add', [y, shortcut]));
      channels = out;
    }
  });
  x = b.dense(b.globalAveragePool(x), channels, config.numClasses, { name: 'fc' });
  b.output(x, 'logits', config.numClasses);
  return b.finish(imageMetadata(config, 'CNN', `resnet-${config.block}-${config.layers.join('-')}-w${width}`));
}

const schema = lazyValue(() =>
  z.object({
    block: z.enum(['basic', 'bottleneck']),
    layers: z.array(z.number().int().positive()).min(1),
    width: z.number().int().positive().default(64),
    stem: z.enum(['imagenet', 'cifar']).default('imagenet'),
    groups: z.number().int().positive().default(1),
    widthPerGroup: z.number().int().positive().default(64),
  }),
);
type ResNetOptions = Zod.infer<typeof schema>;

const tv = (name: string, block: 'basic' | 'bottleneck', layers: number[], extra: Partial<ResNetOptions> = {}) => ({
  options: { block, layers, width: 64, stem: 'imagenet' as const, groups: 1, widthPerGroup: 64, ...extra },
  resolution: 224,
  reference: `torchvision:${name}`,
});

export const resnetArchitecture: Architecture<ResNetOptions> = {
  family: 'CNN',
  description: 'ResNet / ResNeXt / Wide ResNet (torchvision resnet.py)',
  schema,
  presets: {
    resnet18: tv('resnet18', 'basic', [2, 2, 2, 2]),
    resnet34: tv('resnet34', 'basic', [3, 4, 6, 3]),
    resnet50: tv('resnet50', 'bottleneck', [3, 4, 6, 3]),
    resnet101: tv('resnet101', 'bottleneck', [3, 4, 23, 3]),
    resnet152: tv('resnet152', 'bottleneck', [3, 8, 36, 3]),
    resnext50_32x4d: tv('resnext50_32x4d', 'bottleneck', [3, 4, 6, 3], { groups: 32, widthPerGroup: 4 }),
    resnext101_32x8d: tv('resnext101_32x8d', 'bottleneck', [3, 4, 23, 3], { groups: 32, widthPerGroup: 8 }),
    wide_resnet50_2: tv('wide_resnet50_2', 'bottleneck', [3, 4, 6, 3], { widthPerGroup: 128 }),
    wide_resnet101_2: tv('wide_resnet101_2', 'bottleneck', [3, 4, 23, 3], { widthPerGroup: 128 }),
    'small-resnet': { options: { block: 'basic', layers: [1, 1, 1], width: 8, stem: 'cifar', groups: 1, widthPerGroup: 64 }, resolution: 32, classes: 10, small: true },
  },
  build: (o, s) =>
    buildResNet({
      ...s,
      ...o,
      width: scaleWidth(o.width, s.width),
      layers: o.layers.map((n) => scaleDepth(n, s.depth)),
    }),
};

// DenseNet-BC (Huang et al. 2017) as torchvision builds it: 7×7/2 stem + max-pool, dense blocks whose
// layers (BN-ReLU-1×1 conv to bn_size·k, BN-ReLU-3×3 conv to k) concatenate k new channels each,
// transitions (BN-ReLU-1×1 conv halving channels, 2×2 average pool), final BN-ReLU, pool, linear.
// DenseNet-121: growth 32, blocks [6, 12, 24, 16], 64 initial features, bn_size 4.
import { z, lazyValue, type Zod } from '../../util/native.js';
import { ModelBuilder, imageMetadata, type ImageModelConfig } from './graph-builder.js';
import type { Graph } from '../../onnx/graph.js';
import { scaleDepth, scaleWidth, type Architecture } from '../zoo/registry.js';

export interface DenseNetConfig extends ImageModelConfig {
  readonly growthRate: number;
  readonly blocks: readonly number[];
  readonly initFeatures: number;
  readonly bnSize: number;
  /** 'imagenet': 7×7/2 conv + 3×3/2 max-pool; 'cifar': 3×3/1 conv for small inputs. */
  readonly stem: 'imagenet' | 'cifar';
}

export function buildDenseNet(config: DenseNetConfig): Graph {
  const b = ModelBuilder.for(config);
  const [c, h, w] = config.inputSize;
  const f = config.initFeatures;
  let x = b.input('input', ['N', c, h, w]);
  if (config.stem === 'imagenet') {
    x = b.maxPool(b.relu(b.batchNorm(b.conv(x, c, f, 7, { stride: 2, pad: 3, name: 'features.conv0' }), f, { name: 'features.norm0' })), 3, 2, 1);
  } else {
    x = b.relu(b.batchNorm(b.conv(x, c, f, 3, { name: 'features.conv0' }), f, { name: 'features.norm0' }));
  }
  let channels = f;
  const k = config.growthRate;
  const inner = config.bnSize * k;
  config.blocks.forEach((layers, i) => {
    for (let j = 0; j < layers; j++) {
      const at = `features.denseblock${i + 1}.denselayer${j + 1}`;
      let y = b.conv(b.relu(b.batchNorm(x, channels, { name: `${at}.norm1` })), channels, inner, 1, { pad: 0, name: `${at}.conv1` });
      y = b.conv(b.relu(b.batchNorm(y, inner, { name: `${at}.norm2` })), inner, k, 3, { name: `${at}.conv2` });
      x = b.op('Concat', [x, y], { axis: 1 });
      channels += k;
    }
    if (i < config.blocks.length - 1) {
      const at = `features.transition${i + 1}`;
      const out = Math.floor(channels / 2);
      x = b.averagePool(b.conv(b.relu(b.batchNorm(x, channels, { name: `${at}.norm` })), channels, out, 1, { pad: 0, name: `${at}.conv` }), 2, 2);
      channels = out;
    }
  });
  x = b.relu(b.batchNorm(x, channels, { name: 'features.norm5' }));
  b.output(b.dense(b.globalAveragePool(x), channels, config.numClasses, { name: 'classifier' }), 'logits', config.numClasses);
  return b.finish(imageMetadata(config, 'CNN', `densenet-k${k}-${config.blocks.join('-')}`));
}

const schema = lazyValue(() =>
  z.object({
    growthRate: z.number().int().positive(),
    blocks: z.array(z.number().int().positive()).min(1),
    initFeatures: z.number().int().positive(),
    bnSize: z.number().int().positive().default(4),
    stem: z.enum(['imagenet', 'cifar']).default('imagenet'),
  }),
);
type DenseNetOptions = Zod.infer<typeof schema>;

const tv = (name: string, blocks: number[]) => ({
  options: { growthRate: 32, blocks, initFeatures: 64, bnSize: 4, stem: 'imagenet' as const },
  resolution: 224,
  reference: `torchvision:${name}`,
});

export const densenetArchitecture: Architecture<DenseNetOptions> = {
  family: 'CNN',
  description: 'DenseNet-BC (torchvision densenet.py)',
  schema,
  presets: {
    densenet121: tv('densenet121', [6, 12, 24, 16]),
    densenet169: tv('densenet169', [6, 12, 32, 32]),
    densenet201: tv('densenet201', [6, 12, 48, 32]),
    'small-densenet': { options: { growthRate: 12, blocks: [2, 2, 2], initFeatures: 24, bnSize: 2, stem: 'imagenet' }, resolution: 32, classes: 10, small: true },
  },
  build: (o, s) => buildDenseNet({ ...s, ...o, growthRate: scaleWidth(o.growthRate, s.width), initFeatures: scaleWidth(o.initFeatures, s.width), blocks: o.blocks.map((n) => scaleDepth(n, s.depth)) }),
};

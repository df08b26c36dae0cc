// AlexNet (Krizhevsky et al. 2012) as torchvision's one-tower version: five convolutions (11×11/4,
// 5×5, 3×3 ×3) with three 3×3/2 max-pools, adaptive average pool to 6×6, and a dropout MLP classifier
// (4096, 4096). RobustART normalises mCE and mFR by AlexNet's errors.
import { z, lazyValue, type Zod } from '../../util/native.js';
import { ModelBuilder, imageMetadata, type ImageModelConfig } from './graph-builder.js';
import type { Graph } from '../../onnx/graph.js';
import { scaleWidth, type Architecture } from '../zoo/registry.js';
import { RobustartError } from '../../errors.js';

export interface AlexNetConfig extends ImageModelConfig {
  /** Channels of the five convolutions (torchvision: 64, 192, 384, 256, 256). */
  readonly channels: readonly number[];
  readonly hidden: number;
  /** Spatial size of the pooled features fed to the classifier (torchvision: 6). */
  readonly pooledSize: number;
  readonly dropout: number;
  /** 'imagenet': 11×11/4 first conv and pools after conv 1, 2, 5; 'small': 3×3/1 first conv, for 28–32 px inputs. */
  readonly stem: 'imagenet' | 'small';
}

export function buildAlexNet(config: AlexNetConfig): Graph {
  const b = ModelBuilder.for(config);
  const [c, h, w] = config.inputSize;
  const ch = config.channels;
  let x = b.input('input', ['N', c, h, w]);
  const pool = (v: string) => b.maxPool(v, 3, 2);
  x = config.stem === 'imagenet' ? b.conv(x, c, ch[0], 11, { stride: 4, pad: 2, bias: true, name: 'features.0' }) : b.conv(x, c, ch[0], 3, { bias: true, name: 'features.0' });
  x = pool(b.relu(x));
  x = pool(b.relu(b.conv(x, ch[0], ch[1], 5, { pad: 2, bias: true, name: 'features.3' })));
  x = b.relu(b.conv(x, ch[1], ch[2], 3, { bias: true, name: 'features.6' }));
  x = b.relu(b.conv(x, ch[2], ch[3], 3, { bias: true, name: 'features.8' }));
  x = pool(b.relu(b.conv(x, ch[3], ch[4], 3, { bias: true, name: 'features.10' })));
  // The feature map side after the three pools, as torchvision's arithmetic gives it.
  let side = config.stem === 'imagenet' ? Math.floor((h + 4 - 11) / 4) + 1 : h;
  for (let i = 0; i < 3; i++) side = Math.floor((side - 3) / 2) + 1;
  const p = config.pooledSize;
  if (side < 1 || side % p !== 0) throw new RobustartError(`AlexNet: a ${h}×${w} input gives ${side}×${side} features, which do not pool evenly to ${p}×${p}; choose another resolution or pooled size`);
  // Adaptive average pooling to p×p is a plain average pool when p divides the feature size.
  if (side !== p) x = b.averagePool(x, side / p, side / p);
  x = b.op('Flatten', [x], { axis: 1 });
  const features = ch[4] * p * p;
  const dropout = (v: string) => b.dropout(v, config.dropout);
  x = b.relu(b.dense(dropout(x), features, config.hidden, { name: 'classifier.1' }));
  x = b.relu(b.dense(dropout(x), config.hidden, config.hidden, { name: 'classifier.4' }));
  b.output(b.dense(x, config.hidden, config.numClasses, { name: 'classifier.6' }), 'logits', config.numClasses);
  return b.finish(imageMetadata(config, 'CNN', `alexnet-${ch.join('-')}`));
}

const schema = lazyValue(() =>
  z.object({
    channels: z.array(z.number().int().positive()).length(5),
    hidden: z.number().int().positive(),
    pooledSize: z.number().int().positive(),
    dropout: z.number().min(0).max(1).default(0.5),
    stem: z.enum(['imagenet', 'small']).default('imagenet'),
  }),
);
type AlexNetOptions = Zod.infer<typeof schema>;

export const alexnetArchitecture: Architecture<AlexNetOptions> = {
  family: 'CNN',
  description: 'AlexNet (torchvision alexnet.py)',
  schema,
  presets: {
    alexnet: { options: { channels: [64, 192, 384, 256, 256], hidden: 4096, pooledSize: 6, dropout: 0.5, stem: 'imagenet' }, resolution: 224, reference: 'torchvision:alexnet' },
    'small-alexnet': { options: { channels: [16, 32, 48, 48, 32], hidden: 128, pooledSize: 1, dropout: 0.5, stem: 'small' }, resolution: 32, classes: 10, small: true },
  },
  build: (o, s) => buildAlexNet({ ...s, ...o, channels: o.channels.map((n) => scaleWidth(n, s.width)), hidden: scaleWidth(o.hidden, s.width) }),
};

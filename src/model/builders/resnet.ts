// ResNet (He et al. 2016) as torchvision builds it: 7×7/2 stem + 3×3/2 max-pool (or a 3×3/1 stem for
// small inputs), stages of basic (two 3×3) or bottleneck (1×1, 3×3, 1×1 ×4) blocks, stride in the 3×3
// (ResNet v1.5), 1×1 projection shortcuts, global average pool, linear head. BatchNorm in inference form.
// ResNet-18: basic [2,2,2,2]; ResNet-50: bottleneck [3,4,6,3]; width 64; groups/widthPerGroup give ResNeXt.
import { ModelBuilder, imageMetadata, type ImageModelConfig } from './graph-builder.js';
import type { Graph } from '../../onnx/graph.js';

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
  const b = new ModelBuilder(config.seed ?? 0, config.initialize ?? true);
  const [c, h, w] = config.inputSize;
  const width = config.width ?? 64;
  const groups = config.groups ?? 1;
  const k = config.kernelSize ?? 3;
  const expansion = config.block === 'bottleneck' ? 4 : 1;
  let x = b.input('input', ['N', c, h, w]);
  if ((config.stem ?? 'imagenet') === 'imagenet') {
    x = b.relu(b.batchNorm(b.conv(x, c, width, 7, { stride: 2, pad: 3 }), width));
    x = b.maxPool(x, 3, 2, 1);
  } else {
    x = b.relu(b.batchNorm(b.conv(x, c, width, 3), width));
  }
  let channels = width;
  config.layers.forEach((blocks, stage) => {
    const planes = width * 2 ** stage;
    for (let i = 0; i < blocks; i++) {
      const stride = i === 0 && stage > 0 ? 2 : 1;
      const out = planes * expansion;
      let y: string;
      if (config.block === 'basic') {
        y = b.relu(b.batchNorm(b.conv(x, channels, planes, k, { stride }), planes));
        y = b.batchNorm(b.conv(y, planes, planes, k), planes);
      } else {
        const mid = Math.floor(planes * ((config.widthPerGroup ?? 64) / 64)) * groups;
        y = b.relu(b.batchNorm(b.conv(x, channels, mid, 1, { pad: 0 }), mid));
        y = b.relu(b.batchNorm(b.conv(y, mid, mid, k, { stride, groups }), mid));
        y = b.batchNorm(b.conv(y, mid, out, 1, { pad: 0 }), out);
      }
      const shortcut = stride !== 1 || channels !== out ? b.batchNorm(b.conv(x, channels, out, 1, { stride, pad: 0 }), out) : x;
      x = b.relu(b.op('Add', [y, shortcut]));
      channels = out;
    }
  });
  x = b.linear(b.globalAveragePool(x), channels, config.numClasses);
  b.output(x, 'logits', config.numClasses);
  return b.finish(imageMetadata(config, 'CNN', `resnet-${config.block}-${config.layers.join('-')}-w${width}`));
}

// A small VGG-style CNN: stages of (conv k×k + ReLU) ×convsPerStage then 2×2 max-pool, then a
// two-layer classifier. The Fashion-MNIST demo model is this with widths [32, 64, 128].
import { ModelBuilder, imageMetadata, type ImageModelConfig } from './graph-builder.js';
import type { Graph } from '../../onnx/graph.js';

export interface SmallCnnConfig extends ImageModelConfig {
  /** Channels per stage; each stage halves the resolution. */
  readonly widths: readonly number[];
  readonly convsPerStage?: number;
  readonly kernelSize?: number;
  /** Hidden units of the classifier (0: a single linear layer). */
  readonly hidden?: number;
  readonly batchNorm?: boolean;
}

export function buildSmallCnn(config: SmallCnnConfig): Graph {
  const b = new ModelBuilder(config.seed ?? 0, config.initialize ?? true);
  const [c, h, w] = config.inputSize;
  let x = b.input('input', ['N', c, h, w]);
  let channels = c;
  let size = [h, w];
  const k = config.kernelSize ?? 3;
  for (const width of config.widths) {
    for (let i = 0; i < (config.convsPerStage ?? 1); i++) {
      x = b.conv(x, channels, width, k, { bias: !config.batchNorm });
      if (config.batchNorm) x = b.batchNorm(x, width);
      x = b.relu(x);
      channels = width;
    }
    x = b.maxPool(x, 2, 2);
    size = size.map((s) => Math.floor(s / 2));
  }
  x = b.op('Flatten', [x], { axis: 1 });
  const features = channels * size[0] * size[1];
  if (config.hidden) {
    x = b.relu(b.linear(x, features, config.hidden));
    x = b.linear(x, config.hidden, config.numClasses);
  } else {
    x = b.linear(x, features, config.numClasses);
  }
  b.output(x, 'logits', config.numClasses);
  return b.finish(imageMetadata(config, 'CNN', `small-cnn-${config.widths.join('-')}`));
}

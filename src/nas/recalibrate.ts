// BatchNorm recalibration of a subnet (BigNAS; RobustART's bignas solver): the supernet's running
// statistics belong to no subnet, so each subnet's are recomputed before it is evaluated — reset, then
// forward in training mode over N training images with no weight update. The running mean is the
// average of the batch means and the running variance the average of the unbiased batch variances,
// weighted by batch size: torch.nn.BatchNorm2d's cumulative average (momentum None) for equal batches.
import { DataType } from '../onnx/proto.js';
import type { Graph } from '../onnx/graph.js';
import { createSession, tensor } from '../onnx/runtime.js';
import { prepareModel } from '../autodiff/gradient.js';
import { batchNormToTraining } from '../train/batchnorm.js';
import { normalizeBatch, type Normalization } from '../train/adversarial.js';
import type { TrainingData } from '../train/trainer.js';
import { RobustartError } from '../errors.js';
import { hashString, rngFor } from '../util/rng.js';

/** RobustART / BigNAS recalibrate on 4,096 training images. */
export const RECALIBRATION_IMAGES = 4096;

/** The first `n` samples of a seeded shuffle of a set of `setSize`: the images BatchNorm is recalibrated on. */
export function recalibrationIndices(seed: number, setSize: number, n: number): number[] {
  return rngFor(seed, hashString('bn-recalibration')).shuffle(Array.from({ length: setSize }, (_, i) => i)).slice(0, n);
}

export interface RecalibrationOptions {
  /** Samples of `images` to forward, in this order (e.g. a seeded draw of the training set). */
  readonly indices: readonly number[];
  readonly batchSize?: number;
  readonly normalization: Normalization;
  readonly threads?: number;
}

/** The graph with every BN node's running statistics recomputed on `images`; weights unchanged. */
export async function recalibrateBatchNorm(graph: Graph, images: TrainingData, options: RecalibrationOptions): Promise<Graph> {
  if (options.indices.length < 2) throw new RobustartError('BatchNorm recalibration needs at least 2 images');
  const prepared = await prepareModel(graph);
  const [channels, height, width] = prepared.shapes.get(prepared.inputName)!.dims.slice(1) as number[];
  const training = prepared.graph.clone();
  const shapes = new Map(prepared.shapes);
  const statistics = batchNormToTraining(training, shapes);
  const out = graph.clone();
  if (statistics.length === 0) return out;
  training.outputs = statistics.flatMap((s) => [{ name: s.batchMean }, { name: s.batchVar }]);
  training.pruneToOutputs();
  const session = await createSession(training, { intraOpThreads: options.threads }, 'recalibration graph');
  const channelsOf = (s: { runningMean: string }) => Number(out.initializers.get(s.runningMean)!.dims[0]);
  const sums = statistics.map((s) => ({ mean: new Float64Array(channelsOf(s)), variance: new Float64Array(channelsOf(s)) }));
  const batchSize = options.batchSize ?? 256;
  let total = 0;
  try {
    for (let start = 0; start < options.indices.length; ) {
      let end = Math.min(options.indices.length, start + batchSize);
      // A last batch of one image would have no variance: it joins this one.
      if (options.indices.length - end === 1) end++;
      const indices = options.indices.slice(start, end);
      start = end;
      const n = indices.length;
      const pixels = normalizeBatch(images.pixels(indices), channels, height * width, options.normalization);
      const result = await session.run({ [prepared.inputName]: tensor('float32', pixels, [n, channels, height, width]) });
      statistics.forEach((s, k) => {
        const count = n * s.positionsPerSample;
        const mean = result[s.batchMean].data as Float32Array;
        const variance = result[s.batchVar].data as Float32Array;
        for (let c = 0; c < mean.length; c++) {
          sums[k].mean[c] += n * mean[c];
          sums[k].variance[c] += (n * variance[c] * count) / (count - 1);
        }
      });
      total += n;
    }
  } finally {
    await session.release();
  }
  statistics.forEach((s, k) => {
    for (const [name, sum] of [[s.runningMean, sums[k].mean], [s.runningVar, sums[k].variance]] as const) {
      const t = out.initializers.get(name)!;
      out.initializers.set(name, { dims: t.dims, dataType: DataType.FLOAT, data: Float32Array.from(sum, (v) => v / total) });
    }
  });
  return out;
}

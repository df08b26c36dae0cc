// How an evaluation splits the machine's cores between preprocessing workers (read, decode, resize, crop) and
// ONNX Runtime's intra-op threads, chosen from the core count and the measured cost of both stages. Workers and
// ORT threads that together ask for more cores than there are slow both down (an ORT operator waits for its
// slowest thread), so the candidates never oversubscribe: either everything on the main thread one stage after
// the other (workers 0, ORT on every core), or `workers` preprocessing threads beside `cores - workers` ORT
// threads, overlapping. Neither choice changes a number: records do not depend on workers or threads.
import { availableParallelism } from 'node:os';
import type { LoadedModel } from '../model/load.js';
import type { OnnxClassifier } from '../model/classifier.js';
import type { Sample } from '../data/dataset.js';
import { sharpDecoder } from '../data/decode.js';
import { modelResizer } from '../data/resize.js';
import { toFloatImage, writeChw } from '../data/image.js';
import { decodeAndResize } from './batch-images.js';

/**
 * Share of ResNet-50-like inference that scales with ORT's intra-op threads (Amdahl's law), used to predict the
 * inference time at fewer threads from the one measured at all cores. Assumed, not fitted: a lower share makes
 * giving cores to preprocessing cheaper.
 */
export const PARALLEL_FRACTION = 0.95;

export interface StageCosts {
  readonly cores: number;
  /** Seconds to read, decode, resize and crop one image on one thread. */
  readonly preprocessSeconds: number;
  /** Seconds of inference per image with ORT on every core. */
  readonly inferenceSeconds: number;
}

export interface PipelinePlan {
  /** Preprocessing worker threads besides the main thread (0: preprocessing on the main thread, between batches). */
  readonly workers: number;
  /** ONNX Runtime intra-op threads. */
  readonly threads: number;
  /** Predicted images/s of the pipeline over images/s of inference alone on every core. */
  readonly predictedRatio: number;
}

/** Inference seconds per image at `threads` threads, from the time at all `cores` (Amdahl with PARALLEL_FRACTION). */
export function inferenceSecondsAt(costs: StageCosts, threads: number): number {
  const amdahl = (t: number) => 1 - PARALLEL_FRACTION + PARALLEL_FRACTION / t;
  return (costs.inferenceSeconds * amdahl(threads)) / amdahl(costs.cores);
}

/** The split with the highest predicted throughput (ties: fewer workers). */
export function planPipeline(costs: StageCosts): PipelinePlan {
  const cores = Math.max(1, Math.floor(costs.cores));
  const measured = { ...costs, cores };
  const plans: PipelinePlan[] = [];
  const ratio = (secondsPerImage: number) => costs.inferenceSeconds / secondsPerImage;
  plans.push({ workers: 0, threads: cores, predictedRatio: ratio(costs.preprocessSeconds + costs.inferenceSeconds) });
  for (let workers = 1; workers < cores; workers++) {
    const threads = cores - workers;
    // Overlapped: the slower stage sets the pace.
    const secondsPerImage = Math.max(costs.preprocessSeconds / workers, inferenceSecondsAt(measured, threads));
    plans.push({ workers, threads, predictedRatio: ratio(secondsPerImage) });
  }
  return plans.reduce((best, p) => (p.predictedRatio > best.predictedRatio + 1e-12 ? p : best));
}

/** Images the calibration times (after one warm-up inference on them). */
export const CALIBRATION_IMAGES = 8;

/**
 * Measures both stages on the first CALIBRATION_IMAGES samples (preprocessing on this thread, then inference with
 * `classifier`, which must run ORT on every core) and plans the split for this machine's cores.
 */
export async function calibratePipeline(model: LoadedModel, classifier: OnnxClassifier, samples: readonly Sample[], cores = availableParallelism()): Promise<PipelinePlan & StageCosts> {
  const probe = samples.slice(0, CALIBRATION_IMAGES);
  const preprocess = { input_size: model.metadata.input_size, crop_pct: model.metadata.crop_pct, interpolation: model.metadata.interpolation };
  const resizer = modelResizer(model.metadata.interpolation);
  const [c, h, w] = model.metadata.input_size;
  const images = new Float32Array(probe.length * c * h * w);
  let start = process.hrtime.bigint();
  let usable = 0;
  for (const s of probe) {
    const [image] = await decodeAndResize(s.path, s.id, sharpDecoder, [resizer], preprocess);
    if (!(image instanceof Error)) writeChw(toFloatImage(image), images, usable++ * c * h * w);
  }
  const preprocessSeconds = Number(process.hrtime.bigint() - start) / 1e9 / Math.max(1, probe.length);
  let inferenceSeconds = 0;
  if (usable > 0) {
    const batch = images.subarray(0, usable * c * h * w);
    await classifier.logits(batch, usable); // warm-up: the first run allocates
    start = process.hrtime.bigint();
    await classifier.logits(batch, usable);
    inferenceSeconds = Number(process.hrtime.bigint() - start) / 1e9 / usable;
  }
  const costs = { cores, preprocessSeconds, inferenceSeconds };
  return { ...costs, ...planPipeline(costs) };
}

// Training and test images held in memory as 8-bit HWC crops at the model's input size (the test
// transform: resize shorter side to H / crop_pct, centre crop), from Fashion-MNIST through the demo
// pipeline or from an ImageFolder/CSV dataset. Training transforms then work on these crops.
import { readFileSync } from 'node:fs';
import { nodeCrypto } from '../util/native.js';
import { loadDataset } from '../data/dataset.js';
import { decodeImage } from '../data/decode.js';
import { resizeAndCrop } from '../data/preprocess.js';
import { modelResizer } from '../data/resize.js';
import { FASHION_MNIST_CLASSES } from '../data/idx.js';
import { RobustartError } from '../errors.js';
import { loadFashionMnist } from './fashion-mnist.js';
import type { TrainingData } from './trainer.js';

export interface PixelSet {
  /** count × H × W × 3 uint8 */
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array | Int32Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly classes: readonly string[];
  /** Hash of pixels and labels: the exact data a model was trained or tested on. */
  readonly fingerprint: string;
}

export type DataSource = 'fashion-mnist' | { readonly kind: 'imagefolder' | 'csv'; readonly path: string };

export interface ImageLoadOptions {
  readonly split: 'train' | 'test';
  readonly inputSize: readonly [number, number, number];
  readonly cropPct: number;
  readonly interpolation: 'bilinear' | 'bicubic';
  readonly limit?: number;
  readonly log?: (line: string) => void;
}

function fingerprint(pixels: Uint8Array, labels: ArrayLike<number>): string {
  return nodeCrypto.createHash('sha256').update(pixels).update(Int32Array.from(labels as ArrayLike<number>)).digest('hex').slice(0, 16);
}

export async function loadPixelSet(source: DataSource, options: ImageLoadOptions): Promise<PixelSet> {
  const [channels, height, width] = options.inputSize;
  if (channels !== 3) throw new RobustartError(`data.input_size has ${channels} channels; the image pipeline feeds RGB (3 channels)`);
  if (source === 'fashion-mnist') {
    if (height !== 32 || width !== 32) throw new RobustartError(`Fashion-MNIST comes through the demo pipeline at 3 × 32 × 32, not ${height} × ${width}; set data.input_size to [3, 32, 32]`);
    const set = await loadFashionMnist(options.split === 'train' ? 'train' : 't10k', undefined, options.log);
    const count = Math.min(set.count, options.limit ?? Infinity);
    const pixels = set.pixels.subarray(0, count * 32 * 32 * 3);
    const labels = set.labels.subarray(0, count);
    return { pixels, labels, count, height, width, classes: FASHION_MNIST_CLASSES, fingerprint: fingerprint(pixels, labels) };
  }
  const dataset = loadDataset(source.path);
  const samples = dataset.samples.slice(0, options.limit ?? dataset.samples.length);
  const pixels = new Uint8Array(samples.length * height * width * 3);
  const resizer = modelResizer(options.interpolation);
  const config = { input_size: [3, height, width] as [number, number, number], crop_pct: options.cropPct, interpolation: options.interpolation };
  for (let i = 0; i < samples.length; i++) {
    const image = await decodeImage(readFileSync(samples[i].path), samples[i].path);
    pixels.set((await resizeAndCrop(image, config, resizer)).data, i * height * width * 3);
  }
  const labels = Int32Array.from(samples, (s) => s.label);
  return { pixels, labels, count: samples.length, height, width, classes: dataset.classes, fingerprint: fingerprint(pixels, labels) };
}

/** The set as [0,1] NCHW batches. */
export function asTrainingData(set: PixelSet): TrainingData {
  const plane = set.height * set.width;
  return {
    count: set.count,
    label: (i) => set.labels[i],
    pixels: (indices) => {
      const out = new Float32Array(indices.length * 3 * plane);
      for (let b = 0; b < indices.length; b++) {
        const src = indices[b] * plane * 3;
        for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) out[(b * 3 + c) * plane + p] = set.pixels[src + 3 * p + c] / 255;
      }
      return out;
    },
  };
}

/** Per-channel mean and std of the [0,1] pixels (the normalisation written to the model's metadata). */
export function channelStatistics(set: PixelSet): { mean: number[]; std: number[] } {
  const sum = [0, 0, 0];
  const sq = [0, 0, 0];
  const n = set.count * set.height * set.width;
  for (let i = 0; i < n * 3; i++) {
    const v = set.pixels[i] / 255;
    sum[i % 3] += v;
    sq[i % 3] += v * v;
  }
  const mean = sum.map((s) => s / n);
  const round4 = (v: number) => Math.round(v * 1e4) / 1e4;
  return { mean: mean.map(round4), std: sq.map((s, c) => round4(Math.sqrt(s / n - mean[c] * mean[c]))) };
}

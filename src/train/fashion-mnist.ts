// Fashion-MNIST through the same pipeline as the bundled demo images and their evaluation:
// 28×28 gray -> RGB -> 64×64 bicubic (sharp 'cubic') -> JPEG q90 4:2:0 (tools/make-demo-data.ts)
// -> decode -> resize shorter side to floor(32/0.875) = 36 with the eval resizer (Pillow-exact bicubic,
// src/data/resize.ts) -> center crop 32 (src/data/preprocess.ts, timm's eval transform). The result is
// cached as uint8 HWC crops.
import { join } from 'node:path';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { sharp } from '../util/native.js';
import { readIdx, DEBIAN_FASHION_MNIST_DIR } from '../data/idx.js';
import { decodeImage } from '../data/decode.js';
import { resizeAndCrop, type PreprocessConfig } from '../data/preprocess.js';
import { modelResizer } from '../data/resize.js';

export const DEMO_PREPROCESS: PreprocessConfig = { input_size: [3, 32, 32], crop_pct: 0.875, interpolation: 'bicubic' };
const SIDE = 32;

export interface ImageSet {
  /** count × 32 × 32 × 3 uint8, HWC per image */
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

/** One Fashion-MNIST image through the demo pipeline. */
export async function demoPipeline(gray: Uint8Array): Promise<Uint8Array> {
  const rgb = new Uint8Array(784 * 3);
  for (let p = 0; p < 784; p++) rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = gray[p];
  const jpeg = await sharp(rgb, { raw: { width: 28, height: 28, channels: 3 } }).resize(64, 64, { kernel: 'cubic' }).jpeg({ quality: 90, chromaSubsampling: '4:2:0' }).toBuffer();
  const decoded = await decodeImage(jpeg, 'fashion-mnist jpeg');
  return (await resizeAndCrop(decoded, DEMO_PREPROCESS, modelResizer('bicubic'))).data;
}

/** The 'train' (60k) or 't10k' (10k) split through demoPipeline, cached under the OS temp dir. */
export async function loadFashionMnist(split: 'train' | 't10k', dir = DEBIAN_FASHION_MNIST_DIR, log: (m: string) => void = () => {}, limit?: number): Promise<ImageSet> {
  const images = readIdx(join(dir, `${split}-images-idx3-ubyte.gz`));
  const allLabels = readIdx(join(dir, `${split}-labels-idx1-ubyte.gz`));
  // A limited (quick) run prepares only the images it uses; only complete splits are cached.
  const count = Math.min(allLabels.data.length, limit ?? Infinity);
  const labels = { data: allLabels.data.subarray(0, count) };
  const cacheDir = join(tmpdir(), 'robustart-cache');
  // The key names the resizer, so a change in the eval resizer invalidates the cache.
  const cache = join(cacheDir, `fashion-mnist-${split}-${modelResizer('bicubic').name}-v2.u8`);
  if (existsSync(cache)) {
    const pixels = new Uint8Array(readFileSync(cache));
    if (pixels.length === allLabels.data.length * SIDE * SIDE * 3) return { pixels: pixels.subarray(0, count * SIDE * SIDE * 3), labels: labels.data, count };
  }
  const pixels = new Uint8Array(count * SIDE * SIDE * 3);
  const started = Date.now();
  const parallel = 8;
  for (let start = 0; start < count; start += parallel) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + parallel); i++) batch.push(demoPipeline(images.data.subarray(i * 784, (i + 1) * 784)).then((crop) => pixels.set(crop, i * SIDE * SIDE * 3)));
    await Promise.all(batch);
    if (start % 10000 === 0) log(`  ${split}: ${start}/${count} images through the demo pipeline (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  if (count === allLabels.data.length) {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(cache, pixels);
  }
  return { pixels, labels: labels.data, count };
}

// Writes the bundled demo dataset: a class-balanced subset of the Fashion-MNIST test split as
// 64x64 RGB JPEG files in an ImageFolder tree (demo/data/fashion-mnist/<index>-<class>/<id>.jpg).
// 64x64 is larger than the demo model's 32x32 input, so decoding, resizing and cropping all run.
// Source: Debian's dataset-fashion-mnist (MIT licence, copied to demo/data/fashion-mnist/LICENSE).
// Usage: node --import tsx tools/make-demo-data.ts [perClass=100]
import { mkdirSync, writeFileSync, rmSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { readIdx, FASHION_MNIST_CLASSES, DEBIAN_FASHION_MNIST_DIR } from '../src/data/idx.js';

const perClass = Number(process.argv[2] ?? 100);
const outRoot = 'demo/data/fashion-mnist';
const images = readIdx(join(DEBIAN_FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'));
const labels = readIdx(join(DEBIAN_FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz'));

export function classFolder(index: number): string {
  return `${index}-${FASHION_MNIST_CLASSES[index].toLowerCase().replace(/[^a-z]+/g, '-')}`;
}

rmSync(outRoot, { recursive: true, force: true });
const counts = new Array(10).fill(0);
for (let i = 0; i < labels.data.length && counts.some((c) => c < perClass); i++) {
  const label = labels.data[i];
  if (counts[label] >= perClass) continue;
  counts[label]++;
  const gray = images.data.subarray(i * 784, (i + 1) * 784);
  const rgb = new Uint8Array(784 * 3);
  for (let p = 0; p < 784; p++) rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = gray[p];
  const dir = join(outRoot, classFolder(label));
  mkdirSync(dir, { recursive: true });
  const jpeg = await sharp(rgb, { raw: { width: 28, height: 28, channels: 3 } })
    .resize(64, 64, { kernel: 'cubic' })
    .jpeg({ quality: 90, chromaSubsampling: '4:2:0' })
    .toBuffer();
  writeFileSync(join(dir, `test-${String(i).padStart(5, '0')}.jpg`), jpeg);
}
copyFileSync('/usr/share/doc/dataset-fashion-mnist/copyright', join(outRoot, 'LICENSE'));
console.log(`wrote ${counts.reduce((a, b) => a + b, 0)} images to ${outRoot}`);

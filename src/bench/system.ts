// `npm run bench -- system [--seconds S]`: decode and resize throughput of every system-noise implementation at
// 224x224 and at ImageNet-typical 500x375 inputs (JPEG q90 4:2:0 made by sharp from a synthetic photo-like image).
// Resizers go to timm's eval size for a 224 model: shorter side 256 (224x224 -> 256x256, 500x375 -> 341x256).
// Figures are images per second on this machine; compare rows, not machines.
import sharp from 'sharp';
import type { RgbImage } from '../data/image.js';
import { DECODERS } from '../noise/system/decoders/index.js';
import { RESIZERS } from '../noise/system/resizers/index.js';
import { flag } from './_timing.js';

function photoLike(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      data[o] = 128 + 100 * Math.sin(x / 17 + y / 29);
      data[o + 1] = 128 + 100 * Math.cos(x / 11) * Math.sin(y / 23);
      data[o + 2] = ((x >> 4) + (y >> 4)) % 2 ? 220 : 40;
    }
  }
  return { width, height, data };
}

/** Calls fn repeatedly for about `seconds` (after one warm-up call) and returns calls per second. */
async function rate(seconds: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  await fn();
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < seconds * 1000) {
    await fn();
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

export async function run(args: string[]): Promise<void> {
  const seconds = flag(args, 'seconds', 0.3);
  const sizes = [
    { label: '224x224', width: 224, height: 224, out: [256, 256] as const },
    { label: '500x375', width: 500, height: 375, out: [341, 256] as const },
  ];
  const inputs = await Promise.all(sizes.map(async (s) => {
    const image = photoLike(s.width, s.height);
    const jpeg = new Uint8Array(await sharp(image.data, { raw: { width: s.width, height: s.height, channels: 3 } }).jpeg({ quality: 90, chromaSubsampling: '4:2:0' }).toBuffer());
    return { ...s, image, jpeg };
  }));

  process.stdout.write(`decode (JPEG q90 4:2:0), images/s, ${seconds}s per cell\n`);
  process.stdout.write(`${'decoder'.padEnd(22)}${sizes.map((s) => s.label.padStart(10)).join('')}\n`);
  for (const entry of DECODERS) {
    const decoder = entry.create();
    const cells: string[] = [];
    for (const input of inputs) {
      try {
        cells.push(fmt(await rate(seconds, () => decoder.decode(input.jpeg))).padStart(10));
      } catch (err) {
        cells.push('n/a'.padStart(10));
        process.stderr.write(`${entry.name}: ${(err as Error).message}\n`);
      }
    }
    process.stdout.write(`${entry.name.padEnd(22)}${cells.join('')}\n`);
  }

  process.stdout.write(`\nresize to timm's 256 shorter side, images/s (${sizes.map((s) => `${s.label} -> ${s.out.join('x')}`).join(', ')})\n`);
  process.stdout.write(`${'resizer'.padEnd(22)}${sizes.map((s) => s.label.padStart(10)).join('')}\n`);
  for (const entry of RESIZERS) {
    const resizer = entry.create();
    const cells: string[] = [];
    for (const input of inputs) cells.push(fmt(await rate(seconds, () => resizer.resize(input.image, input.out[0], input.out[1]))).padStart(10));
    process.stdout.write(`${entry.name.padEnd(22)}${cells.join('')}\n`);
  }
}

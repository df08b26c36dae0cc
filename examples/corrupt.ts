// Corrupt one image and save it: fog at severity 3 on a demo image, written as PNG.
//   npx tsx examples/corrupt.ts [out.png]
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { Rng } from 'robustart/core';
import { decodeImage, toFloatImage, toRgbImage, loadImageFolder } from 'robustart/data';
import { getCorruption } from 'robustart/corruptions';

const [sample] = loadImageFolder(fileURLToPath(new URL('../demo/data/fashion-mnist', import.meta.url))).samples;
const clean = toFloatImage(await decodeImage(new Uint8Array(await readFile(sample.path))));
const foggy = toRgbImage(await getCorruption('fog').apply(clean, 3, new Rng(0)));
const out = process.argv[2] ?? 'fog-3.png';
await sharp(foggy.data, { raw: { width: foggy.width, height: foggy.height, channels: 3 } }).png().toFile(out);
console.log(`${sample.id}: fog at severity 3 -> ${out} (${foggy.width}x${foggy.height})`);

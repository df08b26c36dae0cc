// A contact sheet of what an evaluation shows the model: for each source image, one row per corruption with the
// clean image and the corrupted image at each severity, labelled. PNG through @napi-rs/canvas.
import type * as Canvas from '@napi-rs/canvas';
import { requirePackage } from '../../util/native.js';

const canvasPackage = () => requirePackage<typeof Canvas>('@napi-rs/canvas');
import type { FloatImage } from '../../data/image.js';
import { toUint8Truncated, sampleRng } from './imagenet-c.js';
import { getCorruption } from './registry.js';
import type { CorruptionOptions, Severity } from './types.js';

export interface PreviewSource {
  readonly name: string;
  readonly image: FloatImage;
}

export interface PreviewOptions {
  readonly corruptions: readonly string[];
  readonly severities: readonly Severity[];
  readonly seed: number;
  /** Side of each tile in pixels (images are scaled to it). */
  readonly tile?: number;
  readonly corruptionOptions?: CorruptionOptions;
}

const LABEL_WIDTH = 150;
const HEADER = 40;
const GAP = 4;

function tileCanvas(image: FloatImage) {
  const rgb = toUint8Truncated(image);
  const rgba = new Uint8ClampedArray(image.width * image.height * 4);
  for (let p = 0, q = 0; p < rgb.data.length; p += 3, q += 4) {
    rgba[q] = rgb.data[p];
    rgba[q + 1] = rgb.data[p + 1];
    rgba[q + 2] = rgb.data[p + 2];
    rgba[q + 3] = 255;
  }
  const { createCanvas, ImageData } = canvasPackage();
  const canvas = createCanvas(image.width, image.height);
  canvas.getContext('2d').putImageData(new ImageData(rgba, image.width, image.height), 0, 0);
  return canvas;
}

/** Renders the sheet; random corruptions use the same per-sample streams as `robustart corrupt`. */
export async function contactSheet(sources: readonly PreviewSource[], options: PreviewOptions): Promise<Buffer> {
  const tile = options.tile ?? 112;
  const columns = options.severities.length + 1;
  const rowsPerSource = options.corruptions.length;
  const blockHeight = HEADER + rowsPerSource * (tile + GAP);
  const width = LABEL_WIDTH + columns * (tile + GAP);
  const height = sources.length * (blockHeight + GAP);
  const canvas = canvasPackage().createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.font = '13px sans-serif';
  ctx.textBaseline = 'middle';
  for (let s = 0; s < sources.length; s++) {
    const source = sources[s];
    const top = s * (blockHeight + GAP);
    ctx.fillStyle = '#000000';
    // The source name on its own line, column headers under it.
    ctx.fillText(source.name, 4, top + HEADER / 4);
    const headers = ['clean', ...options.severities.map((v) => `severity ${v}`)];
    headers.forEach((h, c) => ctx.fillText(h, LABEL_WIDTH + c * (tile + GAP) + 4, top + (3 * HEADER) / 4));
    const clean = tileCanvas(source.image);
    for (let r = 0; r < options.corruptions.length; r++) {
      const name = options.corruptions[r];
      const y = top + HEADER + r * (tile + GAP);
      ctx.fillStyle = '#000000';
      ctx.fillText(name, 4, y + tile / 2);
      ctx.drawImage(clean, LABEL_WIDTH, y, tile, tile);
      for (let c = 0; c < options.severities.length; c++) {
        const severity = options.severities[c];
        const corrupted = await getCorruption(name).apply(source.image, severity, sampleRng(options.seed, name, severity, source.name), options.corruptionOptions);
        ctx.drawImage(tileCanvas(corrupted), LABEL_WIDTH + (c + 1) * (tile + GAP), y, tile, tile);
      }
    }
  }
  return canvas.encode('png');
}

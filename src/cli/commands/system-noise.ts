// `robustart system-noise diff --image X`: how much decoders and resizers change one image, as numbers and a heat map.
// `robustart system-noise list`: the registered decoder and resizer variants.
import { readFileSync } from 'node:fs';
import { sharp } from '../../util/native.js';
import type { Command } from '../command.js';
import { checkOutputPath, numberFlag, requireFlag, stringFlag } from '../command.js';
import { RobustartError } from '../../errors.js';
import { DECODERS, decoderByName } from '../../noise/system/decoders/index.js';
import { RESIZERS, resizerByName } from '../../noise/system/resizers/index.js';
import { disagreementHeatmap, imageDiff, runCombinations } from '../../noise/system/diff.js';
import { resizedSize } from '../../data/preprocess.js';
import { maxOf } from '../../util/array.js';

const USAGE = [
  'robustart system-noise list                      decoder and resizer variants',
  'robustart system-noise diff --image FILE [--out heatmap.png]',
  '',
  '  --image FILE        a JPEG or PNG',
  '  --out FILE          write a heat map PNG: per pixel, the largest difference from the reference over the grid',
  '  --decoders a,b      decoders to compare (default all; those that cannot read the file are listed and skipped)',
  '  --resizers a,b      resizers to compare (default all)',
  '  --reference D+R     the combination others are compared with (default sharp+pil-bilinear, or the first that works)',
  '  --size N            resize the shorter side to N, as timm does before the crop (default 256 = 224 / 0.875)',
  '  --json              numbers as JSON',
].join('\n');

const list = (text: string | undefined, all: string[]) => (text ? text.split(',').map((s) => s.trim()).filter(Boolean) : all);
const fixed = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : 'inf');

export const systemNoiseCommand: Command = {
  name: 'system-noise',
  summary: 'decoder x resizer differences for one image (numbers and a heat map); list the variants',
  usage: USAGE,
  options: {
    image: { type: 'string' },
    out: { type: 'string' },
    decoders: { type: 'string' },
    resizers: { type: 'string' },
    reference: { type: 'string' },
    size: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: true,
  async run(values, positionals) {
    const [action] = positionals;
    if (action === 'list') {
      for (const d of DECODERS) process.stdout.write(`decoder  ${d.name.padEnd(22)} ${d.library} (${d.formats.join('/')})${d.binary ? `, runs ${d.binary}` : ''}\n`);
      for (const r of RESIZERS) process.stdout.write(`resizer  ${r.name.padEnd(22)} ${r.family}, checked by ${r.checkedBy}\n`);
      return 0;
    }
    if (action !== 'diff') throw new RobustartError(`robustart system-noise: unknown action '${action ?? ''}'; use list or diff (see robustart system-noise --help)`);
    const imagePath = requireFlag(values, 'image', 'system-noise diff');
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(imagePath));
    } catch (err) {
      throw new RobustartError(`cannot read --image ${imagePath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const decoders = list(stringFlag(values, 'decoders'), DECODERS.map((d) => d.name)).map(decoderByName);
    const resizers = list(stringFlag(values, 'resizers'), RESIZERS.map((r) => r.name)).map(resizerByName);
    const shorter = numberFlag(values, 'size', 256, { min: 1, integer: true });
    const referenceFlag = stringFlag(values, 'reference');
    if (referenceFlag !== undefined && !/^[^+]+\+[^+]+$/.test(referenceFlag)) throw new RobustartError('--reference must be DECODER+RESIZER, e.g. sharp+pil-bilinear');
    const results = await runCombinations(bytes, decoders, resizers, (w, h) => resizedSize(w, h, shorter));
    // Without --reference: sharp+pil-bilinear when it is in the grid, else the first combination that worked.
    const fallback = results.find((r) => r.decoder === 'sharp' && r.resizer === 'pil-bilinear' && r.image) ?? results.find((r) => r.image);
    const [refDecoder, refResizer] = referenceFlag ? referenceFlag.split('+') : [fallback?.decoder ?? 'sharp', fallback?.resizer ?? 'pil-bilinear'];
    const reference = results.find((r) => r.decoder === refDecoder && r.resizer === refResizer);
    if (!reference?.image) {
      throw new RobustartError(`reference ${refDecoder}+${refResizer} ${reference?.error ? `failed: ${reference.error}` : 'is not in the grid'}; pick one with --reference`);
    }
    const ok = results.filter((r) => r.image);
    const rows = ok.map((r) => ({ decoder: r.decoder, resizer: r.resizer, ...imageDiff(reference.image!, r.image!) }));
    const failed = [...new Map(results.filter((r) => r.error).map((r) => [r.decoder, r.error!])).entries()];
    const { heatmap, perPixelMax } = disagreementHeatmap(reference.image, ok.map((r) => r.image!));
    const out = stringFlag(values, 'out');
    if (out) checkOutputPath(out);
    if (out) await sharp(heatmap.data, { raw: { width: heatmap.width, height: heatmap.height, channels: 3 } }).png().toFile(out);
    const gridMax = maxOf(perPixelMax);
    const meanOfMax = perPixelMax.reduce((a, b) => a + b, 0) / perPixelMax.length;

    if (values.json) {
      process.stdout.write(`${JSON.stringify({ image: imagePath, reference: `${refDecoder}+${refResizer}`, size: [reference.image.width, reference.image.height], combinations: rows.map((r) => ({ ...r, psnr: Number.isFinite(r.psnr) ? r.psnr : null })), skippedDecoders: Object.fromEntries(failed), heatmap: out ?? null, gridMaxAbs: gridMax, meanPerPixelMaxAbs: meanOfMax }, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(`${imagePath}: ${ok.length} combinations at ${reference.image.width}x${reference.image.height}, compared with ${refDecoder}+${refResizer}\n\n`);
    process.stdout.write(`${'decoder'.padEnd(22)}${'resizer'.padEnd(20)}${'max'.padStart(5)}${'mean'.padStart(8)}${'changed'.padStart(9)}${'PSNR dB'.padStart(9)}\n`);
    for (const r of [...rows].sort((a, b) => b.meanAbs - a.meanAbs)) {
      process.stdout.write(`${r.decoder.padEnd(22)}${r.resizer.padEnd(20)}${String(r.maxAbs).padStart(5)}${r.meanAbs.toFixed(2).padStart(8)}${`${(100 * r.changedFraction).toFixed(1)}%`.padStart(9)}${fixed(r.psnr, 1).padStart(9)}\n`);
    }
    for (const [decoder, error] of failed) process.stdout.write(`skipped ${decoder}: ${error}\n`);
    process.stdout.write(`\nper pixel, largest difference over the grid: max ${gridMax}, mean ${meanOfMax.toFixed(2)} grey levels\n`);
    if (out) process.stdout.write(`heat map (black = all agree, white = ${gridMax} levels apart): ${out}\n`);
    return 0;
  },
};

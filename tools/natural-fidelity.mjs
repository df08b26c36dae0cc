#!/usr/bin/env node
// Fidelity tables of the natural noise against the reference implementations (after `npm run build`):
//   node tools/natural-fidelity.mjs frost
//     mean PSNR per severity of frost on the 16 224x224 fixture images of frost-reference.json: the reference
//     (imagecorruptions' frost from its definition, tools/natural-noise-reference.py), robustart replaying the
//     reference's draws, and robustart with its own draws (25 per image, like the reference's own column).
//   /usr/bin/python3 tools/natural-noise-reference.py imagenet-p-full DIR && node tools/natural-fidelity.mjs imagenet-p DIR
//     per-frame mean absolute difference (8-bit levels) of ImageNet-P rotate / scale / shear against old
//     torchvision's affine on PIL (256x256 context, 224 crop): mean over frames and the worst frame.
//   ROBUSTART_DIST=/path/to/another/build/dist measures that build's ImageNet-P frames instead (before / after).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rampImage } from '../dist/noise/natural/fixture.js';
import { frost, frostBlend, frostPhotograph, rescaledFrostPhotograph } from '../dist/noise/natural/frost.js';
import { rngFor } from '../dist/util/rng.js';

const dist = process.env.ROBUSTART_DIST ? pathToFileURL(`${process.env.ROBUSTART_DIST}/`).href : new URL('../dist/', import.meta.url).href;
const { perturbationFrame } = await import(new URL('noise/natural/imagenet-p.js', dist).href);

const psnr = (clean, out) => {
  let se = 0;
  for (let i = 0; i < clean.data.length; i++) se += (out.data[i] - clean.data[i]) ** 2;
  return 10 * Math.log10(clean.data.length / se);
};
const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
const sd = (v) => Math.sqrt(v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1));

const [mode, dir] = process.argv.slice(2);
if (mode === 'frost') {
  const reference = JSON.parse(readFileSync(new URL('../src/noise/natural/fixtures/frost-reference.json', import.meta.url), 'utf8'));
  process.stdout.write('| severity | reference, its draws (dB) | robustart, same draws | difference | reference, fresh draws | robustart, own draws | difference (± 2 SE) | procedural textures, own draws | difference |\n|---|---|---|---|---|---|---|---|---|\n');
  for (let s = 1; s <= 5; s++) {
    const ref = [], replay = [], own = [], procedural = [];
    for (const entry of reference.large) {
      const image = rampImage(224, 224, entry.k);
      const draw = entry.severities[s - 1];
      ref.push(draw.psnr);
      replay.push(psnr(image, frostBlend(image, s, rescaledFrostPhotograph(frostPhotograph(draw.index), 224, 224), draw.left, draw.top)));
      for (let d = 0; d < 25; d++) own.push(psnr(image, frost(image, s, rngFor(7, entry.k, s, d))));
      for (let d = 0; d < 25; d++) procedural.push(psnr(image, frost(image, s, rngFor(7, entry.k, s, d), { frost: 'procedural' })));
    }
    const refOwn = reference.own[String(s)];
    const se = sd(own) / Math.sqrt(own.length);
    process.stdout.write(`| ${s} | ${mean(ref).toFixed(3)} | ${mean(replay).toFixed(3)} | ${(mean(replay) - mean(ref)).toFixed(3)} | ${refOwn.toFixed(3)} | ${mean(own).toFixed(3)} | ${(mean(own) - refOwn).toFixed(3)} (± ${(2 * Math.SQRT2 * se).toFixed(2)}) | ${mean(procedural).toFixed(3)} | ${(mean(procedural) - refOwn).toFixed(3)} |\n`);
  }
} else if (mode === 'imagenet-p' && dir) {
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
  const image = rampImage(meta.width, meta.height, meta.k);
  const [cw, ch] = meta.crop;
  process.stdout.write('| perturbation | mean over frames (levels) | worst frame (levels) | worst frame index |\n|---|---|---|---|\n');
  for (const type of meta.types) {
    const raw = readFileSync(join(dir, `${type}.raw`));
    const per = [];
    for (let i = 0; i < meta.frames; i++) {
      const frame = perturbationFrame(image, type, i, 0, { crop: { width: cw, height: ch } });
      let sum = 0;
      const off = i * cw * ch * 3;
      for (let p = 0; p < cw * ch * 3; p++) sum += Math.abs(frame.data[p] * 255 - raw[off + p]);
      per.push(sum / (cw * ch * 3));
    }
    const worst = per.reduce((w, v, i) => (v > per[w] ? i : w), 0);
    process.stdout.write(`| ${type} | ${mean(per).toFixed(3)} | ${per[worst].toFixed(3)} | ${worst} |\n`);
  }
} else {
  process.stderr.write('usage: node tools/natural-fidelity.mjs frost | imagenet-p DIR\n');
  process.exit(2);
}

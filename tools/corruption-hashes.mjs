#!/usr/bin/env node
// SHA-256 of every built-in corruption's output (19 corruptions and the frost/elastic variants, severities 1-5,
// 2 sizes x 2 images x 2 seeds), from the compiled dist/. Kernel rewrites must keep every hash:
//   node tools/corruption-hashes.mjs > before.json   (on the old code)
//   node tools/corruption-hashes.mjs --compare before.json   (on the new code; exit 1 and the differing keys if any)
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { syntheticImage, rampImage } from '../dist/noise/natural/fixture.js';
import { CORRUPTIONS } from '../dist/noise/natural/registry.js';
import { SEVERITIES } from '../dist/noise/natural/types.js';
import { Rng } from '../dist/util/rng.js';

const sizes = [[224, 224], [131, 97]];
const images = { synthetic: (w, h) => syntheticImage(w, h, 1), ramp: (w, h) => rampImage(w, h, 2) };
const seeds = [1, 7];
const variants = { frost: [{}, { frost: 'procedural' }], elastic_transform: [{}, { elastic: 'imagecorruptions' }] };

const hashes = {};
for (const [w, h] of sizes) {
  for (const [imageName, make] of Object.entries(images)) {
    const image = make(w, h);
    for (const c of CORRUPTIONS) {
      for (const options of variants[c.name] ?? [{}]) {
        for (const severity of SEVERITIES) {
          for (const seed of seeds) {
            const out = await c.apply(image, severity, new Rng(seed), options);
            const key = [c.name, ...Object.values(options), severity, `${w}x${h}`, imageName, seed].join('/');
            hashes[key] = createHash('sha256').update(new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength)).digest('hex');
          }
        }
      }
    }
  }
}

const compareIndex = process.argv.indexOf('--compare');
if (compareIndex < 0) {
  process.stdout.write(`${JSON.stringify(hashes, null, 1)}\n`);
} else {
  const before = JSON.parse(readFileSync(process.argv[compareIndex + 1], 'utf8'));
  const keys = new Set([...Object.keys(before), ...Object.keys(hashes)]);
  const differing = [...keys].filter((k) => before[k] !== hashes[k]);
  process.stdout.write(`${keys.size} outputs compared, ${differing.length} differ${differing.length ? `:\n${differing.join('\n')}` : ''}\n`);
  process.exitCode = differing.length ? 1 : 0;
}

// frost against the reference (imagecorruptions' frost written from its definition in
// tools/natural-noise-reference.py, fixture frost-reference.json): the shipped photographs, randint(5), the 1.1
// INTER_CUBIC rescale and the crop, replayed with the reference's own draws; and robustart's draws against the
// reference's in mean PSNR per severity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { FloatImage } from '../../data/image.js';
import { Rng, rngFor } from '../../util/rng.js';
import { rampImage } from './fixture.js';
import { FROST_PHOTOGRAPHS, FROST_PHOTOGRAPHS_DRAWN, frost, frostBlend, frostPhotograph, frostRescaledSize, rescaledFrostPhotograph } from './frost.js';
import { SEVERITIES, type Severity } from './types.js';

const reference = JSON.parse(readFileSync(new URL('../../../src/noise/natural/fixtures/frost-reference.json', import.meta.url), 'utf8'));

interface Draw { index: number; top: number; left: number; psnr?: number }

function psnr(clean: FloatImage, out: FloatImage): number {
  let se = 0;
  for (let i = 0; i < clean.data.length; i++) se += (out.data[i] - clean.data[i]) ** 2;
  return 10 * Math.log10(clean.data.length / se);
}

function replay(image: FloatImage, severity: Severity, draw: Draw): FloatImage {
  return frostBlend(image, severity, rescaledFrostPhotograph(frostPhotograph(draw.index), image.width, image.height), draw.left, draw.top);
}

test('the shipped photographs decode at the reference sizes; the rescale follows imagecorruptions (cover, then 1.1, ceil)', () => {
  const sizes = FROST_PHOTOGRAPHS.map((_, k) => [frostPhotograph(k).width, frostPhotograph(k).height]);
  assert.deepEqual(sizes, [[900, 600], [560, 315], [560, 315], [527, 350], [660, 495], [485, 323]]);
  assert.equal(FROST_PHOTOGRAPHS_DRAWN, 5);
  // 900 * 1.1 is 990.0000000000001 in doubles (600 * 1.1 is 660 exactly), so the reference gives 991 x 660.
  assert.deepEqual(frostRescaledSize(900, 600, 224, 224), { width: 991, height: 660 });
  // Too short for a 400-high image: cover the height first (400 / 315), then 1.1.
  assert.deepEqual(frostRescaledSize(560, 315, 300, 400), { width: Math.ceil(560 * ((400 / 315) * 1.1)), height: Math.ceil(315 * ((400 / 315) * 1.1)) });
});

test('replaying the reference draws gives the reference output to within one 8-bit level', () => {
  for (const entry of reference.small) {
    const image = rampImage(entry.width, entry.height, entry.k);
    for (const s of SEVERITIES) {
      const expected = Buffer.from(entry.severities[s - 1].output, 'base64');
      const out = replay(image, s, entry.severities[s - 1]);
      let worst = 0;
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(out.data[i] * 255 - expected[i]));
      assert.ok(worst <= 1.0001, `image ${entry.k} severity ${s}: ${worst} levels`);
    }
  }
});

test('224x224: PSNR with the reference draws equals the reference; with robustart draws the mean agrees within sampling error', () => {
  const own = new Map<Severity, number[]>(SEVERITIES.map((s) => [s, []]));
  for (const entry of reference.large) {
    const image = rampImage(224, 224, entry.k);
    for (const s of SEVERITIES) {
      const draw: Draw = entry.severities[s - 1];
      assert.ok(Math.abs(psnr(image, replay(image, s, draw)) - draw.psnr!) < 0.02, `image ${entry.k} severity ${s}`);
      for (let d = 0; d < 12; d++) own.get(s)!.push(psnr(image, frost(image, s, rngFor(7, entry.k, s, d))));
    }
  }
  // The means are over 192 (here) and 400 (reference) random draws; the photographs differ in brightness, so the
  // spread is ~2 dB per draw. The difference must be within 3 standard errors of two such means (~0.7 dB; the
  // procedural textures are 1.1 to 1.5 dB off).
  for (const s of SEVERITIES) {
    const values = own.get(s)!;
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
    const tolerance = 3 * Math.sqrt(sd ** 2 / values.length + sd ** 2 / 400);
    assert.ok(Math.abs(mean - reference.own[String(s)]) < tolerance, `severity ${s}: robustart ${mean.toFixed(2)} dB, reference ${reference.own[String(s)]} dB (tolerance ${tolerance.toFixed(2)})`);
  }
});

test('draws: photograph index uniform over frost1..5 (never frost6), crops inside the rescaled photograph', () => {
  const counts = new Array(FROST_PHOTOGRAPHS.length).fill(0);
  const image = rampImage(32, 24, 1);
  for (let k = 0; k < 500; k++) {
    const rng = new Rng(k);
    const index = new Rng(k).int(FROST_PHOTOGRAPHS_DRAWN);
    counts[index]++;
    const out = frost(image, 3, rng);
    assert.equal(out.width, 32);
  }
  assert.equal(counts[5], 0);
  for (let k = 0; k < 5; k++) assert.ok(counts[k] > 60, `frost${k + 1} drawn ${counts[k]} times`);
  assert.throws(() => frostBlend(image, 1, frostPhotograph(0), 900 - 31, 0), /does not fit/);
});

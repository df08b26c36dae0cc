import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { syntheticImage } from './fixture.js';
import { contactSheet } from './preview.js';

test('contact sheet: one labelled row per corruption, clean + one column per severity, per source image', async () => {
  const sources = [{ name: 'a/x.png', image: syntheticImage(40, 40, 1) }, { name: 'b/y.png', image: syntheticImage(40, 40, 2) }];
  const png = await contactSheet(sources, { corruptions: ['fog', 'brightness', 'pixelate'], severities: [1, 3], seed: 0, tile: 32 });
  const meta = await sharp(png).metadata();
  assert.equal(meta.format, 'png');
  // label column 150 + 3 columns of (32 + 4); per source a 40 px header and 3 rows of (32 + 4), plus a 4 px gap.
  assert.equal(meta.width, 150 + 3 * 36);
  assert.equal(meta.height, 2 * (40 + 3 * 36 + 4));
});

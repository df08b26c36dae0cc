import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import sharp from 'sharp';
import { systemNoiseCommand } from './system-noise.js';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../../../fixtures/system-noise/decode/rgb-420.jpg', import.meta.url));

test('robustart system-noise diff prints the grid against the reference and writes the heat map PNG', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'robustart-sn-')), 'heat.png');
  const text = execFileSync(process.execPath, [MAIN, 'system-noise', 'diff', '--image', FIXTURE, '--out', out, '--decoders', 'sharp,jpegjs,djpeg-islow-nosmooth', '--resizers', 'pil-bilinear,cv2-linear', '--size', '30'], { encoding: 'utf8' });
  assert.match(text, /6 combinations at 44x30, compared with sharp\+pil-bilinear/);
  assert.match(text, /\nsharp +pil-bilinear +0 +0\.00 +0\.0% +inf\n/);
  assert.match(text, /\njpegjs +cv2-linear +\d+ +\d+\.\d\d/);
  const meta = await sharp(out).metadata();
  assert.equal(meta.format, 'png');
  assert.equal(meta.width, 44);
  assert.equal(meta.height, 30);
  await assert.rejects(systemNoiseCommand.run({ image: '/nonexistent.jpg' }, ['diff']), /cannot read --image \/nonexistent\.jpg: ENOENT/);
  await assert.rejects(systemNoiseCommand.run({}, ['bogus']), /unknown action 'bogus'/);
});

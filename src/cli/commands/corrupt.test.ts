import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { corruptCommand } from './corrupt.js';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

test('robustart corrupt writes the tree and a contact sheet; bad flags are one-line errors', async () => {
  const root = await mkdtemp(join(tmpdir(), 'robustart-cli-c-'));
  try {
    await mkdir(join(root, 'in', 'n01'), { recursive: true });
    await sharp({ create: { width: 300, height: 260, channels: 3, background: { r: 90, g: 140, b: 200 } } }).jpeg().toFile(join(root, 'in', 'n01', 'a.JPEG'));
    const text = execFileSync(process.execPath, [MAIN, 'corrupt', '--in', join(root, 'in'), '--out', join(root, 'out'), '--corruptions', 'contrast,pixelate', '--severities', '2', '--preview', join(root, 'sheet.png'), '--preview-images', '1', '--workers', '1'], { encoding: 'utf8' });
    assert.match(text, /contact sheet of 1 image\(s\) x 2 corruptions x 1 severities/);
    assert.match(text, /wrote 2 images/);
    assert.deepEqual(await readdir(join(root, 'out', 'pixelate', '2', 'n01')), ['a.JPEG']);
    assert.equal((await sharp(join(root, 'sheet.png')).metadata()).format, 'png');
    await assert.rejects(corruptCommand.run({ in: join(root, 'in') }, []), /pass --out DIR .* and\/or --preview FILE\.png/);
    await assert.rejects(corruptCommand.run({ in: join(root, 'in'), out: join(root, 'x'), corruptions: 'rain' }, []), /unknown corruption 'rain'/);
    await assert.rejects(corruptCommand.run({ in: join(root, 'in'), out: join(root, 'x'), severities: '0-7' }, []), /severities '0-7' is not allowed; allowed: severities 1 to 5/);
    await assert.rejects(corruptCommand.run({ in: join(root, 'in'), out: join(root, 'x'), 'imagenet-p': true, perturbations: 'wobble' }, []), /unknown perturbation 'wobble'/);
    // Frost from the reference photographs (default) or the procedural textures; the elastic variant by name.
    const frostOf = async (out: string, flags: Record<string, string>) => {
      await corruptCommand.run({ in: join(root, 'in'), out: join(root, out), corruptions: 'frost,elastic_transform', severities: '3', workers: '1', ...flags }, []);
      return sharp(join(root, out, 'frost', '3', 'n01', 'a.JPEG')).raw().toBuffer();
    };
    const photographs = await frostOf('photo', {});
    assert.deepEqual(await frostOf('photo-again', { frost: 'photographs', elastic: 'original' }), photographs);
    assert.notDeepEqual(await frostOf('procedural', { frost: 'procedural', elastic: 'imagecorruptions' }), photographs);
    await assert.rejects(corruptCommand.run({ in: join(root, 'in'), out: join(root, 'x'), elastic: 'warped' }, []), /elastic_transform variant 'warped' is unknown; choose original or imagecorruptions/);
    await assert.rejects(corruptCommand.run({ in: join(root, 'in'), out: join(root, 'x'), frost: 'procedural', 'frost-dir': root }, []), /--frost-dir gives frost photographs and --frost procedural/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

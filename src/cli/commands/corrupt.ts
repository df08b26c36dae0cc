// robustart corrupt: write an ImageNet-C-style tree (corruption/severity/class/file) from a clean image folder,
// and/or a contact sheet of the corruptions for a few images.
import { defaultWorkers, WORKERS_HELP } from '../../util/workers.js';
import { writeFile } from 'node:fs/promises';
import type { Command } from '../command.js';
import { numberFlag, requireFlag, stringFlag } from '../command.js';
import { RobustartError } from '../../errors.js';
import { progressBar } from '../../eval/progress.js';
import { generateImageNetC, generateImageNetP, loadFrostTextures } from '../../noise/natural/generate.js';
import { ALL_PERTURBATIONS, PERTURBATIONS, checkPerturbation } from '../../noise/natural/imagenet-p.js';
import { IMAGENET_C_PIPELINE, listImages, loadCleanImage } from '../../noise/natural/imagenet-c.js';
import { contactSheet } from '../../noise/natural/preview.js';
import { parseCorruptionList, parseSeverityList } from '../../noise/natural/registry.js';
import { checkCorruptionVariants, type CorruptionOptions } from '../../noise/natural/types.js';
import { join } from 'node:path';

export const corruptCommand: Command = {
  name: 'corrupt',
  summary: 'generate an ImageNet-C tree (19 corruptions x 5 severities) from a clean image folder; resumable',
  usage: [
    'robustart corrupt --in DIR --out DIR [flags]',
    'robustart corrupt --in DIR --preview FILE.png [flags]',
    'robustart corrupt --in DIR --out DIR --imagenet-p [--perturbations LIST]',
    '',
    '  --in DIR              clean images (class folders of images, e.g. ImageNet val)',
    '  --out DIR             output tree DIR/<corruption>/<severity>/<class>/<file> (JPEG q85);',
    '                        files already there are skipped, so an interrupted run resumes',
    '  --corruptions LIST    all | main | extra | comma list (default all: 15 main + 4 extra)',
    '  --severities LIST     1-5 | 3 | 1,3,5 (default 1-5)',
    '  --seed S              seed of every random draw (default 0)',
    `  --workers N           ${WORKERS_HELP}`,
    '  --frost SOURCE        photographs (default: the six reference photographs, as ImageNet-C) | procedural',
    '  --frost-dir DIR       your own frost photographs to blend instead of the reference ones',
    '  --elastic VARIANT     original (default: make_imagenet_c.py, random affine first) | imagecorruptions',
    '  --preview FILE.png    write a contact sheet (corruption x severity) of the first images',
    '  --preview-images N    images in the contact sheet (default 2)',
    '  --imagenet-p          write ImageNet-P sequences instead: DIR/<perturbation>/<class>/<stem>/00..30.JPEG (translate 00..40)',
    '  --perturbations LIST  all | main | comma list of translate, rotate, ... (default all: 10 main + 4 extra)',
    `  pipeline: resize shorter side to ${IMAGENET_C_PIPELINE.resize}, centre crop ${IMAGENET_C_PIPELINE.crop}, corrupt, JPEG quality ${IMAGENET_C_PIPELINE.jpegQuality}`,
  ].join('\n'),
  options: {
    in: { type: 'string' },
    out: { type: 'string' },
    corruptions: { type: 'string' },
    severities: { type: 'string' },
    seed: { type: 'string' },
    workers: { type: 'string' },
    frost: { type: 'string' },
    'frost-dir': { type: 'string' },
    elastic: { type: 'string' },
    preview: { type: 'string' },
    'preview-images': { type: 'string' },
    'imagenet-p': { type: 'boolean' },
    perturbations: { type: 'string' },
  },
  async run(values) {
    const inDir = requireFlag(values, 'in', 'corrupt');
    const outDir = stringFlag(values, 'out');
    const preview = stringFlag(values, 'preview');
    if (!outDir && !preview) throw new RobustartError('robustart corrupt: pass --out DIR (the ImageNet-C tree) and/or --preview FILE.png; see robustart corrupt --help');
    const corruptions = parseCorruptionList(stringFlag(values, 'corruptions') ?? 'all');
    const severities = parseSeverityList(stringFlag(values, 'severities') ?? '1-5');
    const seed = numberFlag(values, 'seed', 0, { min: 0, integer: true });
    const workers = numberFlag(values, 'workers', defaultWorkers(), { min: 0, integer: true });
    const frostDir = stringFlag(values, 'frost-dir');
    const { frost, elastic } = checkCorruptionVariants(stringFlag(values, 'frost'), stringFlag(values, 'elastic'));
    if (frostDir && frost === 'procedural') throw new RobustartError('robustart corrupt: --frost-dir gives frost photographs and --frost procedural the procedural textures; pass one');
    const frostTextures = frostDir ? await loadFrostTextures(frostDir) : undefined;
    const corruptionOptions: CorruptionOptions = { ...(frostTextures ? { frostTextures } : {}), frost, elastic };

    if (preview) {
      const count = numberFlag(values, 'preview-images', 2, { min: 1, integer: true });
      const names = (await listImages(inDir)).slice(0, count);
      if (names.length === 0) throw new RobustartError(`no images found under ${inDir}; pass --in a folder of class folders of images`);
      const sources = [];
      for (const name of names) sources.push({ name, image: await loadCleanImage(join(inDir, ...name.split('/'))) });
      const png = await contactSheet(sources, { corruptions, severities, seed, corruptionOptions });
      await writeFile(preview, png);
      process.stdout.write(`contact sheet of ${sources.length} image(s) x ${corruptions.length} corruptions x ${severities.length} severities: ${preview}\n`);
    }
    if (outDir && values['imagenet-p']) {
      const list = stringFlag(values, 'perturbations') ?? 'all';
      const perturbations = list === 'all' ? [...ALL_PERTURBATIONS] : list === 'main' ? [...PERTURBATIONS] : list.split(',').map((p) => checkPerturbation(p.trim()));
      const bar = progressBar();
      const result = await generateImageNetP({ inDir, outDir, perturbations, seed, workers, onProgress: (done, total) => bar({ done, total, label: 'imagenet-p' }) });
      bar.end();
      process.stdout.write(`${outDir}: wrote ${result.written} sequences in ${result.seconds.toFixed(1)} s (${result.existing} of ${result.total} already present)\n`);
      reportSkipped(result.skipped);
      return;
    }
    if (outDir) {
      const bar = progressBar();
      const result = await generateImageNetC({ inDir, outDir, corruptions, severities, seed, workers, corruptionOptions, onProgress: (done, total) => bar({ done, total, label: 'corrupt' }) });
      bar.end();
      const { plan } = result;
      process.stdout.write(`${outDir}: wrote ${result.written} images in ${result.seconds.toFixed(1)} s (${plan.existing} of ${plan.total} already present); ${plan.jobs.length} source images to do, ${corruptions.length} corruptions x ${severities.length} severities\n`);
      reportSkipped(result.skipped);
    }
  },
};

function reportSkipped(skipped: readonly string[]): void {
  if (skipped.length === 0) return;
  process.stderr.write(`skipped ${skipped.length} source image(s) that could not be decoded:\n`);
  for (const reason of skipped.slice(0, 10)) process.stderr.write(`  ${reason}\n`);
  if (skipped.length > 10) process.stderr.write(`  ... and ${skipped.length - 10} more\n`);
}

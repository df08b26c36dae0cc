// Writing an ImageNet-C-style tree: out/<corruption>/<severity>/<class>/<file>, with the original pipeline
// (spec natural-noise.md): decode -> resize shorter side to 256 -> centre crop 224 -> corrupt -> 8-bit (numpy
// uint8 truncation, as make_imagenet_c.py saves) -> JPEG quality 85. Resumable: outputs that exist are skipped and
// every file is written to a temporary name and renamed, so an interrupted run never leaves a truncated image.
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative as relativePath, sep } from 'node:path';
import { workerThreads, sharp } from '../../util/native.js';
import type { FloatImage, RgbImage } from '../../data/image.js';
import { toFloatImage } from '../../data/image.js';
import { decodeImage, UndecodableImageError } from '../../data/decode.js';
import { resizeAndCrop, resizedSize } from '../../data/preprocess.js';
import { modelResizer } from '../../data/resize.js';
import { RobustartError } from '../../errors.js';
import { hashString, rngFor, type Rng } from '../../util/rng.js';
import { getCorruption } from './registry.js';
import { ALL_PERTURBATIONS, frameCount, perturbationFrame, type Perturbation } from './imagenet-p.js';
import type { CorruptionOptions, Severity } from './types.js';

/** The ImageNet-C generation pipeline's constants (make_imagenet_c.py). */
export const IMAGENET_C_PIPELINE = { resize: 256, crop: 224, jpegQuality: 85 } as const;

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.bmp', '.gif', '.avif', '.heic']);

export interface PlannedOutput {
  readonly corruption: string;
  readonly severity: Severity;
  readonly path: string;
}

/** One source image and the outputs still to write for it. */
export interface SourceJob {
  readonly input: string;
  /** Path relative to the input root with '/' separators: names the output and keys the random stream. */
  readonly relative: string;
  readonly outputs: readonly PlannedOutput[];
}

/** Image files under `root`, relative, sorted (so the plan and the seeds do not depend on directory order). */
export async function listImages(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string) => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      throw new RobustartError(`cannot read input folder ${dir}: ${(err as Error).message.split('\n')[0]}; the input must be a folder of class folders of images`);
    }
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile() && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase())) found.push(relativePath(root, full).split(sep).join('/'));
    }
  };
  await walk(root);
  return found.sort();
}

/** out/<corruption>/<severity>/<relative>, with a JPEG extension (the file is JPEG whatever the source was). */
export function outputPath(outDir: string, corruption: string, severity: Severity, relative: string): string {
  const ext = extname(relative);
  const jpegName = /^\.(jpe?g)$/i.test(ext) ? relative : `${relative.slice(0, relative.length - ext.length)}.JPEG`;
  return join(outDir, corruption, String(severity), ...jpegName.split('/'));
}

/**
 * Which output files exist, one directory listing per folder (a resumed run over ImageNet's 50,000 images x 95
 * outputs would otherwise stat millions of paths). Outputs are renamed into place complete, so presence suffices.
 */
class ExistingFiles {
  private readonly listings = new Map<string, Promise<Set<string>>>();

  async has(path: string): Promise<boolean> {
    const dir = dirname(path);
    let listing = this.listings.get(dir);
    if (!listing) {
      listing = readdir(dir).then(
        (names) => new Set(names),
        () => new Set<string>(),
      );
      this.listings.set(dir, listing);
    }
    return (await listing).has(basename(path));
  }
}

export interface ImageNetCPlan {
  readonly jobs: SourceJob[];
  /** Outputs in the whole tree. */
  readonly total: number;
  /** Outputs already on disk (skipped). */
  readonly existing: number;
}

export async function planImageNetC(inDir: string, outDir: string, corruptions: readonly string[], severities: readonly Severity[]): Promise<ImageNetCPlan> {
  const images = await listImages(inDir);
  if (images.length === 0) throw new RobustartError(`no images found under ${inDir}; the input must be a folder of class folders of images (jpg, png, ...)`);
  const jobs: SourceJob[] = [];
  const present = new ExistingFiles();
  let total = 0;
  let existing = 0;
  for (const relative of images) {
    const outputs: PlannedOutput[] = [];
    for (const corruption of corruptions) {
      for (const severity of severities) {
        total++;
        const path = outputPath(outDir, corruption, severity, relative);
        if (await present.has(path)) existing++;
        else outputs.push({ corruption, severity, path });
      }
    }
    if (outputs.length > 0) jobs.push({ input: join(inDir, ...relative.split('/')), relative, outputs });
  }
  return { jobs, total, existing };
}

/** The random stream of one (image, corruption, severity): independent of worker assignment and run order. */
export function sampleRng(seed: number, corruption: string, severity: Severity, relative: string): Rng {
  return rngFor(seed, hashString(corruption), severity, hashString(relative));
}

/** Decode -> resize shorter side to 256 -> centre crop 224, as the ImageNet-C pipeline (bilinear, like PIL's default). */
export async function loadCleanImage(path: string): Promise<FloatImage> {
  const bytes = await readFile(path);
  const rgb = await decodeImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
  const { resize, crop } = IMAGENET_C_PIPELINE;
  const cropped = await resizeAndCrop(rgb, { input_size: [3, crop, crop], crop_pct: crop / resize, interpolation: 'bilinear' }, modelResizer('bilinear'));
  return toFloatImage(cropped);
}

/** Decode -> resize shorter side to 256, no crop (the context ImageNet-P's geometric frames move into the crop). */
export async function loadResizedImage(path: string): Promise<FloatImage> {
  const bytes = await readFile(path);
  const rgb = await decodeImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
  const size = resizedSize(rgb.width, rgb.height, IMAGENET_C_PIPELINE.resize);
  const resized = size.width === rgb.width && size.height === rgb.height ? rgb : await modelResizer('bilinear').resize(rgb, size.width, size.height);
  return toFloatImage(resized);
}

/** numpy's uint8 cast of the clipped float image times 255: truncation, as the reference saves its output. */
export function toUint8Truncated(image: FloatImage): RgbImage {
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = image.data[i] * 255;
    data[i] = v >= 255 ? 255 : v > 0 ? Math.floor(v) : 0;
  }
  return { width: image.width, height: image.height, data };
}

export async function encodeDatasetJpeg(image: RgbImage): Promise<Buffer> {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).jpeg({ quality: IMAGENET_C_PIPELINE.jpegQuality, chromaSubsampling: '4:2:0' }).toBuffer();
}

/** Writes `bytes` to `path` through a temporary file and a rename, creating folders as needed. */
export async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}-${workerThreads.threadId}.tmp`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (err) {
    await unlink(temporary).catch(() => undefined);
    throw err;
  }
}

/** What one source image produced: files written, or why it was skipped (an image that cannot be decoded). */
export interface SourceResult {
  readonly written: number;
  readonly skipped?: string;
}

/** Produces every planned output of one source image; an undecodable source is skipped, not fatal. */
export async function corruptSourceFile(job: SourceJob, seed: number, options?: CorruptionOptions): Promise<SourceResult> {
  let clean: FloatImage;
  try {
    clean = await loadCleanImage(job.input);
  } catch (err) {
    if (err instanceof UndecodableImageError) return { written: 0, skipped: err.message };
    throw err;
  }
  let written = 0;
  for (const output of job.outputs) {
    const corrupted = await getCorruption(output.corruption).apply(clean, output.severity, sampleRng(seed, output.corruption, output.severity, job.relative), options);
    await writeAtomically(output.path, await encodeDatasetJpeg(toUint8Truncated(corrupted)));
    written++;
  }
  return { written };
}

/** One source image and the ImageNet-P sequences still to write for it (a folder of 31 frames each). */
export interface SequenceJob {
  readonly input: string;
  readonly relative: string;
  readonly sequences: readonly { readonly perturbation: Perturbation; readonly dir: string }[];
}

/** out/<perturbation>/<class>/<file stem>/ — frames 00.JPEG .. 30.JPEG (40 for translate) inside. */
export function sequenceDir(outDir: string, perturbation: Perturbation, relative: string): string {
  const ext = extname(relative);
  return join(outDir, perturbation, ...relative.slice(0, relative.length - ext.length).split('/'));
}

export function framePath(dir: string, j: number): string {
  return join(dir, `${String(j).padStart(2, '0')}.JPEG`);
}

/** A sequence is done when its last frame exists (frames are written in order, each atomically). */
export async function planImageNetP(inDir: string, outDir: string, perturbations: readonly Perturbation[] = ALL_PERTURBATIONS): Promise<{ jobs: SequenceJob[]; total: number; existing: number }> {
  const images = await listImages(inDir);
  if (images.length === 0) throw new RobustartError(`no images found under ${inDir}; the input must be a folder of class folders of images (jpg, png, ...)`);
  const jobs: SequenceJob[] = [];
  const present = new ExistingFiles();
  let total = 0;
  let existing = 0;
  for (const relative of images) {
    const sequences = [];
    for (const perturbation of perturbations) {
      total++;
      const dir = sequenceDir(outDir, perturbation, relative);
      if (await present.has(framePath(dir, frameCount(perturbation) - 1))) existing++;
      else sequences.push({ perturbation, dir });
    }
    if (sequences.length > 0) jobs.push({ input: join(inDir, ...relative.split('/')), relative, sequences });
  }
  return { jobs, total, existing };
}

/** Writes the planned sequences of one source image (written = sequences); an undecodable source is skipped. */
export async function perturbSourceFile(job: SequenceJob, seed: number): Promise<SourceResult> {
  // The reference moves the 256-resized image and crops 224 afterwards (make_imagenet_p.py).
  let resized: FloatImage;
  try {
    resized = await loadResizedImage(job.input);
  } catch (err) {
    if (err instanceof UndecodableImageError) return { written: 0, skipped: err.message };
    throw err;
  }
  const crop = { width: IMAGENET_C_PIPELINE.crop, height: IMAGENET_C_PIPELINE.crop };
  for (const { perturbation, dir } of job.sequences) {
    const sequenceSeed = rngFor(seed, hashString(perturbation), hashString(job.relative)).nextUint32();
    for (let j = 0; j < frameCount(perturbation); j++) {
      const frame = perturbationFrame(resized, perturbation, j, sequenceSeed, { crop });
      await writeAtomically(framePath(dir, j), await encodeDatasetJpeg(toUint8Truncated(frame)));
    }
  }
  return { written: job.sequences.length };
}

// Generating an ImageNet-C tree from a clean image folder: plan (skip existing outputs), then one job per
// source image on the worker pool (or in this thread when workers = 1), reporting progress per written file.
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { toFloatImage, type FloatImage } from '../../data/image.js';
import { decodeImage } from '../../data/decode.js';
import { RobustartError } from '../../errors.js';
import { corruptSourceFile, perturbSourceFile, planImageNetC, planImageNetP, type ImageNetCPlan, type SourceResult } from './imagenet-c.js';
import type { Perturbation } from './imagenet-p.js';
import { CorruptionPool } from './pool.js';
import type { Severity } from './types.js';

export interface GenerateOptions {
  readonly inDir: string;
  readonly outDir: string;
  readonly corruptions: readonly string[];
  readonly severities: readonly Severity[];
  readonly seed: number;
  /** Worker threads; 1 runs in this thread. */
  readonly workers: number;
  readonly frostTextures?: readonly FloatImage[];
  readonly onProgress?: (done: number, total: number) => void;
}

export interface GenerateResult {
  readonly plan: ImageNetCPlan;
  readonly written: number;
  /** Source images that could not be decoded, with the reason (their outputs are not written). */
  readonly skipped: readonly string[];
  readonly seconds: number;
}

export async function generateImageNetC(options: GenerateOptions): Promise<GenerateResult> {
  const start = performance.now();
  const plan = await planImageNetC(options.inDir, options.outDir, options.corruptions, options.severities);
  const todo = plan.total - plan.existing;
  let written = 0;
  let done = 0;
  const skipped: string[] = [];
  const report = (result: SourceResult, planned: number) => {
    written += result.written;
    done += planned;
    if (result.skipped) skipped.push(result.skipped);
    options.onProgress?.(done, todo);
  };
  options.onProgress?.(0, todo);
  const corruptionOptions = options.frostTextures && options.frostTextures.length > 0 ? { frostTextures: options.frostTextures } : undefined;
  if (options.workers <= 1 || plan.jobs.length <= 1) {
    for (const job of plan.jobs) report(await corruptSourceFile(job, options.seed, corruptionOptions), job.outputs.length);
  } else {
    const pool = new CorruptionPool({ workers: Math.min(options.workers, plan.jobs.length), frostTextures: options.frostTextures });
    try {
      await Promise.all(plan.jobs.map((job) => pool.run<SourceResult>({ kind: 'file', job, seed: options.seed }).then((r) => report(r, job.outputs.length))));
    } finally {
      await pool.close();
    }
  }
  return { plan, written, skipped, seconds: (performance.now() - start) / 1000 };
}

export interface GenerateSequencesOptions {
  readonly inDir: string;
  readonly outDir: string;
  readonly perturbations: readonly Perturbation[];
  readonly seed: number;
  readonly workers: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** ImageNet-P to disk: out/<perturbation>/<class>/<stem>/00..30.JPEG, same pipeline and resumability. */
export async function generateImageNetP(options: GenerateSequencesOptions): Promise<{ total: number; existing: number; written: number; skipped: readonly string[]; seconds: number }> {
  const start = performance.now();
  const plan = await planImageNetP(options.inDir, options.outDir, options.perturbations);
  const todo = plan.total - plan.existing;
  let written = 0;
  let done = 0;
  const skipped: string[] = [];
  const report = (result: SourceResult, planned: number) => {
    written += result.written;
    done += planned;
    if (result.skipped) skipped.push(result.skipped);
    options.onProgress?.(done, todo);
  };
  options.onProgress?.(0, todo);
  if (options.workers <= 1 || plan.jobs.length <= 1) {
    for (const job of plan.jobs) report(await perturbSourceFile(job, options.seed), job.sequences.length);
  } else {
    const pool = new CorruptionPool({ workers: Math.min(options.workers, plan.jobs.length) });
    try {
      await Promise.all(plan.jobs.map((job) => pool.run<SourceResult>({ kind: 'sequences', job, seed: options.seed }).then((r) => report(r, job.sequences.length))));
    } finally {
      await pool.close();
    }
  }
  return { total: plan.total, existing: plan.existing, written, skipped, seconds: (performance.now() - start) / 1000 };
}

/** Frost photographs for --frost-dir: every image in the folder, decoded at full size. */
export async function loadFrostTextures(dir: string): Promise<FloatImage[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /^\.(png|jpe?g|webp)$/i.test(extname(n))).sort();
  } catch {
    throw new RobustartError(`cannot read --frost-dir ${dir}; pass a folder of frost photographs (png or jpg)`);
  }
  if (names.length === 0) throw new RobustartError(`--frost-dir ${dir} has no png or jpg images; pass a folder of frost photographs`);
  const textures: FloatImage[] = [];
  for (const n of names) {
    const bytes = await readFile(join(dir, n));
    textures.push(toFloatImage(await decodeImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), join(dir, n))));
  }
  return textures;
}

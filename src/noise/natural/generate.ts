// Generating an ImageNet-C tree from a clean image folder: plan (skip existing outputs), then one job per
// source image on the worker pool (or in this thread when workers = 0), reporting progress per written file.
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { toFloatImage, type FloatImage } from '../../data/image.js';
import { decodeImage } from '../../data/decode.js';
import { RobustartError } from '../../errors.js';
import { corruptSourceFile, perturbSourceFile, planImageNetC, planImageNetP, type ImageNetCPlan, type SourceResult } from './imagenet-c.js';
import type { Perturbation } from './imagenet-p.js';
import { CorruptionPool } from './pool.js';
import type { CorruptionOptions, Severity } from './types.js';

export interface GenerateOptions {
  readonly inDir: string;
  readonly outDir: string;
  readonly corruptions: readonly string[];
  readonly severities: readonly Severity[];
  readonly seed: number;
  /** Worker threads; 1 runs in this thread. */
  readonly workers: number;
  /** The user's frost photographs, frost source, elastic variant (default: shipped photographs, original elastic). */
  readonly corruptionOptions?: CorruptionOptions;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface GenerateResult {
  readonly plan: ImageNetCPlan;
  readonly written: number;
  /** Source images that could not be decoded, with the reason (their outputs are not written). */
  readonly skipped: readonly string[];
  readonly seconds: number;
}

/** How one kind of job runs: in this thread, or as a request to a pool worker; and how many files it writes. */
interface JobRunner<J> {
  readonly local: (job: J) => Promise<SourceResult>;
  readonly remote: (pool: CorruptionPool, job: J) => Promise<SourceResult>;
  readonly outputs: (job: J) => number;
}

/** Runs every job (in this thread when workers = 0: workers are threads besides this one), counting written files, skipped sources and progress. */
async function runJobs<J>(jobs: readonly J[], todo: number, workers: number, runner: JobRunner<J>, onProgress?: (done: number, total: number) => void, corruptionOptions?: CorruptionOptions): Promise<{ written: number; skipped: string[] }> {
  let written = 0;
  let done = 0;
  const skipped: string[] = [];
  const report = (result: SourceResult, job: J) => {
    written += result.written;
    done += runner.outputs(job);
    if (result.skipped) skipped.push(result.skipped);
    onProgress?.(done, todo);
  };
  onProgress?.(0, todo);
  if (workers < 1 || jobs.length <= 1) {
    for (const job of jobs) report(await runner.local(job), job);
  } else {
    const pool = new CorruptionPool({ workers: Math.min(workers, jobs.length), corruptionOptions });
    try {
      await Promise.all(jobs.map((job) => runner.remote(pool, job).then((r) => report(r, job))));
    } finally {
      await pool.close();
    }
  }
  return { written, skipped };
}

export async function generateImageNetC(options: GenerateOptions): Promise<GenerateResult> {
  const start = performance.now();
  const plan = await planImageNetC(options.inDir, options.outDir, options.corruptions, options.severities);
  const { written, skipped } = await runJobs(
    plan.jobs,
    plan.total - plan.existing,
    options.workers,
    {
      local: (job) => corruptSourceFile(job, options.seed, options.corruptionOptions),
      remote: (pool, job) => pool.run<SourceResult>({ kind: 'file', job, seed: options.seed }),
      outputs: (job) => job.outputs.length,
    },
    options.onProgress,
    options.corruptionOptions,
  );
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
  const { written, skipped } = await runJobs(
    plan.jobs,
    plan.total - plan.existing,
    options.workers,
    {
      local: (job) => perturbSourceFile(job, options.seed),
      remote: (pool, job) => pool.run<SourceResult>({ kind: 'sequences', job, seed: options.seed }),
      outputs: (job) => job.sequences.length,
    },
    options.onProgress,
  );
  return { total: plan.total, existing: plan.existing, written, skipped, seconds: (performance.now() - start) / 1000 };
}

/** The user's frost photographs: every image in the folder, decoded at full size. */
export async function loadFrostTextures(dir: string): Promise<FloatImage[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /^\.(png|jpe?g|webp)$/i.test(extname(n))).sort();
  } catch {
    throw new RobustartError(`cannot read the frost photograph folder ${dir}; give a folder of frost photographs (png or jpg)`);
  }
  if (names.length === 0) throw new RobustartError(`frost photograph folder ${dir} has no png or jpg images; give a folder of frost photographs`);
  const textures: FloatImage[] = [];
  for (const n of names) {
    const bytes = await readFile(join(dir, n));
    textures.push(toFloatImage(await decodeImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), join(dir, n))));
  }
  return textures;
}

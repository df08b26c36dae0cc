// Natural noise (spec natural-noise.md, metrics.md): every ImageNet-C corruption x severity applied on the fly to
// the clean dataset (no images written), plus optionally ImageNet-P perturbation sequences. Summaries: mCE,
// relative mCE and CE per corruption (AlexNet-normalised), mean error of the extra corruptions; with ImageNet-P,
// flip probability and top-5 distance per perturbation and their means (mFP, mT5D; raw, since the AlexNet
// ImageNet-P table is not yet in the spec).
//
// Options (suiteOptions): corruptions = all | main | extra | comma list (default all; main with imagenet-c),
// severities = 1-5 | list, imagenet-c = DIR to read a pre-made ImageNet-C tree instead of corrupting on the fly,
// frost = photographs | procedural (default: the shipped reference photographs), frost-dir = DIR of your own frost
// photographs instead, elastic = original | imagecorruptions (default original, make_imagenet_c.py's); the
// variants are resolved into the recorded options, so they are part of the run's identity,
// imagenet-p = true to add the sequences, perturbations = all | main | comma list.
import { RobustartError } from '../../errors.js';
import type { FloatImage } from '../../data/image.js';
import type { ClassificationMetrics } from '../../metrics/classification.js';
import { MCE_CORRUPTIONS, summarizeCorruptionErrors } from '../../metrics/corruption.js';
import { flipProbability, meanTopFiveDistance } from '../../metrics/perturbation.js';
import { ALL_PERTURBATIONS, NOISE_LIKE, PERTURBATIONS, checkPerturbation, frameCount, perturbationFrame, type Perturbation } from '../../noise/natural/imagenet-p.js';
import { corruptionNoise, isBuiltInCorruption, parseCorruptionList, parseSeverityList } from '../../noise/natural/registry.js';
import { loadFrostTextures } from '../../noise/natural/generate.js';
import { CorruptionPool, pooledCorruptionNoise } from '../../noise/natural/pool.js';
import { defaultWorkers } from '../../util/workers.js';
import { checkCorruptionVariants, ELASTIC_VARIANTS, FROST_SOURCES, type CorruptionOptions } from '../../noise/natural/types.js';
import type { ImageNoise, Resizer } from '../../data/seams.js';
import { IMAGENET_C_PIPELINE, outputPath } from '../../noise/natural/imagenet-c.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SampleRecord } from '../../store/store.js';
import { hashString, rngFor } from '../../util/rng.js';
import { CLEAN, type Condition, type ConditionMeta } from '../condition.js';
import type { Suite, SuiteContext } from '../suite.js';
import { z, lazyValue } from '../../util/native.js';
import { booleanOption, checkedBy, commaListOption, parseOptions } from '../../util/options.js';

/** The natural suite's options: what the CLI's flags, help and validation derive from. */
export const naturalOptions = lazyValue(() =>
  z.object({
    corruptions: commaListOption().superRefine(checkedBy(parseCorruptionList)).optional().describe('corruption names, comma-separated, or all | main | extra (default all 19; main with imagenet-c)'),
    severities: commaListOption().superRefine(checkedBy(parseSeverityList, 'severities 1 to 5 as a range or list, e.g. 1-5, 3 or 1,3,5')).optional().describe('e.g. 1-5 or 1,3,5 (default 1-5)'),
    'imagenet-p': booleanOption().optional().describe('add ImageNet-P perturbation sequences (flip probability, mT5D)'),
    perturbations: commaListOption().superRefine(checkedBy(perturbationList)).optional().describe('which ImageNet-P types, comma-separated, all or main (default all)'),
    'imagenet-c': z.string().min(1).optional().describe('folder of a pre-made ImageNet-C tree (<dir>/<corruption>/<severity>/...) read instead of corrupting on the fly'),
    frost: z.enum(FROST_SOURCES).optional().describe('frost source: photographs (default: the six reference photographs, as ImageNet-C) | procedural'),
    'frost-dir': z.string().min(1).optional().describe('folder of your own frost photographs to blend instead of the reference ones'),
    elastic: z.enum(ELASTIC_VARIANTS).optional().describe('elastic_transform variant: original (default: make_imagenet_c.py, random affine first) | imagecorruptions'),
  }),
);

/** Condition names: "<corruption>/<severity>" and "imagenet-p/<perturbation>/<frame>". */
export const IMAGENET_P_PREFIX = 'imagenet-p/';

function listOption(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.join(',') : String(value);
}

export function perturbationList(value: unknown): Perturbation[] {
  const text = listOption(value) ?? 'all';
  if (text === 'all') return [...ALL_PERTURBATIONS];
  if (text === 'main') return [...PERTURBATIONS];
  return text.split(',').map((s) => checkPerturbation(s.trim()));
}

/** FNV-1a over a strided sample of the pixels: the key of an image's sequence. */
function contentKey(image: FloatImage): number {
  const bits = new Uint32Array(image.data.buffer, image.data.byteOffset, image.data.length);
  const step = Math.max(1, Math.floor(bits.length / 4096));
  let h = 0x811c9dc5 ^ image.width ^ (image.height << 16);
  for (let i = 0; i < bits.length; i += step) h = Math.imul(h ^ bits[i], 0x01000193);
  return h >>> 0;
}

/**
 * Frame j of a perturbation as an ImageNoise. The evaluation loop gives each condition its own stream, but the
 * frames of one image's sequence must share their random layers (falling snow, spatter), so the sequence seed
 * comes from the suite seed and the clean image itself, which every frame condition receives unchanged.
 */
export function sequenceFrameNoise(type: Perturbation, j: number, seed: number): ImageNoise {
  return {
    name: `${IMAGENET_P_PREFIX}${type}/${String(j).padStart(2, '0')}`,
    apply: (image) => perturbationFrame(image, type, j, rngFor(seed, hashString(type), contentKey(image)).nextUint32()),
  };
}

/** The ImageNet-C evaluation pipeline only centre-crops the stored 224x224 images: no resize before the crop. */
export const KEEP_SIZE: Resizer = { name: 'keep-size', resize: (image) => image };

/**
 * Clean + every corruption x severity, on the fly; or, with imagenet-c=DIR, read from a pre-made tree
 * DIR/<corruption>/<severity>/<sample id> (JPEG names as `robustart corrupt` and hendrycks' release write them).
 * `inputSize` is the model's [C, H, W]: a 224x224 model sees the tree's images centre-cropped only, as the
 * ImageNet-C evaluation does; other sizes go through the model's usual resize and crop.
 */
export function naturalConditions(options: Record<string, unknown>, seed: number, inputSize?: readonly [number, number, number], corruptionOptions?: CorruptionOptions, pool?: CorruptionPool): Condition[] {
  const o = parseOptions(naturalOptions, options, 'suite natural');
  const tree = o['imagenet-c'];
  const corruptions = parseCorruptionList(o.corruptions ?? (tree !== undefined ? 'main' : 'all'));
  const severities = parseSeverityList(o.severities ?? '1-5');
  const conditions: Condition[] = [CLEAN];
  if (tree !== undefined) {
    if (typeof tree !== 'string' || tree === '') throw new RobustartError('natural suite: imagenet-c must be the folder of an ImageNet-C tree (<dir>/<corruption>/<severity>/<class>/<file>)');
    if (!existsSync(tree)) throw new RobustartError(`ImageNet-C folder ${tree} does not exist; pass the folder holding <corruption>/<severity>/<class>/<file>`);
    const missing = corruptions.flatMap((c) => severities.filter((s) => !existsSync(join(tree, c, String(s)))).map((s) => `${c}/${s}`));
    if (missing.length > 0) {
      const shown = missing.length > 12 ? `${missing.slice(0, 12).join(', ')} and ${missing.length - 12} more` : missing.join(', ');
      throw new RobustartError(`ImageNet-C folder ${tree} lacks ${missing.length} of the ${corruptions.length * severities.length} corruption/severity folders it needs: ${shown}; generate them (robustart corrupt) or choose corruptions and severities that exist`);
    }
    const cropOnly = inputSize !== undefined && inputSize[1] === IMAGENET_C_PIPELINE.crop && inputSize[2] === IMAGENET_C_PIPELINE.crop;
    for (const c of corruptions) {
      for (const s of severities) {
        conditions.push({ name: `${c}/${s}`, meta: { kind: 'corruption', corruption: c, severity: s }, samplePath: (sample) => outputPath(tree, c, s, sample.id), ...(cropOnly ? { resizer: KEEP_SIZE } : {}) });
      }
    }
    return conditions;
  }
  for (const c of corruptions) {
    for (const s of severities) conditions.push({ name: `${c}/${s}`, meta: { kind: 'corruption', corruption: c, severity: s }, imageNoise: pool && isBuiltInCorruption(c) ? pooledCorruptionNoise(pool, c, s) : corruptionNoise(c, s, corruptionOptions) });
  }
  if (o['imagenet-p']) {
    for (const type of perturbationList(o.perturbations)) {
      for (let j = 0; j < frameCount(type); j++) {
        const noise = sequenceFrameNoise(type, j, seed);
        conditions.push({ name: noise.name, meta: { kind: 'perturbation', perturbation: type }, imageNoise: noise });
      }
    }
  }
  return conditions;
}

const pools = new Map<string, CorruptionPool>();

/**
/**
 * Corruptions run on the run's worker threads (default all cores but one, which runs the model) so they overlap
 * with inference; one pool per worker count and set of corruption options (frost folder and variants), kept for the
 * process (idle workers do not keep it alive). None with 0 workers.
 */
function corruptionPool(key: string, corruptionOptions: CorruptionOptions, workers: number): CorruptionPool | undefined {
  if (workers < 1) return undefined;
  const poolKey = `${workers}:${key}`;
  let pool = pools.get(poolKey);
  if (!pool) pools.set(poolKey, (pool = new CorruptionPool({ workers, corruptionOptions })));
  return pool;
}

/** The suite's options with the frost and elastic variants resolved (nothing to resolve with a pre-made tree). */
export function resolveNaturalOptions<O extends Record<string, unknown>>(options: O): O & { readonly frost?: unknown; readonly elastic?: unknown } {
  if (options['imagenet-c'] !== undefined) return options;
  const { frost, elastic } = checkCorruptionVariants(options.frost, options.elastic);
  const frostDir = options['frost-dir'];
  if (frost === 'procedural' && typeof frostDir === 'string' && frostDir !== '') throw new RobustartError('natural suite: frost-dir gives frost photographs, frost=procedural asks for the procedural textures; choose one');
  return { ...options, frost, elastic };
}

/** The corruption and severity of a condition: from its meta, or (a stored run read back without it) its name. */
function corruptionOf(name: string, meta: ConditionMeta | undefined): { corruption: string; severity: number } | undefined {
  if (meta) return meta.kind === 'corruption' ? meta : undefined;
  const m = /^([a-z_]+)\/([1-5])$/.exec(name);
  return m ? { corruption: m[1], severity: Number(m[2]) } : undefined;
}

/**
 * mCE and friends from per-condition top-1 accuracies ("clean", "<corruption>/<severity>"). `meta`: the
 * conditions' metadata by name (what the suite passes); without it the names are read.
 */
export function corruptionSummary(top1: ReadonlyMap<string, number>, meta?: ReadonlyMap<string, ConditionMeta>): Record<string, number | null> {
  const table: Record<string, number[]> = {};
  for (const [name, accuracy] of top1) {
    const c = corruptionOf(name, meta?.get(name));
    if (!c) continue;
    (table[c.corruption] ??= [0, 0, 0, 0, 0].map(() => NaN))[c.severity - 1] = 1 - accuracy;
  }
  // Severities not evaluated drop out (CE then needs all five and is left out; the mean error stays).
  for (const c of Object.keys(table)) table[c] = table[c].filter((e) => Number.isFinite(e));
  const clean = top1.get('clean');
  const summary = summarizeCorruptionErrors(table, clean === undefined ? undefined : 1 - clean);
  const out: Record<string, number | null> = { mCE: summary.mCE, relative_mCE: summary.relativeMCE, clean_error: clean === undefined ? null : 1 - clean };
  if (summary.subset) {
    out.mCE_subset = summary.subset.mCE;
    out.relative_mCE_subset = summary.subset.relativeMCE;
    out.mCE_subset_corruptions = summary.subset.corruptions.length;
  }
  for (const [c, v] of Object.entries(summary.ce)) out[`CE/${c}`] = v;
  for (const [c, v] of Object.entries(summary.relativeCE)) out[`relative_CE/${c}`] = v;
  for (const [c, v] of Object.entries(summary.meanError)) out[`mean_error/${c}`] = v;
  return out;
}

/** Flip probability and top-5 distance per perturbation from the frame records. */
export function perturbationSummary(records: Iterable<SampleRecord>): Record<string, number | null> {
  // perturbation -> sample -> frame index -> top-5
  const frames = new Map<string, Map<string, (readonly number[] | undefined)[]>>();
  for (const r of records) {
    if (!r.noise.startsWith(IMAGENET_P_PREFIX) || r.status !== 'ok' || !r.top5) continue;
    const [type, frame] = r.noise.slice(IMAGENET_P_PREFIX.length).split('/');
    let bySample = frames.get(type);
    if (!bySample) frames.set(type, (bySample = new Map()));
    let seq = bySample.get(r.sampleId);
    if (!seq) bySample.set(r.sampleId, (seq = new Array(frameCount(checkPerturbation(type))).fill(undefined)));
    seq[Number(frame)] = r.top5;
  }
  const out: Record<string, number | null> = {};
  const fps: number[] = [];
  const t5ds: number[] = [];
  for (const [type, bySample] of frames) {
    const complete = [...bySample.values()].filter((seq) => seq.every((f) => f !== undefined)) as (readonly number[])[][];
    if (complete.length === 0) continue;
    const againstFirst = NOISE_LIKE.has(type as Perturbation);
    const fp = flipProbability(complete.map((seq) => seq.map((t) => t[0])), { againstFirst });
    const t5d = meanTopFiveDistance(complete, { againstFirst });
    out[`FP/${type}`] = fp;
    out[`T5D/${type}`] = t5d;
    fps.push(fp);
    t5ds.push(t5d);
  }
  if (fps.length > 0) {
    out.mFP = fps.reduce((a, b) => a + b, 0) / fps.length;
    out.mT5D = t5ds.reduce((a, b) => a + b, 0) / t5ds.length;
    // Means over the perturbations that ran, which this count states.
    out.perturbations_in_mFP = fps.length;
  }
  return out;
}

export const naturalSuite: Suite<typeof naturalOptions> = {
  name: 'natural',
  metricNotes: {
    mCE: `needs all ${MCE_CORRUPTIONS.length} × 5 (the AlexNet baseline averages every main corruption over five severities); see mCE_subset`,
    relative_mCE: `needs all ${MCE_CORRUPTIONS.length} × 5 and the clean condition; see relative_mCE_subset`,
    mCE_subset: 'needs at least one main corruption at all five severities',
    relative_mCE_subset: 'needs the clean condition',
  },
  options: naturalOptions,
  description: 'ImageNet-C corruptions x severities on the fly: mCE, relative mCE, CE per corruption; imagenet-p=true adds ImageNet-P sequences (mFP, mT5D)',
  resolveOptions: resolveNaturalOptions,
  async conditions(context: SuiteContext) {
    const options = resolveNaturalOptions(context.options);
    const frostDir = typeof options['frost-dir'] === 'string' ? options['frost-dir'] : '';
    const frostTextures = frostDir !== '' ? await loadFrostTextures(frostDir) : undefined;
    const { frost, elastic } = checkCorruptionVariants(options.frost, options.elastic);
    const corruptionOptions: CorruptionOptions = { ...(frostTextures ? { frostTextures } : {}), frost, elastic };
    const pool = corruptionPool(JSON.stringify([frostDir, frost, elastic]), corruptionOptions, context.workers ?? defaultWorkers());
    return naturalConditions(options, context.seed, context.model.metadata.input_size, corruptionOptions, pool);
  },
  summarize(perCondition: ReadonlyMap<string, ClassificationMetrics>, context: SuiteContext, records?: ReadonlyMap<string, readonly SampleRecord[]>) {
    const meta = context.conditions ? new Map(context.conditions.flatMap((c) => (c.meta ? [[c.name, c.meta] as const] : []))) : undefined;
    const summary = corruptionSummary(new Map([...perCondition].map(([name, m]) => [name, m.top1])), meta);
    // Only the ImageNet-P frame records are needed for mFP / mT5D.
    if (records) Object.assign(summary, perturbationSummary([...records].filter(([name]) => name.startsWith(IMAGENET_P_PREFIX)).flatMap(([, r]) => r)));
    return summary;
  },
};

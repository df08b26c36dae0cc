// The ImageNet-C corruptions by name: one way in for the CLI, the evaluation suite and the bench.
// Order, groups and the 15 main / 4 extra split follow ../../../shared/spec/natural-noise.md
// (Hendrycks & Dietterich 2019; the extra four are held out for validation).
import type { FloatImage } from '../../data/image.js';
import { RobustartError } from '../../errors.js';
import { Rng } from '../../util/rng.js';
import type { ImageNoise } from '../../data/seams.js';
import { GAUSSIAN_BLUR, GLASS_BLUR, MOTION_BLUR, ZOOM_BLUR, gaussianBlur, glassBlur, motionBlur, zoomBlur } from './blur.js';
import { DEFOCUS_BLUR, defocusBlur } from './defocus.js';
import { BRIGHTNESS, CONTRAST, PIXELATE, SATURATE, brightness, contrast, pixelate, saturate } from './digital.js';
import { ELASTIC_TRANSFORM_ORIGINAL, elasticTransform } from './elastic.js';
import { FROST, frost } from './frost.js';
import { JPEG_COMPRESSION, jpegCompression } from './jpeg.js';
import { GAUSSIAN_NOISE, IMPULSE_NOISE, SHOT_NOISE, SPECKLE_NOISE, gaussianNoise, impulseNoise, shotNoise, speckleNoise } from './noise.js';
import { SPATTER, spatter } from './spatter.js';
import { SEVERITIES, checkSeverity, type CorruptionOptions, type Severity } from './types.js';
import { InvalidOptionError, parseOptions, type OptionsSchema } from '../../util/options.js';

const SEVERITY_COUNT = SEVERITIES.length;
import { FOG, SNOW, fog, snow } from './weather.js';

export type CorruptionGroup = 'noise' | 'blur' | 'weather' | 'digital';

/**
 * A corruption: a name, its severity parameters and its function. Register it with `registerCorruption` to use it
 * by name (the natural suite's corruptions option, generateImageNetC). `options` declares extra options as a zod
 * schema (validated by `corruptionNoise`).
 */
export interface CorruptionInfo {
  readonly name: string;
  readonly group: CorruptionGroup;
  /** One of the four extra corruptions held out for validation (not in mCE). */
  readonly extra: boolean;
  /** The parameter row of each severity 1..5, as in the spec's table. */
  readonly parameters: readonly unknown[];
  readonly apply: (image: FloatImage, severity: Severity, rng: Rng, options?: CorruptionOptions) => FloatImage | Promise<FloatImage>;
  readonly options?: OptionsSchema;
}

const entry = (name: string, group: CorruptionGroup, extra: boolean, parameters: readonly unknown[], apply: CorruptionInfo['apply']): CorruptionInfo => ({ name, group, extra, parameters, apply });

export const CORRUPTIONS: readonly CorruptionInfo[] = [
  entry('gaussian_noise', 'noise', false, GAUSSIAN_NOISE, gaussianNoise),
  entry('shot_noise', 'noise', false, SHOT_NOISE, shotNoise),
  entry('impulse_noise', 'noise', false, IMPULSE_NOISE, impulseNoise),
  entry('defocus_blur', 'blur', false, DEFOCUS_BLUR, defocusBlur),
  entry('glass_blur', 'blur', false, GLASS_BLUR, glassBlur),
  entry('motion_blur', 'blur', false, MOTION_BLUR, motionBlur),
  entry('zoom_blur', 'blur', false, ZOOM_BLUR, zoomBlur),
  entry('snow', 'weather', false, SNOW, snow),
  entry('frost', 'weather', false, FROST, frost),
  entry('fog', 'weather', false, FOG, fog),
  entry('brightness', 'digital', false, BRIGHTNESS, brightness),
  entry('contrast', 'digital', false, CONTRAST, contrast),
  entry('elastic_transform', 'digital', false, ELASTIC_TRANSFORM_ORIGINAL, elasticTransform),
  entry('pixelate', 'digital', false, PIXELATE, pixelate),
  entry('jpeg_compression', 'digital', false, JPEG_COMPRESSION, jpegCompression),
  entry('speckle_noise', 'noise', true, SPECKLE_NOISE, speckleNoise),
  entry('gaussian_blur', 'blur', true, GAUSSIAN_BLUR, gaussianBlur),
  entry('spatter', 'weather', true, SPATTER, spatter),
  entry('saturate', 'digital', true, SATURATE, saturate),
];

const registered = new Map<string, CorruptionInfo>();

/** Makes a corruption usable by name. Built-ins register through this same call. */
export function registerCorruption(info: CorruptionInfo): CorruptionInfo {
  if (!/^[a-z0-9]+(_[a-z0-9]+)*$/.test(info.name)) throw new RobustartError(`corruption name '${info.name}' must be lower-case words joined by underscores, like gaussian_noise`);
  if (registered.has(info.name)) throw new RobustartError(`a corruption named ${info.name} is already registered; choose another name`);
  if (info.parameters.length !== SEVERITY_COUNT) throw new RobustartError(`corruption ${info.name} gives ${info.parameters.length} parameter rows; give one per severity 1 to ${SEVERITY_COUNT}`);
  registered.set(info.name, info);
  return info;
}

for (const c of CORRUPTIONS) registerCorruption(c);

/** Every registered corruption's name: the built-ins, then those registered from outside. */
export function corruptionNames(): string[] {
  return [...registered.keys()];
}

/** Whether a corruption is one of robustart's own (worker threads can rebuild those by name). */
export function isBuiltInCorruption(name: string): boolean {
  return CORRUPTIONS.some((c) => c.name === name);
}

export const CORRUPTION_NAMES: readonly string[] = CORRUPTIONS.map((c) => c.name);
/** The 15 corruptions of mCE, in the paper's order. */
export const MAIN_CORRUPTIONS: readonly string[] = CORRUPTIONS.filter((c) => !c.extra).map((c) => c.name);
export const EXTRA_CORRUPTIONS: readonly string[] = CORRUPTIONS.filter((c) => c.extra).map((c) => c.name);

export function getCorruption(name: string): CorruptionInfo {
  const found = registered.get(name);
  if (!found) throw new RobustartError(`unknown corruption '${name}'; choose from ${corruptionNames().join(', ')}`);
  return found;
}

/** Parses "all", "main", "extra" or a comma list of names. */
export function parseCorruptionList(text: string): string[] {
  const t = text.trim();
  if (t === 'all') return [...CORRUPTION_NAMES];
  if (t === 'main') return [...MAIN_CORRUPTIONS];
  if (t === 'extra') return [...EXTRA_CORRUPTIONS];
  const names = t.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new InvalidOptionError('natural noise', 'corruptions', text, 'all, main, extra or a comma list such as gaussian_noise,fog');
  for (const n of names) getCorruption(n);
  return names;
}

/** Parses "3", "1-5" or "1,3,5" into severities. */
export function parseSeverityList(text: string): Severity[] {
  const t = text.trim();
  const range = /^(\d)\s*-\s*(\d)$/.exec(t);
  const values = range ? Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i) : t.split(',').map((s) => Number(s.trim()));
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 1 || v > 5)) {
    throw new InvalidOptionError('natural noise', 'severities', text, 'severities 1 to 5 as a range or list, e.g. 1-5, 3 or 1,3,5');
  }
  return values.map((v) => checkSeverity(v));
}

/**
 * One corruption at one severity as the ImageNoise seam the evaluation pipeline takes ("fog/3"). The corruption
 * is seeded with the first 32 bits of the stream it is given, as its worker-pool twin (pool.ts) is.
 */
export function corruptionNoise(name: string, severity: Severity, options?: CorruptionOptions): ImageNoise {
  const info = getCorruption(name);
  checkSeverity(severity);
  if (info.options) options = parseOptions(info.options, options as Record<string, unknown> | undefined, `corruption ${name}`) as CorruptionOptions;
  return { name: `${name}/${severity}`, apply: (image, rng) => info.apply(image, severity, new Rng(rng.nextUint32()), options) };
}

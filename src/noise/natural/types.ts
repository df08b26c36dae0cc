// Shared shapes of the ImageNet-C corruptions: a pure function of (image, severity, rng).
import type { FloatImage } from '../../data/image.js';
import type { Rng } from '../../util/rng.js';
import { RobustartError } from '../../errors.js';

/** ImageNet-C severity level. */
export type Severity = 1 | 2 | 3 | 4 | 5;

export const SEVERITIES: readonly Severity[] = [1, 2, 3, 4, 5];

export interface CorruptionOptions {
  /** Frost photographs to blend instead of the shipped reference photographs. */
  readonly frostTextures?: readonly FloatImage[];
  /** frost: the reference photographs (default) or the procedural textures. */
  readonly frost?: (typeof FROST_SOURCES)[number];
  /** elastic_transform: make_imagenet_c.py's (random affine first; the default) or imagecorruptions'. */
  readonly elastic?: (typeof ELASTIC_VARIANTS)[number];
}

export const FROST_SOURCES = ['photographs', 'procedural'] as const;
export const ELASTIC_VARIANTS = ['original', 'imagecorruptions'] as const;

/** The frost and elastic variants named in options (defaults: the photographs, the original elastic). */
export function checkCorruptionVariants(frost: unknown, elastic: unknown): { frost: 'photographs' | 'procedural'; elastic: 'original' | 'imagecorruptions' } {
  const f = frost ?? 'photographs';
  const e = elastic ?? 'original';
  if (!(FROST_SOURCES as readonly unknown[]).includes(f)) throw new RobustartError(`frost source '${String(f)}' is unknown; choose ${FROST_SOURCES.join(' or ')}`);
  if (!(ELASTIC_VARIANTS as readonly unknown[]).includes(e)) throw new RobustartError(`elastic_transform variant '${String(e)}' is unknown; choose ${ELASTIC_VARIANTS.join(' or ')}`);
  return { frost: f as 'photographs' | 'procedural', elastic: e as 'original' | 'imagecorruptions' };
}

/** One corruption: returns a new image in [0,1]; every random draw comes from `rng`. */
export type Corruption = (image: FloatImage, severity: Severity, rng: Rng, options?: CorruptionOptions) => FloatImage;

export function checkSeverity(severity: number): Severity {
  if (!Number.isInteger(severity) || severity < 1 || severity > 5) throw new RobustartError(`severity ${severity} is not an integer in 1..5; pass a severity from 1 to 5`);
  return severity as Severity;
}

/** The parameter row for a severity from a table of five (one per severity). */
export function atSeverity<T>(table: readonly T[], severity: Severity): T {
  return table[checkSeverity(severity) - 1];
}

export function sameSize(image: FloatImage, data: Float32Array): FloatImage {
  return { width: image.width, height: image.height, data };
}

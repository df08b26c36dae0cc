// System noise (spec/metrics.md): the same images under every decoder x resizer combination, the model's own crop
// and normalisation kept fixed (timm: resize the shorter side to floor(input / crop_pct), centre crop; only the
// resize step is swapped). Reports accuracy per combination, mean, worst, NSD (standard deviation across
// combinations) and the fraction of samples whose prediction flips somewhere in the grid.
import { RobustartError } from '../../errors.js';
import { DECODERS, decoderByName } from '../../noise/system/decoders/index.js';
import { RESIZERS, resizerByName } from '../../noise/system/resizers/index.js';
import type { SampleRecord } from '../../store/store.js';
import type { ClassificationMetrics } from '../../metrics/classification.js';
import type { Condition } from '../condition.js';
import type { Suite } from '../suite.js';
import { maxOf, minOf } from '../../util/array.js';
import { z, lazyValue } from '../../util/native.js';
import { checkedBy, commaListOption } from '../../util/options.js';

/** Distinct decoding behaviours by default: libjpeg-turbo islow+fancy (sharp; skia, mozjpeg-wasm and djpeg-islow give
 * the same pixels), its ifast / float IDCTs and simple upsampling, jpeg-js and FFmpeg. */
export const DEFAULT_DECODERS = ['sharp', 'jpegjs', 'djpeg-ifast', 'djpeg-float', 'djpeg-islow-nosmooth', 'ffmpeg'];
export const DEFAULT_RESIZERS = RESIZERS.map((r) => r.name);

/** Separator between decoder and resizer in condition names ("jpegjs+pil-bilinear"). */
export const COMBINATION_SEPARATOR = '+';

function namesOption(value: unknown, fallback: readonly string[], what: string): string[] {
  if (value === undefined || value === null || value === 'default') return [...fallback];
  if (value === 'all') return what === 'decoders' ? DECODERS.map((d) => d.name) : RESIZERS.map((r) => r.name);
  const names = Array.isArray(value) ? value.map(String) : String(value).split(',');
  const cleaned = names.map((s) => s.trim()).filter(Boolean);
  if (cleaned.length === 0) throw new RobustartError(`system suite: option ${what} is empty; give names separated by commas, 'all' or 'default'`);
  return cleaned;
}

export function systemConditions(options: Record<string, unknown>): Condition[] {
  const decoders = namesOption(options.decoders, DEFAULT_DECODERS, 'decoders').map(decoderByName);
  const resizers = namesOption(options.resizers, DEFAULT_RESIZERS, 'resizers').map(resizerByName);
  // Decoder-major: evaluate() decodes each file once per decoder and batch, then resizes it for every resizer.
  const conditions: Condition[] = [];
  for (const decoder of decoders) {
    for (const resizer of resizers) conditions.push({ name: `${decoder.name}${COMBINATION_SEPARATOR}${resizer.name}`, meta: { kind: 'system', decoder: decoder.name, resizer: resizer.name }, decoder, resizer });
  }
  return conditions;
}

/** Population standard deviation (divide by n) of per-combination accuracies: robustart's NSD. */
export function nsd(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
}

/** Accuracy summary over combinations: mean, worst, best, NSD and the number of combinations. */
export function accuracySummary(top1ByCombination: ReadonlyMap<string, number>): Record<string, number> {
  const values = [...top1ByCombination.values()];
  return {
    combinations: values.length,
    mean_top1: values.reduce((a, b) => a + b, 0) / values.length,
    worst_top1: minOf(values),
    best_top1: maxOf(values),
    nsd: nsd(values),
  };
}

/**
 * Fraction of samples whose top-1 prediction is not the same under every combination. Only samples with a
 * prediction under all combinations count (a sample one decoder cannot read is left out).
 */
export function flipFraction(predictions: ReadonlyMap<string, ReadonlyMap<string, number>>): { flipFraction: number; samples: number } {
  const maps = [...predictions.values()];
  if (maps.length === 0) return { flipFraction: NaN, samples: 0 };
  let samples = 0;
  let flipped = 0;
  for (const [id, first] of maps[0]) {
    const preds = maps.map((m) => m.get(id));
    if (preds.some((p) => p === undefined)) continue;
    samples++;
    if (preds.some((p) => p !== first)) flipped++;
  }
  return { flipFraction: samples ? flipped / samples : NaN, samples };
}

/**
 * Decoders disagree on which images they can read (FFmpeg decodes a truncated JPEG that libjpeg-based decoders
 * refuse), so per-combination accuracies can be over different images. This compares them on the samples every
 * combination decoded, and counts the samples that only some decoded.
 */
export function commonSubsetSummary(records: ReadonlyMap<string, readonly SampleRecord[]>): Record<string, number> {
  const ok = new Map<string, Map<string, boolean>>();
  const everywhere = new Map<string, number>();
  const anywhere = new Set<string>();
  for (const [condition, list] of records) {
    const correct = new Map<string, boolean>();
    for (const r of list) {
      if (r.status !== 'ok' || !r.top5?.length) continue;
      correct.set(r.sampleId, r.top5[0] === r.label);
      everywhere.set(r.sampleId, (everywhere.get(r.sampleId) ?? 0) + 1);
      anywhere.add(r.sampleId);
    }
    ok.set(condition, correct);
  }
  const common = [...everywhere].filter(([, n]) => n === records.size).map(([id]) => id);
  const out: Record<string, number> = { decoded_by_some_only: anywhere.size - common.length, common_samples: common.length };
  if (common.length > 0 && anywhere.size > common.length) {
    const top1 = new Map([...ok].map(([condition, correct]) => [condition, common.filter((id) => correct.get(id)).length / common.length]));
    const summary = accuracySummary(top1);
    out.common_mean_top1 = summary.mean_top1;
    out.common_worst_top1 = summary.worst_top1;
    out.common_best_top1 = summary.best_top1;
    out.common_nsd = summary.nsd;
  }
  return out;
}

/** condition -> sample id -> top-1 class, from stored records. */
export function predictionsFromRecords(records: Iterable<SampleRecord>): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const r of records) {
    if (r.status !== 'ok' || !r.top5 || r.top5.length === 0) continue;
    let m = out.get(r.noise);
    if (!m) out.set(r.noise, (m = new Map()));
    m.set(r.sampleId, r.top5[0]);
  }
  return out;
}

/** The system suite's options: what the CLI's flags, help and validation derive from. */
export const systemOptions = lazyValue(() =>
  z.object({
    decoders: commaListOption().superRefine(checkedBy((v) => namesOption(v, DEFAULT_DECODERS, 'decoders').map(decoderByName))).optional().describe(`decoder variants, comma-separated, default or all (default: ${DEFAULT_DECODERS.join(', ')})`),
    resizers: commaListOption().superRefine(checkedBy((v) => namesOption(v, DEFAULT_RESIZERS, 'resizers').map(resizerByName))).optional().describe(`resizer variants, comma-separated, default or all (default: all ${DEFAULT_RESIZERS.length})`),
  }),
);

export const systemSuite: Suite<typeof systemOptions> = {
  name: 'system',
  options: systemOptions,
  description: 'decoder x resizer grid (system noise): accuracy per combination, mean, worst, NSD, prediction flip fraction',
  conditions: (context) => systemConditions(context.options),
  summarize(perCondition: ReadonlyMap<string, ClassificationMetrics>, _context, records?: ReadonlyMap<string, readonly SampleRecord[]>) {
    const top1 = new Map([...perCondition].map(([name, m]) => [name, m.top1]));
    const summary: Record<string, number | null> = accuracySummary(top1);
    // The flip fraction needs per-sample predictions; evaluate() passes the records when it has them.
    if (records) {
      const flips = flipFraction(predictionsFromRecords([...records.values()].flat()));
      summary.flip_fraction = flips.flipFraction;
      summary.flip_samples = flips.samples;
      Object.assign(summary, commonSubsetSummary(records));
    }
    return summary;
  },
  warnings(metrics) {
    const some = metrics.decoded_by_some_only;
    return typeof some === 'number' && some > 0
      ? [`${some} image(s) were decoded by some decoders and skipped by others, so per-combination accuracies cover different images; common_*_top1 and common_nsd compare them on the ${metrics.common_samples} images every combination decoded`]
      : [];
  },
};

// The demo benchmark: every bundled model under a quick version of each noise family (the `quick` adversarial
// protocol, a natural-noise subset covering the four corruption groups at three severities, a small decoder x resizer
// grid), each an ordinary stored run of its suite, so a second demo reuses the stored records; `full` runs the
// complete suites instead. The summary reads every number back from the store, never from in-memory results.
import { BUNDLED_MODELS } from '../model/resolve.js';
import type { MetricRow, ResultStore, RunEntry } from '../store/store.js';
import type { Dataset } from '../data/dataset.js';
import type { LoadedModel } from '../model/load.js';
import type { Progress } from './progress.js';
import { runEvaluation } from './run.js';
import { adversarialSettings } from './suites/adversarial.js';
import { conditionName } from '../noise/adversarial/conditions.js';

export const DEMO_DATA = 'demo/data/fashion-mnist';

/** Two corruptions per group (spec natural-noise.md groups), chosen for speed on small images. */
export const DEMO_CORRUPTIONS = ['gaussian_noise', 'shot_noise', 'defocus_blur', 'motion_blur', 'fog', 'brightness', 'contrast', 'pixelate'];
export const DEMO_SEVERITIES = [1, 3, 5];
/** A 3 x 3 grid of distinct decoding and resizing behaviours. */
export const DEMO_DECODERS = ['sharp', 'jpegjs', 'djpeg-ifast'];
export const DEMO_RESIZERS = ['pil-bilinear', 'cv2-nearest', 'torch-bicubic'];
/** Images per natural / system run in the quick demo (a seeded subset); the quick protocol fixes its own 500. */
export const DEMO_SUBSET = 500;

export type DemoFamily = 'adversarial' | 'natural' | 'system';

export interface DemoPlan {
  readonly family: DemoFamily;
  /** What the numbers of this run are, as shown next to them. */
  readonly protocol: string;
  readonly suiteOptions: Record<string, unknown>;
  /** Seeded subset size (undefined: the whole dataset, or the protocol's own subset). */
  readonly limit?: number;
}

export function demoPlans({ full = false, limit }: { full?: boolean; limit?: number } = {}): DemoPlan[] {
  const cap = (n: number | undefined) => (limit === undefined ? n : n === undefined ? limit : Math.min(n, limit));
  if (full) {
    return [
      { family: 'adversarial', protocol: 'robustart-paper', suiteOptions: { protocol: 'robustart-paper' }, limit },
      { family: 'natural', protocol: 'all corruptions, severities 1-5', suiteOptions: {}, limit },
      { family: 'system', protocol: 'default decoder x resizer grid', suiteOptions: {}, limit },
    ];
  }
  return [
    { family: 'adversarial', protocol: 'quick', suiteOptions: { protocol: 'quick' }, limit },
    { family: 'natural', protocol: `${DEMO_CORRUPTIONS.length} corruptions (4 groups), severities ${DEMO_SEVERITIES.join(',')}`, suiteOptions: { corruptions: DEMO_CORRUPTIONS.join(','), severities: DEMO_SEVERITIES.join(',') }, limit: cap(DEMO_SUBSET) },
    { family: 'system', protocol: `${DEMO_DECODERS.length} decoders x ${DEMO_RESIZERS.length} resizers`, suiteOptions: { decoders: DEMO_DECODERS.join(','), resizers: DEMO_RESIZERS.join(',') }, limit: cap(DEMO_SUBSET) },
  ];
}

export interface DemoRun {
  readonly family: DemoFamily;
  readonly protocol: string;
  readonly run: RunEntry;
  /** Samples evaluated (the subset size every number of this run refers to). */
  readonly samples: number;
  readonly evaluatedNow: number;
}

export interface DemoModel {
  readonly model: LoadedModel;
  readonly dataset: Dataset;
  readonly runs: Record<DemoFamily, DemoRun>;
}

export interface DemoOptions {
  readonly data: string;
  readonly store: ResultStore;
  readonly full?: boolean;
  readonly limit?: number;
  readonly models?: readonly string[];
  readonly onProgress?: (label: string) => ((p: Progress) => void) | undefined;
}

/** Runs (or resumes) every plan for every model, bundled models by default. */
export async function runDemo(options: DemoOptions): Promise<DemoModel[]> {
  const out: DemoModel[] = [];
  for (const name of options.models ?? Object.keys(BUNDLED_MODELS)) {
    const runs: Partial<Record<DemoFamily, DemoRun>> = {};
    let model: LoadedModel | undefined;
    let dataset: Dataset | undefined;
    for (const plan of demoPlans({ full: options.full, limit: options.limit })) {
      const result = await runEvaluation({
        model: name, data: options.data, suite: plan.family, limit: plan.limit, store: options.store, suiteOptions: plan.suiteOptions,
        onProgress: options.onProgress?.(`${name} ${plan.family}`),
      });
      model ??= result.model;
      dataset ??= result.dataset;
      const samples = Number((result.run.config as { sampleCount?: number }).sampleCount ?? 0);
      runs[plan.family] = { family: plan.family, protocol: plan.protocol, run: result.run, samples, evaluatedNow: result.evaluatedNow };
    }
    out.push({ model: model!, dataset: dataset!, runs: runs as Record<DemoFamily, DemoRun> });
  }
  return out;
}

/** The side-by-side numbers of one model, all read from the stored metrics. */
export interface DemoSummary {
  readonly model: string;
  readonly cleanTop1: number | null;
  /** AR of the protocol's first attack condition (PGD-L∞ in quick), and its condition name. */
  readonly ar: number | null;
  readonly arCondition: string | null;
  readonly wcar: number | null;
  readonly wcarBudget: string | null;
  /** Mean top-1 error over the evaluated corruptions and severities (unnormalised: the AlexNet mCE is ImageNet's). */
  readonly meanCorruptionError: number | null;
  readonly nsd: number | null;
}

export function metricOf(rows: readonly MetricRow[], noise: string, name: string): number | null {
  return rows.find((m) => m.noise === noise && m.name === name)?.value ?? null;
}

export function demoSummary(store: ResultStore, demo: DemoModel): DemoSummary {
  const adv = store.metrics(demo.runs.adversarial.run.id);
  const nat = store.metrics(demo.runs.natural.run.id);
  const sys = store.metrics(demo.runs.system.run.id);
  const plan = adversarialSettings(demo.runs.adversarial.run.config.suiteOptions as Record<string, unknown>).plans[0];
  const first = plan ? `ar/${conditionName(plan.attack, plan.norm, plan.epsilons[0] ?? null)}` : undefined;
  const arRow = adv.find((m) => m.noise === '*' && m.name === first) ?? adv.find((m) => m.noise === '*' && m.name.startsWith('ar/'));
  const wcarRow = adv.find((m) => m.noise === '*' && m.name.startsWith('wcar/'));
  const errors = nat.filter((m) => m.noise === '*' && m.name.startsWith('mean_error/') && m.value !== null).map((m) => m.value!);
  return {
    model: demo.model.name,
    cleanTop1: metricOf(nat, 'clean', 'top1'),
    ar: arRow?.value ?? null,
    arCondition: arRow ? arRow.name.slice('ar/'.length) : null,
    wcar: wcarRow?.value ?? null,
    wcarBudget: wcarRow ? wcarRow.name.slice('wcar/'.length) : null,
    meanCorruptionError: errors.length ? errors.reduce((a, b) => a + b, 0) / errors.length : null,
    nsd: metricOf(sys, '*', 'nsd'),
  };
}

/** Which model is best on each column (higher is better except errors and NSD); undefined with fewer than two models. */
export function strongest(summaries: readonly DemoSummary[]): Partial<Record<keyof DemoSummary, string>> {
  if (summaries.length < 2) return {};
  const best = (key: 'cleanTop1' | 'ar' | 'wcar' | 'meanCorruptionError' | 'nsd', lower: boolean) => {
    const scored = summaries.filter((s) => s[key] !== null);
    if (scored.length === 0) return undefined;
    return scored.reduce((a, b) => ((lower ? b[key]! < a[key]! : b[key]! > a[key]!) ? b : a)).model;
  };
  return { cleanTop1: best('cleanTop1', false), ar: best('ar', false), wcar: best('wcar', false), meanCorruptionError: best('meanCorruptionError', true), nsd: best('nsd', true) };
}

/** One sentence on the table. */
export function demoReading(summaries: readonly DemoSummary[]): string {
  const pct = (v: number | null) => (v === null ? '-' : `${(100 * v).toFixed(1)}%`);
  if (summaries.length === 1) {
    const s = summaries[0];
    return `${s.model} is right on ${pct(s.cleanTop1)} of clean images, keeps ${pct(s.ar)} of its correct answers under ${s.arCondition ?? 'attack'}, errs on ${pct(s.meanCorruptionError)} of corrupted images, and its accuracy varies by ${pct(s.nsd)} (NSD) across decoders and resizers.`;
  }
  const wins = strongest(summaries);
  const parts = [
    wins.cleanTop1 && `${wins.cleanTop1} is most accurate on clean images`,
    wins.wcar && `${wins.wcar} resists attacks best (WCAR)`,
    wins.meanCorruptionError && `${wins.meanCorruptionError} copes best with corruptions`,
    wins.nsd && `${wins.nsd} is steadiest across decoders and resizers`,
  ].filter(Boolean);
  return `${parts.join('; ')}.`;
}

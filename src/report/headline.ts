// A run's headline, shared by the HTML report and `results list`: the clean condition's top-1 (every suite but
// ImageNet-A/R/O evaluates one) and the suite's own summary metrics - mCE for natural noise, WCAR for attacks,
// NSD for system noise, accuracy or AUPR for the ImageNet variants.
import type { MetricRow } from '../store/store.js';

export interface HeadlineMetric {
  readonly name: string;
  readonly value: number | null;
  /** Shown as a percentage (accuracies, error ratios) rather than a plain number. */
  readonly percent: boolean;
}

export interface Headline {
  /** top-1 of the 'clean' condition; undefined when the run has none. */
  readonly cleanTop1: number | null | undefined;
  readonly suiteMetrics: readonly HeadlineMetric[];
}

/** Suite-level metrics (stored under noise '*') shown in a headline, per suite; a name ending in '/' is a prefix. */
export const HEADLINE_METRICS: Readonly<Record<string, readonly string[]>> = {
  natural: ['mCE', 'relative_mCE', 'mFP', 'mT5D'],
  adversarial: ['wcar/', 'robust_accuracy'],
  system: ['nsd', 'worst_top1'],
  'imagenet-a': ['accuracy'],
  'imagenet-r': ['accuracy'],
  'imagenet-o': ['aupr', 'auroc'],
};

const PLAIN_NUMBERS = new Set(['nsd', 'mT5D']);

export function runHeadline(suite: string, metrics: readonly MetricRow[]): Headline {
  const clean = metrics.find((m) => m.noise === 'clean' && m.name === 'top1');
  const wanted = HEADLINE_METRICS[suite] ?? [];
  const suiteMetrics: HeadlineMetric[] = [];
  for (const pattern of wanted) {
    for (const m of metrics) {
      if (m.noise !== '*') continue;
      if (pattern.endsWith('/') ? m.name.startsWith(pattern) : m.name === pattern) suiteMetrics.push({ name: m.name, value: m.value, percent: !PLAIN_NUMBERS.has(m.name) });
    }
  }
  return { cleanTop1: clean ? clean.value : undefined, suiteMetrics };
}

/** "mCE 85.31% · NSD 0.0123" */
export function formatHeadlineMetrics(metrics: readonly HeadlineMetric[], separator = ' · '): string {
  return metrics.map((m) => `${m.name} ${m.value === null || Number.isNaN(m.value) ? '-' : m.percent ? `${(100 * m.value).toFixed(2)}%` : m.value.toFixed(4)}`).join(separator);
}

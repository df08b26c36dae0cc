// The leaderboard and the comparisons of a study, computed from the store: each model's metrics gathered from
// the stored runs of its cells. Every suite-level metric a run's summary holds flows through under
// "<suite entry>/<name>"; the headline columns (RobustBench- and RobustART-style) get canonical keys.
import type { ResultStore, RunEntry, SampleRecord } from '../store/store.js';
import type { ConditionMeta } from '../eval/condition.js';
import { budgetKey } from '../noise/adversarial/conditions.js';
import { formatEpsilon } from '../noise/adversarial/masking.js';
import type { Norm } from '../noise/adversarial/threat.js';
import type { ReliabilityBin } from '../metrics/classification.js';
import type { Study } from './config.js';
import { studyCells } from './cells.js';
import { StudyState, type StudyModelRow } from './state.js';
import { storedTransferMatrix, type TransferMatrixCell } from './transfer.js';

/** Each condition's ConditionMeta, as evaluate() stores it with the run's summary. */
export type ConditionMetas = Readonly<Record<string, ConditionMeta>>;

/** The stored metas of a run; runs stored before metas were kept get them from their condition names. */
export function conditionMetasOf(run: RunEntry | undefined, names: Iterable<string>): ConditionMetas {
  const stored = run?.summary?.conditionMeta as ConditionMetas | undefined;
  if (stored) return stored;
  return Object.fromEntries([...names].flatMap((name) => {
    const meta = legacyConditionMeta(name);
    return meta ? [[name, meta]] : [];
  }));
}

/**
 * Reads a condition name as the built-in suites write them ("pgd/linf/4/255", "fog/3", "pil+pil-bilinear"):
 * only for stores written before runs kept their conditions' metas.
 */
function legacyConditionMeta(name: string): ConditionMeta | undefined {
  if (name === 'clean') return { kind: 'clean' };
  const [attack, norm, ...eps] = name.split('/');
  if (attack && (norm === 'linf' || norm === 'l2' || norm === 'l1')) return { kind: 'adversarial', attack, norm, eps: eps.length > 0 ? epsilonValue(eps.join('/')) : null };
  const corruption = /^([a-z_]+)\/([1-5])$/.exec(name);
  if (corruption) return { kind: 'corruption', corruption: corruption[1], severity: Number(corruption[2]) };
  const [decoder, resizer] = name.split('+');
  if (resizer !== undefined) return { kind: 'system', decoder, resizer };
  return undefined;
}

/** The threat-model budget ("linf/4/255") of an adversarial condition with one; undefined for any other. */
function budgetOf(meta: ConditionMeta | undefined): string | undefined {
  return meta?.kind === 'adversarial' ? budgetKey(meta) : undefined;
}

export type MetricUnit = 'fraction' | 'ratio' | 'count';

export interface Column {
  readonly key: string;
  readonly label: string;
  readonly unit: MetricUnit;
  readonly better: 'higher' | 'lower';
  /** Where the metric comes from: clean, adversarial, natural, system, ood. */
  readonly group: string;
}

export interface LeaderboardRow {
  readonly name: string;
  readonly family: string;
  readonly technique: string;
  readonly architecture: string;
  readonly tags: Record<string, string>;
  readonly parameters: number | null;
  readonly macs: number | null;
  readonly metrics: Record<string, number | null>;
  /** Decoder+resizer combination with the lowest accuracy. */
  readonly worstSystem: string | null;
  /** Suite entry -> stored run id. */
  readonly runs: Record<string, string>;
  readonly cellsDone: number;
  readonly cellsTotal: number;
}

export interface Leaderboard {
  readonly study: string;
  readonly description: string | null;
  readonly dataset: string;
  readonly datasets: string[];
  readonly columns: Column[];
  readonly rows: LeaderboardRow[];
}

/** Suite-summary names that become headline columns (the first suite entry that reports one wins). */
const HEADLINE: Record<string, Omit<Column, 'key'>> = {
  clean_top1: { label: 'clean top-1', unit: 'fraction', better: 'higher', group: 'clean' },
  mCE: { label: 'mCE', unit: 'ratio', better: 'lower', group: 'natural' },
  relative_mCE: { label: 'relative mCE', unit: 'ratio', better: 'lower', group: 'natural' },
  mFP: { label: 'mFP', unit: 'fraction', better: 'lower', group: 'natural' },
  mT5D: { label: 'mT5D', unit: 'ratio', better: 'lower', group: 'natural' },
  aupr: { label: 'AUPR', unit: 'fraction', better: 'higher', group: 'ood' },
  nsd: { label: 'NSD', unit: 'fraction', better: 'lower', group: 'system' },
  worst_top1: { label: 'worst system top-1', unit: 'fraction', better: 'higher', group: 'system' },
};

/** Families of per-budget adversarial metrics: AR per attack and budget, WCAR and robust accuracy per budget. */
const PER_BUDGET: readonly [prefix: string, label: string][] = [
  ['ar/', 'AR'],
  ['wcar/', 'WCAR'],
  ['robust_accuracy/', 'robust acc.'],
];

/**
 * The leaderboard column a suite metric fills, if any. RobustBench's robust accuracy per budget is the adversarial
 * suite's worst case over its attacks (`worst_robust_accuracy/<budget>`); its per-attack robust accuracy stays under
 * the suite entry only.
 */
function headlineKey(key: string): string | undefined {
  if (key.startsWith('worst_robust_accuracy/')) return `robust_accuracy/${key.slice('worst_robust_accuracy/'.length)}`;
  if (key.startsWith('robust_accuracy/')) return undefined;
  return HEADLINE[key] || perBudgetLabel(key) ? key : undefined;
}

const NORM_LABEL: Record<string, string> = { linf: 'L∞', l2: 'L2', l1: 'L1' };

function perBudgetLabel(key: string): string | undefined {
  for (const [prefix, label] of PER_BUDGET) {
    if (!key.startsWith(prefix)) continue;
    const parts = key.slice(prefix.length).split('/');
    const normAt = parts.findIndex((p) => p in NORM_LABEL);
    if (normAt < 0) return `${label} ${parts.join(' ')}`;
    const attack = parts.slice(0, normAt).join(' ');
    return `${label} ${attack ? `${attack} ` : ''}${NORM_LABEL[parts[normAt]]} ${parts.slice(normAt + 1).join('/')}`;
  }
  return undefined;
}

/**
 * Robust accuracy (RobustBench convention): the fraction of all evaluated samples classified correctly clean and
 * under every attack of a budget, from the per-sample records of an adversarial run.
 */
export function robustAccuracyFromRecords(records: readonly SampleRecord[], metas?: ConditionMetas): Record<string, number> {
  const correct = new Map<string, Map<string, boolean>>();
  for (const r of records) {
    if (r.status !== 'ok' || !r.top5?.length) continue;
    let m = correct.get(r.noise);
    if (!m) correct.set(r.noise, (m = new Map()));
    m.set(r.sampleId, r.top5[0] === r.label);
  }
  const clean = correct.get('clean');
  if (!clean || clean.size === 0) return {};
  const metaOf = metas ?? conditionMetasOf(undefined, correct.keys());
  const byBudget = new Map<string, Map<string, boolean>[]>();
  for (const [name, m] of correct) {
    const budget = budgetOf(metaOf[name]);
    if (budget) byBudget.set(budget, [...(byBudget.get(budget) ?? []), m]);
  }
  const out: Record<string, number> = {};
  for (const [budget, maps] of byBudget) {
    let robust = 0;
    for (const [id, ok] of clean) if (ok && maps.every((m) => m.get(id) === true)) robust++;
    out[`robust_accuracy/${budget}`] = robust / clean.size;
  }
  return out;
}

interface ModelRuns {
  readonly model: StudyModelRow | undefined;
  readonly runs: Map<string, { suite: string; runId: string }>;
  done: number;
  total: number;
}

function runsByModel(study: Study, store: ResultStore, state: StudyState, dataset: string): Map<string, ModelRuns> {
  const rows = new Map(state.cells(study.name).map((r) => [r.cell, r]));
  const models = new Map(state.models(study.name).map((m) => [m.name, m]));
  const out = new Map<string, ModelRuns>();
  for (const cell of studyCells(study)) {
    if (cell.dataset.name !== dataset) continue;
    let entry = out.get(cell.model.name);
    if (!entry) out.set(cell.model.name, (entry = { model: models.get(cell.model.name), runs: new Map(), done: 0, total: 0 }));
    entry.total++;
    const row = rows.get(cell.cell);
    if (row?.state === 'done' && row.runId && store.getRun(row.runId)?.status === 'finished') {
      entry.runs.set(cell.suite.name, { suite: cell.suite.suite, runId: row.runId });
      entry.done++;
    }
  }
  return out;
}

function conditionTop1(store: ResultStore, runId: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of store.metrics(runId)) if (m.name === 'top1' && m.value !== null && m.noise !== '*') out.set(m.noise, m.value);
  return out;
}

export interface RunMetrics {
  /** Every suite metric as `<suite entry>/<name>`, and the headline metrics under their canonical keys. */
  readonly metrics: Record<string, number | null>;
  /** The headline columns the metrics fill. */
  readonly columns: Column[];
  /** Decoder+resizer combination with the lowest accuracy. */
  readonly worstSystem: string | null;
}

/**
 * One model's metric row from its finished runs, keyed by suite entry name (a study's entry, or the suite's name
 * for runs outside a study). The first entry that reports a headline metric wins, except that the clean suite's
 * top-1 overrides the clean top-1 other suites report.
 */
export function metricsFromRuns(store: ResultStore, runs: Iterable<readonly [entry: string, run: { suite: string; runId: string }]>): RunMetrics {
  const metrics: Record<string, number | null> = {};
  const columns = new Map<string, Column>();
  let worstSystem: string | null = null;
  const setHeadline = (key: string, value: number | null) => {
    if (key in metrics) return;
    metrics[key] = value;
    const label = perBudgetLabel(key);
    if (HEADLINE[key]) columns.set(key, { key, ...HEADLINE[key] });
    else if (label) columns.set(key, { key, label, unit: 'fraction', better: 'higher', group: 'adversarial' });
  };
  for (const [entryName, { suite, runId }] of runs) {
    const run = store.getRun(runId)!;
    const top1 = conditionTop1(store, runId);
    const clean = top1.get('clean');
    if (clean !== undefined && (suite === 'clean' || !('clean_top1' in metrics))) {
      delete metrics.clean_top1;
      setHeadline('clean_top1', clean);
    }
    const summary = (run.summary?.suiteMetrics ?? {}) as Record<string, number | null>;
    for (const [key, value] of Object.entries(summary)) {
      if (typeof value !== 'number' && value !== null) continue;
      metrics[`${entryName}/${key}`] = value;
      const headline = headlineKey(key);
      if (headline) setHeadline(headline, value);
    }
    if (suite === 'adversarial' && !Object.keys(summary).some((k) => k.startsWith('robust_accuracy/'))) {
      const records = store.records(runId);
      const metas = conditionMetasOf(run, new Set(records.map((r) => r.noise)));
      for (const [key, value] of Object.entries(robustAccuracyFromRecords(records, metas))) setHeadline(key, value);
    }
    if (suite === 'system' && top1.size > 0 && worstSystem === null) {
      worstSystem = [...top1].reduce((a, b) => (b[1] < a[1] ? b : a))[0];
    }
  }
  return { metrics, columns: [...columns.values()], worstSystem };
}

/** Clean top-1, the suite summaries (mCE, NSD, ...), then robust accuracy, WCAR and AR per attack by budget. */
export function sortColumns(columns: Iterable<Column>): Column[] {
  const unique = new Map([...columns].map((c) => [c.key, c]));
  const order = Object.keys(HEADLINE);
  const rank = (c: Column): [number, number] => {
    const i = order.indexOf(c.key);
    if (i >= 0) return [i === 0 ? 0 : 1, i];
    const family = ['robust_accuracy/', 'wcar/', 'ar/'].findIndex((prefix) => c.key.startsWith(prefix));
    return [2 + Math.max(family, 0), 0];
  };
  return [...unique.values()].sort((a, b) => {
    const [ga, ia] = rank(a);
    const [gb, ib] = rank(b);
    return ga - gb || ia - ib || a.key.localeCompare(b.key, 'en', { numeric: true });
  });
}

export function buildLeaderboard(study: Study, store: ResultStore, dataset = study.datasets[0].name): Leaderboard {
  const state = new StudyState(store);
  const columns: Column[] = [];
  const rows: LeaderboardRow[] = [];
  for (const [name, entry] of runsByModel(study, store, state, dataset)) {
    const declared = study.models.find((m) => m.name === name)!;
    const { metrics, columns: filled, worstSystem } = metricsFromRuns(store, entry.runs);
    columns.push(...filled);
    rows.push({
      name,
      family: declared.family,
      technique: declared.technique,
      architecture: declared.architecture ?? declared.family,
      tags: declared.tags,
      parameters: entry.model?.parameters ?? null,
      macs: entry.model?.macs ?? null,
      metrics,
      worstSystem,
      runs: Object.fromEntries([...entry.runs].map(([k, v]) => [k, v.runId])),
      cellsDone: entry.done,
      cellsTotal: entry.total,
    });
  }
  return { study: study.name, description: study.description ?? null, dataset, datasets: study.datasets.map((d) => d.name), columns: sortColumns(columns), rows };
}

export interface TechniqueDelta {
  readonly architecture: string;
  readonly technique: string;
  readonly model: string;
  readonly baseline: string;
  /** Metric key -> value with the technique minus the baseline's. */
  readonly deltas: Record<string, number>;
}

/** For each architecture, every metric of each technique variant against the variant tagged 'baseline'. */
export function techniqueDeltas(board: Leaderboard, baselineTechnique = 'baseline'): TechniqueDelta[] {
  const out: TechniqueDelta[] = [];
  for (const row of board.rows) {
    if (row.technique === baselineTechnique) continue;
    const base = board.rows.find((r) => r.architecture === row.architecture && r.technique === baselineTechnique);
    if (!base) continue;
    const deltas: Record<string, number> = {};
    for (const c of board.columns) {
      const a = row.metrics[c.key];
      const b = base.metrics[c.key];
      if (typeof a === 'number' && typeof b === 'number') deltas[c.key] = a - b;
    }
    out.push({ architecture: row.architecture, technique: row.technique, model: row.name, baseline: base.name, deltas });
  }
  return out;
}

export type TransferCell = TransferMatrixCell;

/** The source × target matrix (AR and robust accuracy per attack condition) of the study's transfer cells on a dataset. */
export function transferMatrix(study: Study, store: ResultStore, dataset = study.datasets[0].name): TransferCell[] {
  return storedTransferMatrix(study, store, new StudyState(store), dataset);
}

export interface ModelDetail {
  readonly row: LeaderboardRow;
  /** AR against ε per attack and norm (top-1 under each attack condition). */
  readonly arCurves: { attack: string; norm: string; epsilon: number; epsilonLabel: string; accuracy: number }[];
  /** Error per corruption and severity. */
  readonly corruptions: { corruption: string; severity: number; error: number }[];
  readonly ce: { corruption: string; ce: number }[];
  readonly system: { decoder: string; resizer: string; accuracy: number }[];
  readonly flipRates: { perturbation: string; flipProbability: number; topFiveDistance: number | null }[];
  readonly calibration: { bins: ReliabilityBin[]; ece: number | null } | null;
}

function epsilonValue(text: string): number {
  const [a, b] = text.split('/').map(Number);
  return b === undefined ? a : a / b;
}

export function modelDetail(study: Study, store: ResultStore, board: Leaderboard, model: string): ModelDetail | undefined {
  const row = board.rows.find((r) => r.name === model);
  if (!row) return undefined;
  const detail: ModelDetail = { row, arCurves: [], corruptions: [], ce: [], system: [], flipRates: [], calibration: null };
  const suites = new Map(study.suites.map((s) => [s.name, s.suite]));
  for (const [entry, runId] of Object.entries(row.runs)) {
    const suite = suites.get(entry);
    const run = store.getRun(runId);
    if (!run) continue;
    const top1 = conditionTop1(store, runId);
    const summary = (run.summary?.suiteMetrics ?? {}) as Record<string, number | null>;
    const metas = conditionMetasOf(run, top1.keys());
    if (suite === 'adversarial') {
      for (const [name, accuracy] of top1) {
        const meta = metas[name];
        if (meta?.kind !== 'adversarial' || meta.eps === null) continue;
        detail.arCurves.push({ attack: meta.attack, norm: meta.norm, epsilon: meta.eps, epsilonLabel: formatEpsilon(meta.eps, meta.norm as Norm), accuracy });
      }
    } else if (suite === 'natural') {
      // A study may run the natural suite twice (e.g. once for ImageNet-C, once for ImageNet-P): first entry wins.
      for (const [name, accuracy] of top1) {
        const meta = metas[name];
        if (meta?.kind === 'corruption' && !detail.corruptions.some((c) => c.corruption === meta.corruption && c.severity === meta.severity)) detail.corruptions.push({ corruption: meta.corruption, severity: meta.severity, error: 1 - accuracy });
      }
      for (const [key, value] of Object.entries(summary)) {
        if (key.startsWith('CE/') && typeof value === 'number' && !detail.ce.some((c) => c.corruption === key.slice(3))) detail.ce.push({ corruption: key.slice(3), ce: value });
        if (key.startsWith('FP/') && typeof value === 'number' && !detail.flipRates.some((f) => f.perturbation === key.slice(3))) {
          const t5d = summary[`T5D/${key.slice(3)}`];
          detail.flipRates.push({ perturbation: key.slice(3), flipProbability: value, topFiveDistance: typeof t5d === 'number' ? t5d : null });
        }
      }
    } else if (suite === 'system') {
      for (const [name, accuracy] of top1) {
        const meta = metas[name];
        if (meta?.kind === 'system') detail.system.push({ decoder: meta.decoder, resizer: meta.resizer, accuracy });
      }
    }
    const reliability = run.summary?.reliability as ReliabilityBin[] | undefined;
    if (Array.isArray(reliability) && (detail.calibration === null || suite === 'clean')) {
      const ece = store.metrics(runId).find((m) => m.noise === 'clean' && m.name === 'ece')?.value ?? null;
      Object.assign(detail, { calibration: { bins: reliability, ece } });
    }
  }
  return detail;
}

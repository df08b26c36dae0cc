// The evaluated subnets of a NAS study, read from the results store: every registered model whose metadata carries
// `nas: { space, spaceHash, choices, params, macs }`, with the metrics of its finished runs computed as the study
// leaderboard computes them (metricsFromRuns), so a subnet's numbers are the ones its leaderboard row shows.
import { RobustartError } from '../errors.js';
import type { ModelEntry, ResultStore, RunEntry } from '../store/store.js';
import { metricsFromRuns, sortColumns, type Column } from '../study/leaderboard.js';
import { TRAIN_SUITE } from '../train/record.js';
import { analyzeSubnets, type ArchitectureChoices, type NasAnalysis, type NasSubnetRow } from './analysis.js';
import { commonCorruptionSubset, subsetCorruptionColumn, subsetCorruptionError, SUBSET_CORRUPTION_ERROR, type CorruptionSubset, type SubsetCorruptionError } from './corruption-subset.js';

/** What a registered subnet's metadata holds under `nas`. */
export interface NasSubnetMetadata {
  readonly space: string;
  readonly spaceHash: string;
  readonly choices: ArchitectureChoices;
  readonly params: number;
  readonly macs: number;
}

export interface NasSpaceSummary {
  readonly space: string;
  readonly subnets: number;
  /** Subnets with at least one finished run. */
  readonly evaluated: number;
  /** The datasets those runs used (fingerprint and root), by fingerprint. */
  readonly datasets: { fingerprint: string; root: string | null }[];
}

export interface NasAnalysisOptions {
  /** The space to analyse; may be left out when the store holds subnets of one space only. */
  readonly space?: string;
  /** The dataset the runs used, by fingerprint (or its prefix) or root path; needed when the runs used several. */
  readonly dataset?: string;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** The `nas` metadata of a registered model, undefined for a model that is not a subnet; malformed metadata is an error. */
export function subnetMetadata(entry: ModelEntry): NasSubnetMetadata | undefined {
  const nas = entry.metadata.nas as Record<string, unknown> | undefined;
  if (nas === undefined) return undefined;
  const bad = (what: string) => new RobustartError(`model '${entry.name}' in the results store has NAS metadata without ${what}; register it again with the metadata { nas: { space, spaceHash, choices, params, macs } }`);
  if (typeof nas !== 'object' || nas === null) throw bad('an object under nas');
  if (typeof nas.space !== 'string' || nas.space === '') throw bad('a space name');
  if (typeof nas.spaceHash !== 'string') throw bad('a spaceHash');
  if (!isCount(nas.params)) throw bad('a parameter count (params)');
  if (!isCount(nas.macs)) throw bad('a MAC count (macs)');
  const choices = nas.choices as Record<string, unknown> | undefined;
  if (typeof choices !== 'object' || choices === null || Array.isArray(choices)) throw bad('its architecture choices (choices)');
  for (const [key, value] of Object.entries(choices)) {
    const ok = (typeof value === 'number' && Number.isFinite(value)) || (Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v)));
    if (!ok) throw bad(`a number or a list of numbers for choice '${key}'`);
  }
  return { space: nas.space, spaceHash: nas.spaceHash, choices: choices as ArchitectureChoices, params: nas.params, macs: nas.macs };
}

interface Subnet {
  readonly entry: ModelEntry;
  readonly nas: NasSubnetMetadata;
}

function storedSubnets(store: ResultStore): Subnet[] {
  const out: Subnet[] = [];
  for (const entry of store.listModels()) {
    const nas = subnetMetadata(entry);
    if (nas) out.push({ entry, nas });
  }
  return out;
}

/** Finished evaluation runs by model name and by model file hash (a subnet evaluated by path is found by its hash). */
function finishedRuns(store: ResultStore): { byName: Map<string, RunEntry[]>; byHash: Map<string, RunEntry[]> } {
  const byName = new Map<string, RunEntry[]>();
  const byHash = new Map<string, RunEntry[]>();
  const runs = store.listRuns().filter((r) => r.status === 'finished' && r.suite !== TRAIN_SUITE && r.suite !== 'transfer');
  runs.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  for (const run of runs) {
    byName.set(run.modelName, [...(byName.get(run.modelName) ?? []), run]);
    byHash.set(run.modelSha256, [...(byHash.get(run.modelSha256) ?? []), run]);
  }
  return { byName, byHash };
}

function runsOf(subnet: Subnet, runs: ReturnType<typeof finishedRuns>): RunEntry[] {
  const seen = new Set<string>();
  return [...(runs.byName.get(subnet.entry.name) ?? []), ...(runs.byHash.get(subnet.entry.sha256) ?? [])].filter((r) => !seen.has(r.id) && seen.add(r.id));
}

/** The spaces the store holds subnets of, with how many of each were evaluated. */
export function nasSpaces(store: ResultStore): NasSpaceSummary[] {
  const runs = finishedRuns(store);
  const spaces = new Map<string, { subnets: number; evaluated: number; fingerprints: Set<string> }>();
  for (const subnet of storedSubnets(store)) {
    const s = spaces.get(subnet.nas.space) ?? { subnets: 0, evaluated: 0, fingerprints: new Set<string>() };
    s.subnets++;
    const own = runsOf(subnet, runs);
    if (own.length > 0) s.evaluated++;
    for (const r of own) s.fingerprints.add(r.datasetFingerprint);
    spaces.set(subnet.nas.space, s);
  }
  return [...spaces]
    .map(([space, s]) => ({ space, subnets: s.subnets, evaluated: s.evaluated, datasets: [...s.fingerprints].sort().map((fingerprint) => ({ fingerprint, root: store.getDataset(fingerprint)?.root ?? null })) }))
    .sort((a, b) => a.space.localeCompare(b.space));
}

function chooseSpace(spaces: readonly string[], space: string | undefined): string {
  if (spaces.length === 0) throw new RobustartError('the results store holds no NAS subnets (registered models with nas metadata); sample and evaluate subnets first');
  if (space === undefined) {
    if (spaces.length > 1) throw new RobustartError(`the results store holds subnets of ${spaces.length} search spaces (${spaces.join(', ')}); choose one`);
    return spaces[0];
  }
  if (!spaces.includes(space)) throw new RobustartError(`the results store has no subnets of search space '${space}'; it has ${spaces.join(', ')}`);
  return space;
}

function chooseDataset(store: ResultStore, fingerprints: readonly string[], dataset: string | undefined): string | undefined {
  const describe = (f: string) => `${f.slice(0, 12)} (${store.getDataset(f)?.root ?? 'unknown root'})`;
  if (dataset === undefined) {
    if (fingerprints.length > 1) throw new RobustartError(`the subnets were evaluated on ${fingerprints.length} datasets: ${fingerprints.map(describe).join(', ')}; choose one by fingerprint or root`);
    return fingerprints[0];
  }
  const matches = fingerprints.filter((f) => f.startsWith(dataset) || store.getDataset(f)?.root === dataset);
  if (matches.length !== 1) {
    throw new RobustartError(`dataset '${dataset}' ${matches.length === 0 ? 'matches none' : `matches ${matches.length}`} of the datasets the subnets were evaluated on: ${fingerprints.map(describe).join(', ') || 'none'}`);
  }
  return matches[0];
}

export interface StoredNasAnalysis extends NasAnalysis {
  /** The dataset fingerprint of the runs (null when no subnet was evaluated). */
  readonly dataset: string | null;
  /**
   * When no subnet has an mCE (it needs all 15 corruptions at five severities): the corruption conditions the
   * column `corruption_error_subset` averages over; null otherwise.
   */
  readonly corruptionSubset: CorruptionSubset | null;
}

/** The analysis of one space's subnets from the store (see NasAnalysisOptions for choosing the space and dataset). */
export function nasAnalysis(store: ResultStore, options: NasAnalysisOptions = {}): StoredNasAnalysis {
  const all = storedSubnets(store);
  const space = chooseSpace([...new Set(all.map((s) => s.nas.space))].sort(), options.space);
  const subnets = all.filter((s) => s.nas.space === space);
  const runs = finishedRuns(store);
  const runsBySubnet = new Map(subnets.map((s) => [s.entry.name, runsOf(s, runs)]));
  const fingerprints = [...new Set([...runsBySubnet.values()].flat().map((r) => r.datasetFingerprint))].sort();
  const dataset = chooseDataset(store, fingerprints, options.dataset);
  const columns: Column[] = [];
  const subsetErrors: (SubsetCorruptionError | null)[] = [];
  const rows: NasSubnetRow[] = subnets.map(({ entry, nas }) => {
    // A second run of a suite (other options) keeps its own entry, oldest first; the headline columns follow the
    // leaderboard's rule (the first entry that reports one; a clean suite's top-1 replaces another entry's).
    const entries: [string, { suite: string; runId: string }][] = [];
    for (const run of runsBySubnet.get(entry.name)!.filter((r) => r.datasetFingerprint === dataset)) {
      const taken = entries.filter(([, e]) => e.suite === run.suite).length;
      entries.push([taken === 0 ? run.suite : `${run.suite}#${taken + 1}`, { suite: run.suite, runId: run.id }]);
    }
    const measured = metricsFromRuns(store, entries);
    columns.push(...measured.columns);
    const natural = entries.find(([, e]) => e.suite === 'natural');
    subsetErrors.push(natural ? subsetCorruptionError(store, natural[1].runId) : null);
    const subnetId = entry.name.startsWith(`${space}/`) ? entry.name.slice(space.length + 1) : entry.name;
    return { name: entry.name, subnetId, choices: nas.choices, params: nas.params, macs: nas.macs, metrics: measured.metrics, runs: Object.fromEntries(entries.map(([k, v]) => [k, v.runId])) };
  });
  // Without an mCE, the subnets are compared on the mean error over the corruption conditions most of them ran.
  const hasMce = rows.some((r) => typeof r.metrics.mCE === 'number');
  const subset = hasMce ? undefined : commonCorruptionSubset(subsetErrors);
  if (subset) {
    const key = subset.conditions.join(',');
    rows.forEach((r, i) => {
      const own = subsetErrors[i];
      r.metrics[SUBSET_CORRUPTION_ERROR] = own && own.conditions.join(',') === key ? own.meanError : null;
    });
    columns.push(subsetCorruptionColumn(subset));
  }
  const hashes = [...new Set(subnets.map((s) => s.nas.spaceHash))].sort();
  return { ...analyzeSubnets(space, hashes, rows, sortColumns(columns)), dataset: dataset ?? null, corruptionSubset: subset ?? null };
}

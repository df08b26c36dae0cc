// The dashboard's data, one payload per page, built from the store on each request (so pages follow a running study).
import { z, lazyValue, type Zod } from '../../util/native.js';
import type { ResultStore } from '../../store/store.js';
import { RobustartError } from '../../errors.js';
import type { Study } from '../../study/config.js';
import { StudyState } from '../../study/state.js';
import { studyStatus } from '../../study/cells.js';
import { nasAnalysis, nasSpaces, type NasSpaceSummary } from '../../nas/stored-subnets.js';
import type { NasAnalysis } from '../../nas/analysis.js';
import { buildLeaderboard, modelDetail, techniqueDeltas, transferMatrix, type Leaderboard, type ModelDetail, type TechniqueDelta, type TransferCell } from '../../study/leaderboard.js';

export interface StudySummary {
  readonly name: string;
  readonly description: string | null;
  readonly datasets: string[];
  readonly models: number;
  readonly cells: Record<'done' | 'running' | 'missing' | 'failed', number>;
}

export interface DashboardPayload {
  readonly leaderboard: Leaderboard;
  readonly techniques: TechniqueDelta[];
  readonly transfer: TransferCell[];
  readonly progress: StudySummary['cells'];
}

/** Leaderboard query: filters and order, as RobustBench's tables offer. Unknown keys are rejected. */
export const leaderboardQuerySchema = lazyValue(() =>
  z
    .object({
      dataset: z.string().min(1).optional(),
      family: z.string().min(1).optional(),
      technique: z.string().min(1).optional(),
      q: z.string().max(200).optional(),
      sort: z.string().min(1).optional(),
      order: z.enum(['asc', 'desc']).optional(),
    })
    .strict(),
);

export type LeaderboardQuery = Zod.infer<typeof leaderboardQuerySchema>;

export class StudyNotFoundError extends RobustartError {}

export function studyByName(store: ResultStore, name: string): Study {
  const study = new StudyState(store).study(name);
  if (!study) throw new StudyNotFoundError(`no study '${name}' in the results store`);
  return study;
}

function progressOf(study: Study, store: ResultStore): StudySummary['cells'] {
  const cells = { done: 0, running: 0, missing: 0, failed: 0 };
  for (const c of studyStatus(study, new StudyState(store), (id) => store.getRun(id)?.status === 'finished')) cells[c.status]++;
  return cells;
}

export function studiesPayload(store: ResultStore): StudySummary[] {
  const state = new StudyState(store);
  return state.studyNames().map((name) => {
    const study = state.study(name)!;
    return { name, description: study.description ?? null, datasets: study.datasets.map((d) => d.name), models: study.models.length, cells: progressOf(study, store) };
  });
}

function checkDataset(study: Study, dataset: string | undefined): string {
  if (dataset === undefined) return study.datasets[0].name;
  if (!study.datasets.some((d) => d.name === dataset)) throw new RobustartError(`study ${study.name} has no dataset '${dataset}'; it has ${study.datasets.map((d) => d.name).join(', ')}`);
  return dataset;
}

/** Rows filtered by family, technique and a case-insensitive search over name and tags, then sorted. */
export function queryLeaderboard(board: Leaderboard, query: LeaderboardQuery): Leaderboard {
  const needle = query.q?.toLowerCase();
  let rows = board.rows.filter(
    (r) =>
      (query.family === undefined || r.family === query.family) &&
      (query.technique === undefined || r.technique === query.technique) &&
      (!needle || [r.name, r.family, r.technique, r.architecture, ...Object.values(r.tags)].some((s) => s.toLowerCase().includes(needle))),
  );
  if (query.sort !== undefined) {
    const key = query.sort;
    const fixed = ['name', 'family', 'technique', 'parameters', 'macs'];
    if (!fixed.includes(key) && !board.columns.some((c) => c.key === key)) {
      throw new RobustartError(`cannot sort by '${key}'; sort by one of ${[...fixed, ...board.columns.map((c) => c.key)].join(', ')}`);
    }
    const value = (r: (typeof rows)[number]) => (fixed.includes(key) ? (r as unknown as Record<string, unknown>)[key] : r.metrics[key]);
    const sign = query.order === 'asc' ? 1 : -1;
    rows = [...rows].sort((a, b) => {
      const va = value(a);
      const vb = value(b);
      if (va === null || va === undefined) return 1; // missing values last either way
      if (vb === null || vb === undefined) return -1;
      return sign * (typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb)));
    });
  }
  return { ...board, rows };
}

export function dashboardPayload(store: ResultStore, studyName: string, query: LeaderboardQuery = {}): DashboardPayload {
  const study = studyByName(store, studyName);
  const board = buildLeaderboard(study, store, checkDataset(study, query.dataset));
  return { leaderboard: queryLeaderboard(board, query), techniques: techniqueDeltas(board), transfer: transferMatrix(study, store, board.dataset), progress: progressOf(study, store) };
}

export class ModelNotFoundError extends RobustartError {}

export function modelPayload(store: ResultStore, studyName: string, model: string, dataset?: string): ModelDetail {
  const study = studyByName(store, studyName);
  const board = buildLeaderboard(study, store, checkDataset(study, dataset));
  const detail = modelDetail(study, store, board, model);
  if (!detail) throw new ModelNotFoundError(`study ${studyName} has no model '${model}'`);
  return detail;
}

export class NasSpaceNotFoundError extends RobustartError {}

/** The NAS analysis of one space on one dataset (the only one when left out); `spaces` is the store's nasSpaces when already at hand. */
export function nasPayload(store: ResultStore, space: string, dataset?: string, spaces: readonly NasSpaceSummary[] = nasSpaces(store)): NasAnalysis & { dataset: string | null } {
  if (!spaces.some((s) => s.space === space)) throw new NasSpaceNotFoundError(`no NAS subnets of search space '${space}' in the results store${spaces.length ? `; it has ${spaces.map((s) => s.space).join(', ')}` : ''}`);
  const analysis = nasAnalysis(store, { space, dataset });
  // The page shows the metric columns only: the per-entry suite metrics (CE per corruption, …) stay in the export.
  const subnets = analysis.subnets.map((s) => ({ ...s, metrics: Object.fromEntries(analysis.columns.map((c) => [c.key, s.metrics[c.key] ?? null])) }));
  return { ...analysis, subnets };
}

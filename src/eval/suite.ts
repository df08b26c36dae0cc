// Suites: named sets of conditions plus suite-level metrics computed from per-condition ones.
import type { Condition } from './condition.js';
import type { ClassificationMetrics } from '../metrics/classification.js';
import type { LoadedModel } from '../model/load.js';
import type { OnnxClassifier } from '../model/classifier.js';
import type { Dataset } from '../data/dataset.js';
import type { SampleRecord } from '../store/store.js';

export interface SuiteContext {
  readonly model: LoadedModel;
  readonly classifier: OnnxClassifier;
  readonly dataset: Dataset;
  readonly seed: number;
  /** Suite-specific options from the CLI or the library call; recorded with the run. */
  readonly options: Record<string, unknown>;
}

export interface Suite {
  readonly name: string;
  readonly description: string;
  /** Things about a finished run's suite metrics a user must know to read them (shown as warnings). */
  warnings?(suiteMetrics: Readonly<Record<string, number | null>>): string[];
  /** Why a suite metric can be null (shown instead of a bare dash), by metric name. */
  readonly metricNotes?: Readonly<Record<string, string>>;
  conditions(context: SuiteContext): Promise<Condition[]> | Condition[];
  /**
   * The options in full, the suite's defaults filled in (variants; a named protocol expanded into every setting it
   * fixes, explicit options applied): what the run records, hashes into its identity and hands to `conditions` and
   * `summarize` as `context.options`. A run made with a default and one naming it explicitly are the same run.
   */
  resolveOptions?(options: Record<string, unknown>): Record<string, unknown>;
  /** The samples a suite evaluates when they are not just the given dataset (ImageNet-O adds its negatives). */
  prepareDataset?(dataset: Dataset, options: Record<string, unknown>): Dataset;
  /**
   * Suite-level metrics (mCE, NSD, WCAR, flip fraction, ...) from the per-condition metrics and the
   * stored per-sample records of each condition; stored under noise '*'.
   */
  summarize?(
    perCondition: ReadonlyMap<string, ClassificationMetrics>,
    context: SuiteContext,
    records: ReadonlyMap<string, readonly SampleRecord[]>,
  ): Record<string, number | null> | Promise<Record<string, number | null>>;
}

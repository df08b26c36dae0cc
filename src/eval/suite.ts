// Suites: named sets of conditions plus suite-level metrics computed from per-condition ones.
import type { Condition } from './condition.js';
import type { ClassificationMetrics } from '../metrics/classification.js';
import type { LoadedModel } from '../model/load.js';
import type { OnnxClassifier } from '../model/classifier.js';
import type { Dataset } from '../data/dataset.js';
import type { SampleRecord } from '../store/store.js';
import { parseOptions, type OptionsSchema } from '../util/options.js';
import type { z } from 'zod';

export interface SuiteContext<Options = Record<string, unknown>> {
  readonly model: LoadedModel;
  readonly classifier: OnnxClassifier;
  readonly dataset: Dataset;
  readonly seed: number;
  /** Suite-specific options from the CLI or the library call, validated by the suite's schema; recorded with the run. */
  readonly options: Options;
  /** Worker threads the suite may use besides the main thread (0: none), as the run's `workers`. */
  readonly workers?: number;
  /** The suite's conditions, once listed (given to summarize, which reads their meta rather than their names). */
  readonly conditions?: readonly Condition[];
}

/**
 * A suite: a name, its options as a zod schema (the CLI's flags, help and validation derive from it; absent:
 * no options) and the factory of its conditions. Register it with `registerSuite` to run it by name.
 */
export interface Suite<S extends OptionsSchema = OptionsSchema> {
  readonly name: string;
  readonly description: string;
  /** Things about a finished run's suite metrics a user must know to read them (shown as warnings). */
  warnings?(suiteMetrics: Readonly<Record<string, number | null>>): string[];
  /** Why a suite metric can be null (shown instead of a bare dash), by metric name. */
  readonly metricNotes?: Readonly<Record<string, string>>;
  readonly options?: S;
  conditions(context: SuiteContext<z.output<S>>): Promise<Condition[]> | Condition[];
  /**
   * The options in full, the suite's defaults filled in (variants; a named protocol expanded into every setting it
   * fixes, explicit options applied): what the run records, hashes into its identity and hands to `conditions` and
   * `summarize` as `context.options`. A run made with a default and one naming it explicitly are the same run.
   */
  resolveOptions?(options: z.output<S>): Record<string, unknown>;
  /** The samples a suite evaluates when they are not just the given dataset (ImageNet-O adds its negatives). */
  prepareDataset?(dataset: Dataset, options: z.output<S>): Dataset;
  /**
   * Suite-level metrics (mCE, NSD, WCAR, flip fraction, ...) from the per-condition metrics and the
   * stored per-sample records of each condition; stored under noise '*'.
   */
  summarize?(
    perCondition: ReadonlyMap<string, ClassificationMetrics>,
    context: SuiteContext<z.output<S>>,
    records: ReadonlyMap<string, readonly SampleRecord[]>,
  ): Record<string, number | null> | Promise<Record<string, number | null>>;
}

/** A suite's options validated by its schema (passed through as given when the suite declares none). */
export function suiteOptions<S extends OptionsSchema>(suite: Suite<S>, raw: Record<string, unknown> | undefined): z.output<S> {
  return suite.options ? parseOptions(suite.options, raw, `suite ${suite.name}`) : ((raw ?? {}) as z.output<S>);
}

/** `raw` checked against the suite's schema and resolved as a run resolves it (defaults and derived settings filled in). */
export function resolvedSuiteOptions<S extends OptionsSchema>(suite: Suite<S>, raw: Record<string, unknown> | undefined): Record<string, unknown> {
  const parsed = suiteOptions(suite, raw);
  return suite.resolveOptions ? suite.resolveOptions(parsed) : parsed;
}

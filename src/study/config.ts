// A study: a matrix of models x datasets x suites, declared once in YAML and validated by one zod schema.
// Every cell (model x dataset x suite) becomes an ordinary stored run.
import { readFileSync, existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { yaml, z, lazyValue, type Zod } from '../util/native.js';
import { firstLineOf, RobustartError } from '../errors.js';
import { findSuite } from '../eval/run.js';
import { resolvedSuiteOptions } from '../eval/suite.js';
import { parseEpsilon } from '../noise/adversarial/threat.js';
import { loadExperiment, experimentFromMapping, type ExperimentConfig } from '../train/config.js';

// Built together on first use (zod loads lazily, and the schemas refer to one another): importing robustart
// costs nothing for a study it never reads.
let schemas: ReturnType<typeof buildStudySchemas> | undefined;
function buildStudySchemas() {
  const name = z.string().min(1).regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'letters, digits, . _ + - only (it names files and URLs)');
  const optionValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))]);

  const studyModelSchema = z
    .object({
      name,
      /** An ONNX image classifier (path relative to the study file). */
      onnx: z.string().min(1).optional(),
      /** A model-zoo preset (`robustart zoo list`) to build and train first, with `training`. */
      zoo: z.string().min(1).optional(),
      /** The zoo model's training config: a file (relative to the study file) or an inline mapping (which may name a `base` file). */
      training: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
      /** Changes to the training config, `key.path: value` as `robustart train --set` takes them (e.g. `techniques.label_smoothing: 0`). */
      set: z.record(z.string(), z.unknown()).optional(),
      /** Architecture family (colour in the architecture view). */
      family: z.string().min(1).default('unknown'),
      /** Training technique; 'baseline' is what the technique view compares against. */
      technique: z.string().min(1).default('baseline'),
      /** The architecture a technique variant belongs to (default: the family). */
      architecture: z.string().min(1).optional(),
      tags: z.record(z.string(), z.string()).default({}),
    })
    .strict()
    .refine((m) => (m.onnx === undefined) !== (m.zoo === undefined), { message: 'give exactly one of onnx (a model file) or zoo (a preset)' })
    .refine((m) => m.zoo === undefined || m.training !== undefined, { message: 'a zoo preset needs a training config (training: path/to/config.yaml)' })
    .refine((m) => m.training === undefined || m.zoo !== undefined, { message: 'training applies to a zoo preset (zoo: NAME); an ONNX model is evaluated as it is' })
    .refine((m) => m.set === undefined || m.training !== undefined, { message: 'set changes a training config; give training (and zoo) with it' });

  const studyDatasetSchema = z.object({ name, path: z.string().min(1), limit: z.number().int().positive().optional() }).strict();

  const studySuiteSchema = z
    .object({
      suite: z.string().min(1),
      /** Label of this suite entry when a study runs one suite twice with different options (default: the suite). */
      name: name.optional(),
      options: z.record(z.string(), optionValue).default({}),
      limit: z.number().int().positive().optional(),
    })
    .strict();

  /** Transfer attacks within the study: crafted on each source model, classified by every target model. */
  const studyTransferSchema = z
    .object({
      /** Models the attacks are crafted on (default: every model of the study). */
      sources: z.array(name).min(1).optional(),
      /** Models the adversarial images are classified by (default: every model of the study). */
      targets: z.array(name).min(1).optional(),
      /** L∞ budgets, e.g. "4/255,8/255" (default: the robustart-paper protocol's FGSM budgets). */
      eps: z.string().min(1).optional(),
      /** Also craft PGD-L∞ (the protocol's settings) besides FGSM. */
      pgd: z.boolean().default(false),
      /** A seeded random subset of each dataset (default: the dataset's limit). */
      limit: z.number().int().positive().optional(),
    })
    .strict();

  const studySchema = z
    .object({
      name,
      description: z.string().optional(),
      seed: z.number().int().nonnegative().default(0),
      /** Preprocessing worker threads per evaluation (0: main thread). */
      workers: z.number().int().nonnegative().optional(),
      batchSize: z.number().int().positive().optional(),
      models: z.array(studyModelSchema).min(1),
      datasets: z.array(studyDatasetSchema).min(1),
      suites: z.array(studySuiteSchema).min(1),
      transfer: studyTransferSchema.optional(),
    })
    .strict();
  return { studyModelSchema, studyDatasetSchema, studySuiteSchema, studyTransferSchema, studySchema };
}
const studySchemas = (): ReturnType<typeof buildStudySchemas> => (schemas ??= buildStudySchemas());

export const studyModelSchema = lazyValue(() => studySchemas().studyModelSchema);
export const studyDatasetSchema = lazyValue(() => studySchemas().studyDatasetSchema);
export const studySuiteSchema = lazyValue(() => studySchemas().studySuiteSchema);
export const studyTransferSchema = lazyValue(() => studySchemas().studyTransferSchema);
export const studySchema = lazyValue(() => studySchemas().studySchema);

export type StudyModel = Zod.infer<typeof studyModelSchema> & {
  /** A zoo model's resolved training config (preset, name and `set` applied): what its training cell trains. */
  readonly experiment?: ExperimentConfig;
};
export type StudyDataset = Zod.infer<typeof studyDatasetSchema> & {
  /** The path as the study file wrote it (relative to the file): part of a cell's identity, so a study moved with its data keeps its cells. */
  readonly declaredPath?: string;
};
export type StudyTransfer = Zod.infer<typeof studyTransferSchema>;
export type StudySuite = Zod.infer<typeof studySuiteSchema> & { readonly name: string };
export type Study = Omit<Zod.infer<typeof studySchema>, 'suites' | 'datasets' | 'models'> & {
  readonly models: StudyModel[];
  readonly datasets: StudyDataset[];
  readonly suites: StudySuite[];
  /** SHA-256 of each model file when the study was run (kept with the stored study, so its cells are known without the files). */
  readonly modelHashes?: Record<string, string>;
};

function duplicates(names: readonly string[]): string[] {
  return [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
}

/** Validates a parsed study; relative paths resolve against `baseDir` (the study file's folder). */
export function parseStudy(raw: unknown, baseDir: string, source = 'study'): Study {
  const parsed = studySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RobustartError(`${source}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const study = parsed.data;
  const at = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const suites = study.suites.map((s) => ({ ...s, name: s.name ?? s.suite }));
  for (const [what, names] of [['model', study.models.map((m) => m.name)], ['dataset', study.datasets.map((d) => d.name)], ['suite', suites.map((s) => s.name)]] as const) {
    const twice = duplicates(names);
    if (twice.length) throw new RobustartError(`${source}: ${what} name ${twice[0]} appears twice; give each ${what} its own name`);
  }
  for (const s of suites) {
    const suite = findSuite(s.suite);
    // Options are checked as the run would check them, so a typo fails the file at once, not every cell once it runs.
    try {
      resolvedSuiteOptions(suite, s.options);
    } catch (err) {
      if (err instanceof RobustartError) throw new RobustartError(`${source}: suites.${s.name}: ${err.message}`);
      throw err;
    }
  }
  const models = new Set(study.models.map((m) => m.name));
  for (const [role, list] of [['sources', study.transfer?.sources], ['targets', study.transfer?.targets]] as const) {
    const unknown = list?.find((n) => !models.has(n));
    if (unknown) throw new RobustartError(`${source}: transfer.${role}: ${unknown} is not a model of this study; name models from models:`);
  }
  if (study.transfer?.eps !== undefined) {
    try {
      study.transfer.eps.split(',').map(parseEpsilon);
    } catch (err) {
      throw new RobustartError(`${source}: transfer.eps: ${(err as Error).message}`);
    }
  }
  return {
    ...study,
    models: study.models.map((m) => (m.onnx !== undefined ? { ...m, onnx: at(m.onnx) } : { ...m, experiment: zooExperiment(m, baseDir, source) })),
    datasets: study.datasets.map((d) => ({ ...d, path: at(d.path), declaredPath: d.path })),
    suites,
  };
}

/** The training config of a zoo model: its file or inline mapping, with the preset, the model's name and `set` applied. */
function zooExperiment(m: Zod.infer<typeof studyModelSchema>, baseDir: string, source: string): ExperimentConfig {
  const overrides = [`model=${JSON.stringify({ zoo: m.zoo })}`, `name=${JSON.stringify(m.name)}`, ...Object.entries(m.set ?? {}).map(([key, value]) => `${key}=${JSON.stringify(value)}`)];
  try {
    if (typeof m.training === 'string') return loadExperiment(resolve(baseDir, m.training), overrides);
    return experimentFromMapping(m.training!, resolve(baseDir, `${basename(source)}#models.${m.name}.training`), overrides);
  } catch (err) {
    if (err instanceof RobustartError) throw new RobustartError(`${source}: model ${m.name}: ${err.message}`);
    throw err;
  }
}

export function loadStudy(path: string): Study {
  if (!existsSync(path)) throw new RobustartError(`study file not found: ${path}; pass the path of a study YAML file`);
  let raw: unknown;
  try {
    raw = yaml.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new RobustartError(`${path} is not valid YAML: ${firstLineOf(err)}`);
  }
  return parseStudy(raw, dirname(resolve(path)), path);
}

// The experiment config: one file (YAML or JSON) says how a model is trained — model, data, transforms,
// optimizer, schedule, techniques, epochs, batch size, seed — in the field names of RobustART's configs
// and timm's arguments. Validated here; the resolved config is recorded with the run and in the
// exported model.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { nodeCrypto, yaml, z, lazyValue, type Zod } from '../util/native.js';
import { firstLineOf, RobustartError } from '../errors.js';

/** Builders of src/model/builders with their knobs (input size and classes come from the data). */
export const BUILDERS = ['small-cnn', 'resnet', 'vit', 'mixer'] as const;

// Built on first use (zod loads lazily): importing robustart costs nothing for configs it never reads.
function buildExperimentSchema() {
  const positive = z.number().positive();
  const fraction = z.number().min(0).max(1);

  const modelSchema = z.union([
    z.object({
      builder: z.enum(BUILDERS),
      /** The builder's own options (e.g. widths, hidden for small-cnn; block, layers, width, stem for resnet). */
      options: z.record(z.string(), z.unknown()).default({}),
    }).strict(),
    z.object({
      /** An ONNX classifier (normalised NCHW input, logits output) whose initializers are trained. */
      onnx: z.string(),
    }).strict(),
    z.object({
      /** A model-zoo preset (`robustart zoo list`), built at the data's input size and class count. */
      zoo: z.string(),
      /** Width and depth multipliers and option overrides, as `robustart zoo build` takes them. */
      width: z.number().positive().optional(),
      depth: z.number().positive().optional(),
      options: z.record(z.string(), z.unknown()).default({}),
    }).strict(),
  ]);

  const dataSetSchema = z.union([
    z.literal('fashion-mnist'),
    z.object({ kind: z.enum(['imagefolder', 'csv']), path: z.string() }).strict(),
  ]);

  const dataSchema = z.object({
    train: dataSetSchema.default('fashion-mnist'),
    test: dataSetSchema.default('fashion-mnist'),
    /** Use only the first N training / test images (quick runs). */
    train_limit: z.number().int().positive().optional(),
    test_limit: z.number().int().positive().optional(),
    /** Model input [C, H, W]; Fashion-MNIST is 3 × 32 × 32 through the demo pipeline. */
    input_size: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]).default([3, 32, 32]),
    /** Test transform: resize the shorter side to H / crop_pct, centre-crop H × W (timm eval). */
    crop_pct: fraction.default(0.875),
    interpolation: z.enum(['bilinear', 'bicubic']).default('bicubic'),
    /** Normalisation; computed from the training images when absent. */
    mean: z.array(z.number()).length(3).optional(),
    std: z.array(positive).length(3).optional(),
  }).strict();

  const transformsSchema = z.object({
    random_resized_crop: z.object({ scale: z.tuple([fraction, fraction]).default([0.08, 1]), ratio: z.tuple([positive, positive]).default([3 / 4, 4 / 3]) }).strict().nullable().default(null),
    hflip: fraction.default(0.5),
    /** AutoAugment with the ImageNet policy (RobustART's AUTOAUG transforms). */
    auto_augment: z.literal('imagenet').nullable().default(null),
    rand_augment: z.object({ num_ops: z.number().int().min(0).default(2), magnitude: z.number().int().min(0).default(9), num_bins: z.number().int().min(2).default(31) }).strict().nullable().default(null),
    /** AugMix (torchvision defaults); jsd: train on [clean, augmix, augmix] with jsd_weight·JS (the paper's λ = 12). */
    augmix: z.object({ severity: z.number().int().min(1).max(10).default(3), width: z.number().int().positive().default(3), depth: z.number().int().default(-1), alpha: positive.default(1), jsd: z.boolean().default(true), jsd_weight: z.number().min(0).default(12) }).strict().nullable().default(null),
    color_jitter: z.object({ brightness: z.number().min(0).default(0), contrast: z.number().min(0).default(0), saturation: z.number().min(0).default(0), hue: z.number().min(0).max(0.5).default(0) }).strict().nullable().default(null),
  }).strict();

  const optimizerSchema = z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('sgd'), momentum: z.number().min(0).default(0.9), nesterov: z.boolean().default(false), weight_decay: z.number().min(0).default(1e-4), no_wd: z.boolean().default(false), clip_grad_norm: positive.nullable().default(null) }).strict(),
    z.object({ kind: z.literal('adamw'), betas: z.tuple([fraction, fraction]).default([0.9, 0.999]), eps: positive.default(1e-8), weight_decay: z.number().min(0).default(0.05), no_wd: z.boolean().default(true), clip_grad_norm: positive.nullable().default(null) }).strict(),
  ]);

  const scheduleSchema = z.object({
    base_lr: z.number().min(0),
    /** Peak learning rate reached at the end of warm-up (defaults to base_lr: no ramp). */
    warmup_lr: z.number().min(0).optional(),
    min_lr: z.number().min(0).default(0),
    warmup_epochs: z.number().min(0).default(0),
  }).strict();

  const techniquesSchema = z.object({
    label_smoothing: z.number().min(0).max(1).default(0),
    ema: z.object({ decay: z.number().gt(0).lt(1) }).strict().nullable().default(null),
    mixup: z.object({ mixup_alpha: z.number().min(0).default(0.2), cutmix_alpha: z.number().min(0).default(1.0), switch_prob: fraction.default(0.5) }).strict().nullable().default(null),
    adversarial: z.object({
      /** L∞ budget in [0,1] pixel units. */
      eps: positive,
      steps: z.number().int().positive(),
      /** Default eps / 15 (RobustART: foolbox rel_stepsize 1/15); for TRADES eps · 0.007 / 0.031 (the reference's ratio). */
      step_size: positive.optional(),
      /** PGD: uniform start in the ε-ball; TRADES always starts at x + 0.001·N(0, I). */
      random_start: z.boolean().default(true),
      /** clean-adversarial (RobustART), adversarial (examples only), trades (Zhang et al. 2019: CE + β·KL). */
      mode: z.enum(['clean-adversarial', 'adversarial', 'trades']).default('clean-adversarial'),
      /** TRADES' weight on KL(f(x) ‖ f(x′)) (the reference's 6). */
      beta: positive.default(6),
    }).strict().nullable().default(null),
    distillation: z.object({ teacher: z.string(), temperature: positive.default(4), alpha: fraction.default(0.9) }).strict().nullable().default(null),
    /**
     * Dropout rate (timm drop_rate): the model's own dropout where its builder has one (EfficientNet,
     * MobileNet, ViT), else on the classifier's input features; null keeps the model's own rate (none
     * added). Dropout nodes of an ONNX model keep their own ratio.
     */
    dropout: z.number().min(0).lt(1).nullable().default(null),
    /**
     * Drop-path (stochastic depth) rate of the last residual block, rising linearly from 0 over the blocks
     * (timm drop_path_rate; DeiT 0.1); for zoo / builder models with residual branches (ViT, Mixer, ConvNeXt,
     * EfficientNet). null keeps the preset's rate; 0 switches it off.
     */
    drop_path: z.number().min(0).lt(1).nullable().default(null),
    /** Regular expressions of parameter names not to train (fine-tuning). */
    frozen: z.array(z.string()).default([]),
  }).strict();

  return z.object({
    /** Another config file this one changes (deep-merged underneath; relative to this file): one-change ablations. */
    base: z.string().optional(),
    name: z.string().default('experiment'),
    seed: z.number().int().default(0),
    epochs: z.number().int().positive(),
    batch_size: z.number().int().positive(),
    model: modelSchema,
    data: dataSchema.default(dataSchema.parse({})),
    transforms: transformsSchema.default(transformsSchema.parse({})),
    optimizer: optimizerSchema,
    schedule: scheduleSchema,
    techniques: techniquesSchema.default(techniquesSchema.parse({})),
    /** onnxruntime intra-op threads (default all cores); not part of the recipe. */
    threads: z.number().int().positive().optional(),
  }).strict();
}

export const experimentSchema = lazyValue(buildExperimentSchema);

export type ExperimentConfig = Zod.infer<typeof experimentSchema>;

/** Identity of a recipe: the config without the fields that do not change the result. */
export function runKey(config: ExperimentConfig): string {
  const { threads: _threads, base: _base, ...recipe } = config;
  return nodeCrypto.createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 16);
}

/** RobustART's step size for PGD training: ε / 15 (foolbox rel_stepsize 1/15). */
export const PGD_TRAIN_REL_STEPSIZE = 1 / 15;

/** Parses "key.path=value" overrides; values are YAML scalars or flow collections ("[1,2]", "null"). */
export function applyOverrides(raw: Record<string, unknown>, overrides: readonly string[]): Record<string, unknown> {
  const out = structuredClone(raw);
  for (const item of overrides) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new RobustartError(`override '${item}' is not key=value (e.g. techniques.label_smoothing=0)`);
    const path = item.slice(0, eq).split('.');
    const value = yaml.parse(item.slice(eq + 1));
    let node: Record<string, unknown> = out;
    for (const key of path.slice(0, -1)) {
      if (node[key] === null || typeof node[key] !== 'object') node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = value;
  }
  return out;
}

/** Validates a parsed config; errors name the field and the problem. */
export function parseExperiment(raw: unknown, source = 'config'): ExperimentConfig {
  const parsed = experimentSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RobustartError(`${source}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Reads a YAML or JSON experiment file, applies overrides, validates, and resolves relative paths against the file's folder. */
export function loadExperiment(path: string, overrides: readonly string[] = []): ExperimentConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new RobustartError(`cannot read experiment config ${path}; check the path`);
  }
  let raw: unknown;
  try {
    raw = yaml.parse(text);
  } catch (error) {
    throw new RobustartError(`${path} is not valid YAML/JSON: ${firstLineOf(error)}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new RobustartError(`${path} must hold a mapping of experiment fields (model, data, optimizer, schedule, …)`);
  return experimentFromMapping(raw as Record<string, unknown>, path, overrides);
}

/**
 * A config given as a mapping (e.g. inline in a study file) as if it were the file `path`: its `base` and relative
 * paths resolve against the folder of `path`, and errors name `path`.
 */
export function experimentFromMapping(raw: Record<string, unknown>, path: string, overrides: readonly string[] = []): ExperimentConfig {
  const config = parseExperiment(applyOverrides(withBase(raw, path, [resolve(path)]), overrides), path);
  return resolvePaths(config, dirname(resolve(path)));
}

/** The config merged over its `base` chain; paths in a base stay relative to the file that names the leaf. */
function withBase(raw: Record<string, unknown>, path: string, seen: string[]): Record<string, unknown> {
  if (typeof raw.base !== 'string') return raw;
  const basePath = resolve(dirname(path), raw.base);
  if (seen.includes(basePath)) throw new RobustartError(`${path}: base ${raw.base} makes a cycle; a config cannot be its own base`);
  let text: string;
  try {
    text = readFileSync(basePath, 'utf8');
  } catch {
    throw new RobustartError(`${path}: cannot read base config ${raw.base}; check the path (relative to this file)`);
  }
  const parent = yaml.parse(text) as Record<string, unknown>;
  const { base: _base, ...rest } = raw;
  return deepMerge(withBase(parent, basePath, [...seen, basePath]), rest);
}

/** Mappings merge key by key, except that a mapping with another `kind` (a different optimizer) replaces. */
function deepMerge(under: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  if ('kind' in over && over.kind !== under.kind) return over;
  const out: Record<string, unknown> = { ...under };
  for (const [k, v] of Object.entries(over)) {
    const u = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && u && typeof u === 'object' && !Array.isArray(u) ? deepMerge(u as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

function resolvePaths(config: ExperimentConfig, base: string): ExperimentConfig {
  const at = (p: string) => resolve(base, p);
  const set = (d: ExperimentConfig['data']['train']) => (typeof d === 'string' ? d : { ...d, path: at(d.path) });
  return {
    ...config,
    model: 'onnx' in config.model ? { onnx: at(config.model.onnx) } : config.model,
    data: { ...config.data, train: set(config.data.train), test: set(config.data.test) },
    techniques: { ...config.techniques, distillation: config.techniques.distillation ? { ...config.techniques.distillation, teacher: at(config.techniques.distillation.teacher) } : null },
  };
}

// A NAS search space as data: the dimensions BigNAS-style spaces search (input resolution, stem kernel
// and width, per stage its width, depth, kernel and expand ratio), each a list of allowed values, in one
// schema-validated YAML/JSON file with a content hash that every extracted subnet records. A subnet is a
// choice of one value per dimension, held as a flat record keyed by dimension name ('stage2.width'),
// so analyses read the dimensions without knowing the space's layout.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { nodeCrypto, yaml, z, lazyValue, type Zod } from '../util/native.js';
import { canonicalJson } from '../util/json.js';
import { firstLineOf, RobustartError } from '../errors.js';
import type { Rng } from '../util/rng.js';

const choices = () => z.array(z.number().int().positive()).min(1);

export const spaceSchema = lazyValue(() =>
  z
    .object({
      name: z.string().min(1).regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'letters, digits, . _ + - only (it names files and models)'),
      description: z.string().optional(),
      /** 'resnet': basic residual blocks (two k×k convs, ReLU after the add); 'mobilenet': inverted residuals (1×1 expand, k×k depthwise, 1×1 project, ReLU6, linear bottleneck). */
      block: z.enum(['resnet', 'mobilenet']),
      channels: z.literal(3).default(3),
      classes: z.number().int().min(2),
      resolution: choices(),
      /** Normalisation written into every subnet's metadata (timm's mean/std); a trained supernet's own statistics take precedence. */
      mean: z.tuple([z.number(), z.number(), z.number()]).default([0.485, 0.456, 0.406]),
      std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]).default([0.229, 0.224, 0.225]),
      stem: z.object({
        kernel: z.array(z.number().int().positive().refine((k) => k % 2 === 1, 'kernels are odd (centred crops)')).min(1),
        width: choices(),
        stride: z.number().int().positive().default(1),
        /** A 3×3/2 max-pool after the stem (torchvision's ImageNet ResNet stem). */
        pool: z.boolean().default(false),
      }).strict(),
      stages: z
        .array(
          z.object({
            width: choices(),
            depth: choices(),
            stride: z.number().int().positive().default(1),
            kernel: z.array(z.number().int().positive().refine((k) => k % 2 === 1, 'kernels are odd (centred crops)')).min(1).default([3]),
            /** Mid channels of a block as a ratio: of the stage width (resnet) or of the block's input width (mobilenet). */
            expand: z.array(z.number().positive()).min(1),
          }).strict(),
        )
        .min(1),
    })
    .strict(),
);

export type SearchSpace = Zod.output<typeof spaceSchema>;
export type StageSpace = SearchSpace['stages'][number];

/** One value per dimension, keyed by dimension name ('resolution', 'stem.kernel', 'stage1.width', …). */
export type Choices = Record<string, number>;

/** The dimensions of a space and their allowed values (sorted ascending), in a fixed order. */
export function dimensions(space: SearchSpace): { name: string; values: number[] }[] {
  const sorted = (v: readonly number[]) => [...new Set(v)].sort((a, b) => a - b);
  const dims = [
    { name: 'resolution', values: sorted(space.resolution) },
    { name: 'stem.kernel', values: sorted(space.stem.kernel) },
    { name: 'stem.width', values: sorted(space.stem.width) },
  ];
  space.stages.forEach((s, i) => {
    const at = `stage${i + 1}`;
    dims.push({ name: `${at}.width`, values: sorted(s.width) }, { name: `${at}.depth`, values: sorted(s.depth) }, { name: `${at}.kernel`, values: sorted(s.kernel) }, { name: `${at}.expand`, values: sorted(s.expand) });
  });
  return dims;
}

/** SHA-256 (16 hex) of the space's canonical JSON: two files describing the same space share it. */
export function spaceHash(space: SearchSpace): string {
  return nodeCrypto.createHash('sha256').update(canonicalJson(space)).digest('hex').slice(0, 16);
}

export function parseSpace(raw: unknown, source = 'search space'): SearchSpace {
  const parsed = spaceSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RobustartError(`${source}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}

export function loadSpace(path: string): SearchSpace {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new RobustartError(`cannot read search space ${path}; give the path of a space file (YAML or JSON, e.g. nas/spaces/${basename(path)})`);
  }
  let raw: unknown;
  try {
    raw = yaml.parse(text);
  } catch (error) {
    throw new RobustartError(`${path} is not valid YAML/JSON: ${firstLineOf(error)}`);
  }
  return parseSpace(raw, path);
}

/** Every dimension at its largest value: the supernet. */
export function largestChoices(space: SearchSpace): Choices {
  return Object.fromEntries(dimensions(space).map((d) => [d.name, d.values[d.values.length - 1]]));
}

/** Every dimension at its smallest value. */
export function smallestChoices(space: SearchSpace): Choices {
  return Object.fromEntries(dimensions(space).map((d) => [d.name, d.values[0]]));
}

/** One value per dimension, each uniform over its allowed values. */
export function randomChoices(space: SearchSpace, rng: Rng): Choices {
  return Object.fromEntries(dimensions(space).map((d) => [d.name, d.values[rng.int(d.values.length)]]));
}

/** Checks that `choices` names every dimension of the space with an allowed value (and nothing else). */
export function checkChoices(space: SearchSpace, choices: Choices): void {
  const dims = dimensions(space);
  for (const d of dims) {
    if (!(d.name in choices)) throw new RobustartError(`subnet choices miss dimension ${d.name} of space ${space.name}`);
    if (!d.values.includes(choices[d.name])) throw new RobustartError(`subnet choice ${d.name} = ${choices[d.name]} is not in space ${space.name} (allowed: ${d.values.join(', ')})`);
  }
  const extra = Object.keys(choices).filter((k) => !dims.some((d) => d.name === k));
  if (extra.length) throw new RobustartError(`subnet choices name ${extra[0]}, which space ${space.name} does not have`);
}

/** Stable id of a subnet: 12 hex of the SHA-256 of its canonical choices. */
export function subnetId(choices: Choices): string {
  return nodeCrypto.createHash('sha256').update(canonicalJson(choices)).digest('hex').slice(0, 12);
}

/** Channels of a block's middle layer: the ratio times the base width, at least one. */
export function midChannels(expand: number, base: number): number {
  return Math.max(1, Math.round(expand * base));
}

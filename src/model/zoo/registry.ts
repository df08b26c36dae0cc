// The architecture registry: a family of models is one registration (a name, its RobustART family,
// a zod schema of its options, named presets mirroring torchvision/timm models, and a build function),
// and every tool (the `zoo` command, parameter checks, training) reaches builders through it.
import type { Zod as z } from '../../util/native.js';
import type { Graph } from '../../onnx/graph.js';
import type { ArchitectureFamily, ImageModelConfig } from '../builders/graph-builder.js';
import { RobustartError } from '../../errors.js';

/** What every build receives besides the family's own options. */
export interface BuildSettings extends ImageModelConfig {
  /** Width multiplier over the preset's channels (1: as the preset). */
  readonly width: number;
  /** Depth multiplier over the preset's blocks per stage (1: as the preset). */
  readonly depth: number;
}

export interface Preset<O> {
  readonly options: O;
  /** Native input resolution (square). */
  readonly resolution: number;
  /** The reference model this preset mirrors, e.g. 'torchvision:resnet50' or 'timm:deit_tiny_patch16_224'. */
  readonly reference?: string;
  readonly channels?: number;
  readonly classes?: number;
  /** A reduced model for this machine (Fashion-MNIST-sized input, 10 classes). */
  readonly small?: boolean;
}

export interface Architecture<O = unknown> {
  readonly family: ArchitectureFamily;
  readonly schema: z.ZodType<O>;
  readonly presets: Readonly<Record<string, Preset<O>>>;
  readonly build: (options: O, settings: BuildSettings) => Graph;
  /** One line naming the family and the reference code it follows. */
  readonly description: string;
  /**
   * Other exporters' parameter names mapped to this builder's (e.g. timm's ViT names onto
   * torchvision's), for importing weights; the names the builder uses need no entry.
   */
  readonly weightAliases?: (sourceName: string) => string | undefined;
}

const architectures = new Map<string, Architecture<unknown>>();
const presetIndex = new Map<string, string>();

export function registerArchitecture<O>(name: string, architecture: Architecture<O>): void {
  if (architectures.has(name)) throw new RobustartError(`architecture ${name} is already registered; choose another name`);
  for (const preset of Object.keys(architecture.presets)) {
    if (presetIndex.has(preset)) throw new RobustartError(`preset ${preset} of ${name} is already a preset of ${presetIndex.get(preset)}; choose another name`);
  }
  architectures.set(name, architecture as unknown as Architecture<unknown>);
  for (const preset of Object.keys(architecture.presets)) presetIndex.set(preset, name);
}

export function architectureNames(): string[] {
  return [...architectures.keys()];
}

export function getArchitecture(name: string): Architecture<unknown> {
  const a = architectures.get(name);
  if (!a) throw new RobustartError(`unknown architecture ${name}; known: ${architectureNames().join(', ')}`);
  return a;
}

export interface PresetEntry {
  readonly name: string;
  readonly architecture: string;
  readonly family: ArchitectureFamily;
  readonly preset: Preset<unknown>;
}

export function presetEntries(): PresetEntry[] {
  const entries: PresetEntry[] = [];
  for (const [architecture, a] of architectures) {
    for (const [name, preset] of Object.entries(a.presets)) entries.push({ name, architecture, family: a.family, preset: preset as Preset<unknown> });
  }
  return entries;
}

export function findPreset(name: string): PresetEntry {
  const architecture = presetIndex.get(name);
  if (!architecture) throw new RobustartError(`unknown model ${name}: no zoo preset has this name`);
  const a = architectures.get(architecture)!;
  return { name, architecture, family: a.family, preset: a.presets[name] as Preset<unknown> };
}

export interface BuildRequest {
  readonly width?: number;
  readonly depth?: number;
  readonly resolution?: number;
  readonly classes?: number;
  readonly channels?: number;
  readonly seed?: number;
  readonly initialize?: boolean;
  readonly shapesOnly?: boolean;
  /** Option overrides, validated by the architecture's schema. */
  readonly options?: Record<string, unknown>;
}

/** Builds a preset, optionally rescaled; the graph's metadata names the preset and its family. */
export function buildPreset(name: string, request: BuildRequest = {}): Graph {
  const entry = findPreset(name);
  const p = entry.preset;
  const graph = buildArchitecture(entry.architecture, { ...(p.options as object), ...request.options }, {
    ...request,
    resolution: request.resolution ?? p.resolution,
    classes: request.classes ?? p.classes,
    channels: request.channels ?? p.channels,
  }, name);
  graph.metadata.architecture = JSON.stringify(name);
  if (p.reference) graph.metadata.reference = JSON.stringify(p.reference);
  return graph;
}

/** Builds an architecture from explicit options (validated by its schema); parameters carry reference names. */
export function buildArchitecture(architecture: string, options: unknown, request: BuildRequest & { resolution: number }, label = architecture): Graph {
  const a = getArchitecture(architecture);
  const parsed = a.schema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RobustartError(`options of ${label}: ${issue.path.join('.') || 'options'}: ${issue.message}`);
  }
  const settings: BuildSettings = {
    inputSize: [request.channels ?? 3, request.resolution, request.resolution],
    numClasses: request.classes ?? 1000,
    width: request.width ?? 1,
    depth: request.depth ?? 1,
    seed: request.seed,
    initialize: request.initialize,
    shapesOnly: request.shapesOnly,
    referenceNames: true,
  };
  for (const [k, v] of Object.entries({ width: settings.width, depth: settings.depth, resolution: request.resolution, classes: settings.numClasses, channels: settings.inputSize[0] })) {
    if (!(Number.isFinite(v) && v > 0)) throw new RobustartError(`${k} of ${label} must be a positive number (got ${v})`);
  }
  for (const [k, v] of Object.entries({ resolution: request.resolution, classes: settings.numClasses, channels: settings.inputSize[0] })) {
    if (!Number.isInteger(v)) throw new RobustartError(`${k} of ${label} must be a whole number (got ${v})`);
  }
  const graph = a.build(parsed.data, settings);
  graph.metadata.architecture = JSON.stringify(label);
  graph.metadata.family = JSON.stringify(a.family);
  return graph;
}

/** Round a scaled channel count to a multiple of `divisor` (torchvision's _make_divisible). */
export function makeDivisible(value: number, divisor = 8, minValue?: number): number {
  const rounded = Math.max(minValue ?? divisor, Math.floor((value + divisor / 2) / divisor) * divisor);
  return rounded < 0.9 * value ? rounded + divisor : rounded;
}

/** Blocks per stage scaled by a depth multiplier (at least one). */
export function scaleDepth(blocks: number, multiplier: number): number {
  return Math.max(1, Math.ceil(blocks * multiplier));
}

/** Channels scaled by a width multiplier (rounded, at least one). */
export function scaleWidth(channels: number, multiplier: number): number {
  return Math.max(1, Math.round(channels * multiplier));
}

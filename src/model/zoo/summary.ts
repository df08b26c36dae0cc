// One line of the zoo's catalogue: a preset with its parameter and MAC counts at native resolution.
import { buildPreset, findPreset, presetEntries, type BuildRequest } from './registry.js';
import { parameterCount, macCount } from './complexity.js';
import type { ArchitectureFamily } from '../builders/graph-builder.js';

export interface PresetSummary {
  readonly name: string;
  readonly architecture: string;
  readonly family: ArchitectureFamily;
  readonly parameters: number;
  readonly macs: number;
  readonly resolution: number;
  readonly channels: number;
  readonly classes: number;
  readonly reference: string | null;
  readonly small: boolean;
  readonly options: unknown;
}

/** Counts come from a shapes-only build (no weight values), so any size is cheap. */
export function summarizePreset(name: string, request: BuildRequest = {}): PresetSummary {
  const { architecture, family, preset } = findPreset(name);
  const graph = buildPreset(name, { ...request, shapesOnly: true });
  const [channels, resolution] = JSON.parse(graph.metadata.input_size) as number[];
  return {
    name,
    architecture,
    family,
    parameters: parameterCount(graph),
    macs: macCount(graph),
    resolution,
    channels,
    classes: Number(graph.metadata.num_classes),
    reference: preset.reference ?? null,
    small: preset.small ?? false,
    options: preset.options,
  };
}

/** Every preset, optionally of one family (CNN, ViT, MLP) or architecture (resnet, vit, …). */
export function zooCatalogue(filter?: string): PresetSummary[] {
  return presetEntries()
    .filter((e) => !filter || e.family.toLowerCase() === filter.toLowerCase() || e.architecture === filter)
    .map((e) => summarizePreset(e.name));
}

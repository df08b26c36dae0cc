// A worker's own copy of the data lives elsewhere than the coordinator's: FROM=TO prefixes rewrite the paths
// that travel in a shard (the dataset root, and path-valued suite options such as a pre-made ImageNet-C tree).
import { RobustartError } from '../errors.js';

export interface PathMapping {
  readonly from: string;
  readonly to: string;
}

export function parsePathMapping(text: string): PathMapping {
  const eq = text.indexOf('=');
  if (eq <= 0 || eq === text.length - 1) throw new RobustartError(`path mapping '${text}' must be FROM=TO (the coordinator's path, then this machine's)`);
  return { from: text.slice(0, eq).replace(/\/+$/, ''), to: text.slice(eq + 1).replace(/\/+$/, '') };
}

/** The first mapping whose FROM is the path or a folder above it wins; unmapped paths pass unchanged. */
export function mapPath(path: string, mappings: readonly PathMapping[]): string {
  for (const { from, to } of mappings) {
    if (path === from) return to;
    if (path.startsWith(`${from}/`)) return to + path.slice(from.length);
  }
  return path;
}

export function mapOptionPaths(options: Record<string, unknown>, mappings: readonly PathMapping[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).map(([key, value]) => [key, typeof value === 'string' ? mapPath(value, mappings) : value]));
}

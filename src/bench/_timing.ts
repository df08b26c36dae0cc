// Shared helpers for benchmarks: wall-clock timing and peak memory.
import { RobustartError } from '../errors.js';

export interface Timing {
  readonly seconds: number;
  readonly items: number;
  readonly perSecond: number;
}

/** Runs `fn` once as warm-up (unless warmup is false), then times one call doing `items` units of work. */
export async function timeIt(items: number, fn: () => Promise<unknown>, warmup = true): Promise<Timing> {
  if (warmup) await fn();
  const start = process.hrtime.bigint();
  await fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, items, perSecond: items / seconds };
}

/** Peak resident set size of this process so far, in MiB (Linux: ru_maxrss is in KiB). */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function flag(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0 || args[i + 1] === undefined) return fallback;
  const value = Number(args[i + 1]);
  if (args[i + 1].trim() === '' || !Number.isFinite(value)) throw new RobustartError(`--${name} ${args[i + 1]} is not a number; pass one, e.g. --${name} ${fallback}`);
  return value;
}

/** The string value of `--name` in `args`, or `fallback` when the flag or its value is missing. */
export function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
}

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

// Bench flags are read from the raw arguments in both forms node's parseArgs accepts, `--name value` and
// `--name=value`: reading only one would let the other pass unnoticed and the bench run with its default.

/** Whether `--name` is among `args`, alone, with a value after it or as `--name=value`. */
export function given(args: readonly string[], name: string): boolean {
  return args.some((a) => a === `--${name}` || a.startsWith(`--${name}=`));
}

/** The text of `--name value` or `--name=value` (the first given), or undefined when absent or without a value. */
function valueOf(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) return args[i + 1];
    if (args[i].startsWith(`--${name}=`)) return args[i].slice(name.length + 3);
  }
  return undefined;
}

/** The number given for `--name`, or `fallback` when the flag or its value is missing; a one-line error when not a number. */
export function flag(args: readonly string[], name: string, fallback: number): number {
  const text = valueOf(args, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new RobustartError(`--${name} ${text} is not a number; pass one, e.g. --${name} ${fallback}`);
  return value;
}

/** The string value of `--name` in `args`, or `fallback` when the flag or its value is missing. */
export function option(args: readonly string[], name: string, fallback: string): string {
  return valueOf(args, name) ?? fallback;
}

/** The comma-separated values of `--name` in `args`, or `fallback` when the flag or its value is missing or empty. */
export function list(args: readonly string[], name: string, fallback: string[]): string[] {
  const text = option(args, name, '');
  return text ? text.split(',') : fallback;
}

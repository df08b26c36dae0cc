// One CLI subcommand: its flags (node:util parseArgs options), a one-line summary, and its action.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RobustartError } from '../errors.js';
import { ATTACKS } from '../noise/adversarial/registry.js';
import { MAX_SEED } from '../util/rng.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Shown by `robustart <name> --help`, one flag per line. */
  readonly usage: string;
  readonly options: OptionSpec;
  /** Takes positional arguments (e.g. `models show NAME`). */
  readonly positionals?: boolean;
  run(values: Record<string, string | boolean | string[] | boolean[] | undefined>, positionals: string[]): Promise<number | void>;
}

/**
 * Parses argv strictly: an unknown or malformed flag is a one-line error naming the flag. A negative number after
 * a flag that takes a value (`--limit -1`) is that flag's value, so the range check below names it, rather than
 * parseArgs calling it an ambiguous argument. Flags shared by several commands are range-checked here, once.
 */
export function parseCommandArgs(command: Command, argv: string[]) {
  const args = argv.map((arg, i) => {
    const flag = argv[i - 1]?.startsWith('--') ? command.options[argv[i - 1].slice(2)] : undefined;
    return flag?.type === 'string' && /^-[0-9.]/.test(arg) ? `\0${arg}` : arg;
  });
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(args), options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: command.positionals ?? false, strict: true });
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0].replace(/\. To specify a positional argument.*$/, '').replace(/^Unknown option/, 'unknown flag');
    throw new RobustartError(`${command.name}: ${msg}; see robustart ${command.name} --help`);
  }
  if (!parsed.values.help) checkSharedFlags(parsed.values as Record<string, unknown>);
  return parsed;
}

/** `--flag`, `\0-1` -> `--flag=-1` (the marker is set above only for values of string flags). */
function joinNegativeValues(args: string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    if (arg.startsWith('\0')) out[out.length - 1] += `=${arg.slice(1)}`;
    else out.push(arg);
  }
  return out;
}


/** Range checks of the flags that mean the same in every command that takes them. */
function checkSharedFlags(values: Record<string, unknown>): void {
  for (const name of ['limit', 'batch-size', 'threads', 'steps', 'restarts', 'queries', 'epochs']) {
    if (values[name] !== undefined) numberFlag(values, name, 0, { min: 1, integer: true });
  }
  if (values.workers !== undefined) numberFlag(values, 'workers', 0, { min: 0, integer: true });
  if (values.seed !== undefined) numberFlag(values, 'seed', 0, { min: 0, max: MAX_SEED, integer: true });
  if (typeof values.eps === 'string') checkEpsilons(values.eps, linfBudget(values));
}

/** Whether --eps is an L∞ budget: --norm linf, or no --norm and the attack's default norm is L∞. */
function linfBudget(values: Record<string, unknown>): boolean {
  if (typeof values.norm === 'string') return /^l?-?(inf|∞)$/i.test(values.norm) || values.norm.toLowerCase() === 'linf';
  if (typeof values.attack !== 'string') return false;
  return ATTACKS.find((a) => a.name === String(values.attack).toLowerCase())?.norms[0] === 'linf';
}

function checkEpsilons(text: string, linf: boolean): void {
  for (const token of text.split(',').filter((t) => t.trim() !== '')) {
    const eps = parseFraction(token);
    if (!Number.isFinite(eps) || eps < 0) throw new RobustartError(`--eps ${token} is not a non-negative number; write it as 0.03 or 8/255`);
    if (linf && eps > 1) throw new RobustartError(`--eps ${token} is above 1: an L∞ budget is in [0,1] pixel units (e.g. 8/255, not 8)`);
  }
}

/** Reads a numeric flag, with a clear error when it is not a number in range. */
export function numberFlag(values: Record<string, unknown>, name: string, fallback: number, { min = -Infinity, max = Infinity, integer = false } = {}): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = parseFraction(String(raw));
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const range = max < Infinity ? ` in ${min}..${max}` : min > -Infinity ? ` >= ${min}` : '';
    throw new RobustartError(`--${name} ${String(raw)} is not a valid ${integer ? 'integer' : 'number'}${range}`);
  }
  return value;
}

/** "4/255" -> 0.01568..., "0.5" -> 0.5 (budgets are written as fractions of 255 in the field). */
export function parseFraction(text: string): number {
  const m = /^\s*([-+0-9.eE]+)\s*\/\s*([-+0-9.eE]+)\s*$/.exec(text);
  if (m) return Number(m[1]) / Number(m[2]);
  return text.trim() === '' ? NaN : Number(text);
}

/** An output file path whose folder must exist (it is not created: a typo would otherwise scatter folders). */
export function checkOutputPath(path: string): string {
  const folder = dirname(resolve(path));
  if (!existsSync(folder)) throw new RobustartError(`cannot write ${path}: the folder ${folder} does not exist; create it first`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new RobustartError(`${path} is a directory; give a file path for the output`);
  return path;
}

export function stringFlag(values: Record<string, unknown>, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function requireFlag(values: Record<string, unknown>, name: string, commandName: string): string {
  const v = stringFlag(values, name);
  if (v === undefined || v === '') throw new RobustartError(`robustart ${commandName}: --${name} is required; see robustart ${commandName} --help`);
  return v;
}

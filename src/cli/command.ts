// One CLI subcommand: its flags (node:util parseArgs options), a one-line summary, and its action.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RobustartError } from '../errors.js';

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

/** Parses argv strictly: an unknown or malformed flag is a one-line error naming the flag. */
export function parseCommandArgs(command: Command, argv: string[]) {
  try {
    return parseArgs({ args: argv, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: command.positionals ?? false, strict: true });
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0].replace(/\. To specify a positional argument.*$/, '').replace(/^Unknown option/, 'unknown flag');
    throw new RobustartError(`${command.name}: ${msg}; see robustart ${command.name} --help`);
  }
}

/** Reads a numeric flag, with a clear error when it is not a number in range. */
export function numberFlag(values: Record<string, unknown>, name: string, fallback: number, { min = -Infinity, integer = false } = {}): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = parseFraction(String(raw));
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new RobustartError(`--${name} ${String(raw)} is not a valid ${integer ? 'integer' : 'number'}${min > -Infinity ? ` >= ${min}` : ''}`);
  }
  return value;
}

/** "4/255" -> 0.01568..., "0.5" -> 0.5 (budgets are written as fractions of 255 in the field). */
export function parseFraction(text: string): number {
  const m = /^\s*([-+0-9.eE]+)\s*\/\s*([-+0-9.eE]+)\s*$/.exec(text);
  if (m) return Number(m[1]) / Number(m[2]);
  return text.trim() === '' ? NaN : Number(text);
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

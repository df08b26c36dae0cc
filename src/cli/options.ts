// Flags, help lines and values of options declared as zod schemas (suites, corruptions): the CLI derives them
// from the schema and writes no per-option parsing of its own.
import type { OptionSpec } from './command.js';
import { allowedValues, isBooleanOption, optionDescription, InvalidOptionError, type OptionsSchema } from '../util/options.js';
import { RobustartError } from '../errors.js';

/** One flag per option: a boolean option is a switch, every other a string the schema parses. */
export function optionFlags(schema: OptionsSchema): OptionSpec {
  const flags: OptionSpec = {};
  for (const [key, field] of Object.entries(schema.shape)) flags[key] = isBooleanOption(field) ? { type: 'boolean' } : { type: 'string' };
  return flags;
}

/** Help lines: `--name VALUE   description (allowed values)`, aligned. */
export function optionUsage(schema: OptionsSchema, indent = '  '): string[] {
  const rows = Object.entries(schema.shape).map(([key, field]) => {
    const flag = isBooleanOption(field) ? `--${key}` : `--${key} ${valueName(field)}`;
    const description = optionDescription(field);
    const allowed = allowedValues(field);
    return [flag, description && description !== allowed ? (allowed.startsWith('a') || allowed.startsWith('one of') ? `${description} (${allowed})` : description) : allowed];
  });
  const width = Math.max(18, ...rows.map(([flag]) => flag.length));
  return rows.map(([flag, text]) => `${indent}${flag.padEnd(width)}  ${text}`);
}

function valueName(field: Parameters<typeof allowedValues>[0]): string {
  const allowed = allowedValues(field);
  if (allowed.startsWith('an integer')) return 'N';
  if (allowed.startsWith('a number')) return 'X';
  return 'VALUE';
}

/** The given flags that are options of the schema, as the options object the library takes. */
export function optionsFromFlags(schema: OptionsSchema, values: Record<string, unknown>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape)) if (values[key] !== undefined) options[key] = values[key];
  return options;
}

/** A library option error in the CLI's words: the option is its flag. */
export function asFlagError(err: unknown): unknown {
  if (!(err instanceof InvalidOptionError)) return err;
  if (err.allowed.startsWith('no such option')) return new RobustartError(`${err.owner}: --${err.option} is not one of its flags; ${err.allowed.replace('no such option; options are', 'its flags are')}`);
  return new RobustartError(`${err.owner}: --${err.option} ${formatValue(err.value)} is not allowed; allowed: ${err.allowed}`);
}

function formatValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
}

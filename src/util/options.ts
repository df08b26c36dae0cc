// Options declared once, as a zod object schema: the library's types (z.input / z.output), validation with a
// one-line error naming the option, its value and what is allowed, and (in the CLI) flags and help text
// all derive from it.
import { z, lazyValue, type Zod } from './native.js';
import { RobustartError } from '../errors.js';

/** The options of a suite, corruption or attack: an object schema whose fields are all optional or defaulted. */
export type OptionsSchema = Zod.ZodObject;

/** No options. */
export const NO_OPTIONS = lazyValue(() => z.object({}));

/** A boolean that also accepts the strings "true" and "false" (from a command line or a config file). */
export function booleanOption() {
  return z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());
}

/** A number that also accepts its decimal text; `integer` and bounds show in the error and the help. */
export function numberOption({ integer = false, min, max }: { integer?: boolean; min?: number; max?: number } = {}) {
  let schema = integer ? z.coerce.number().int() : z.coerce.number();
  if (min !== undefined) schema = schema.min(min);
  if (max !== undefined) schema = schema.max(max);
  return schema;
}

/** A list given as a comma list ("fog,snow", "1,3,5"), an array or a single number: read as the comma list. */
export function commaListOption() {
  return z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))]).transform((v) => (Array.isArray(v) ? v.join(',') : String(v)));
}

/** An option value outside what its schema allows. `option` is the schema's key; the CLI maps it to its flag. */
export class InvalidOptionError extends RobustartError {
  constructor(readonly owner: string, readonly option: string, readonly value: unknown, readonly allowed: string) {
    super(`${owner}: option ${option} ${showValue(value)} is not allowed; allowed: ${allowed}`);
    this.name = 'InvalidOptionError';
  }
}

function showValue(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value);
}

type AnySchema = Zod.ZodType;

/** The schema under optional / default / nullable / pipe wrappers (the one that says what the value is). */
export function innerSchema(field: AnySchema): AnySchema {
  let current = field as AnySchema & { def: { type: string; innerType?: AnySchema; out?: AnySchema } };
  for (;;) {
    const { type } = current.def;
    if ((type === 'optional' || type === 'default' || type === 'nullable' || type === 'prefault') && current.def.innerType) current = current.def.innerType as typeof current;
    else if (type === 'pipe' && current.def.out && (current.def.out as typeof current).def.type !== 'transform') current = current.def.out as typeof current;
    else return current;
  }
}

/** The first description along the wrapper chain. */
export function optionDescription(field: AnySchema): string | undefined {
  let current = field as AnySchema & { def: { type: string; innerType?: AnySchema; out?: AnySchema; in?: AnySchema } };
  for (;;) {
    if (current.description) return current.description;
    const next = current.def.innerType ?? current.def.out ?? current.def.in;
    if (!next) return undefined;
    current = next as typeof current;
  }
}

export function isBooleanOption(field: AnySchema): boolean {
  return innerSchema(field).def.type === 'boolean';
}

/** What a field accepts, in words: "an integer >= 1", "one of a, b", "true or false". */
export function allowedValues(field: AnySchema): string {
  const inner = innerSchema(field) as AnySchema & { minValue?: number | null; maxValue?: number | null; isInt?: boolean; options?: readonly unknown[] };
  switch (inner.def.type) {
    case 'boolean':
      return 'true or false';
    case 'number': {
      const kind = inner.isInt ? 'an integer' : 'a number';
      // Integers carry the safe-integer range as implicit bounds: those are not worth stating.
      const min = Math.abs(inner.minValue ?? Infinity) < Number.MAX_SAFE_INTEGER ? inner.minValue! : undefined;
      const max = Math.abs(inner.maxValue ?? Infinity) < Number.MAX_SAFE_INTEGER ? inner.maxValue! : undefined;
      if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
      if (min !== undefined) return `${kind} >= ${min}`;
      if (max !== undefined) return `${kind} <= ${max}`;
      return kind;
    }
    case 'enum':
      return `one of ${(inner.options ?? []).join(', ')}`;
    default:
      return optionDescription(field) ?? 'text';
  }
}

/**
 * Validates options against their schema. Unknown keys and invalid values are one-line `InvalidOptionError`s
 * naming the owner ("suite natural"), the option, the value and what is allowed.
 */
export function parseOptions<S extends OptionsSchema>(schema: S, raw: Record<string, unknown> | undefined, owner: string): Zod.output<S> {
  const given = raw ?? {};
  const known = Object.keys(schema.shape);
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) throw new InvalidOptionError(owner, key, given[key], known.length ? `no such option; options are ${known.join(', ')}` : 'no options');
  }
  const parsed = schema.safeParse(given);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = String(issue.path[0] ?? '');
  const field = schema.shape[key] as AnySchema | undefined;
  // A refinement's own message says what is allowed better than the schema's type can.
  const allowed = issue.code === 'custom' || !field ? issue.message : allowedValues(field);
  throw new InvalidOptionError(owner, key, given[key], allowed);
}

/**
 * A refinement from a parser that throws `RobustartError`s: `allowed` (or else the parser's message) becomes
 * the "allowed" part of the error.
 */
export function checkedBy<T>(parse: (value: T) => unknown, allowed?: string) {
  return (value: T, ctx: Zod.RefinementCtx) => {
    try {
      parse(value);
    } catch (err) {
      if (!(err instanceof RobustartError)) throw err;
      ctx.addIssue({ code: 'custom', message: allowed ?? err.message });
    }
  };
}

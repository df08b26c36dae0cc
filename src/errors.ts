/**
 * An error a user can act on: its message names the thing that is wrong and the fix.
 * The CLI prints the message alone, never the stack.
 */
export class RobustartError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'RobustartError';
  }
}

/** A parser's message reduced to its first line (YAML's ends in a colon before its code frame), for a one-line error. */
export function firstLineOf(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0].replace(/:\s*$/, '');
}

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

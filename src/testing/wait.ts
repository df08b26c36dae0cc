// Waiting in tests for something observable (a log line, a stored record, a queue count) instead of sleeping for a
// time that only holds on one machine: the wait ends as soon as the thing happens, and when it never does (a child
// died, a server is gone) it fails with what it was waiting for instead of hanging the test file.
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * How long a test waits for an event before failing: far beyond what any wait in the suite takes on the 2-core
 * development machine under load (the longest, a supernet training's checkpoint, takes under a minute), so a machine
 * several times slower still passes, and far below the runner's per-test limit, so a hang fails with its reason.
 */
export const WAIT_LIMIT_MS = 300_000;

export interface WaitOptions {
  /** Fails the wait after this long (default `WAIT_LIMIT_MS`). */
  readonly timeoutMs?: number;
  /** Pause between checks. */
  readonly intervalMs?: number;
  /** Says why waiting longer is pointless (the process that would cause the event has exited), or undefined. */
  readonly hopeless?: () => string | undefined;
}

/** Resolves once `ready()` holds; rejects naming `what` when `hopeless()` gives a reason or the time runs out. */
export async function waitUntil(what: string, ready: () => boolean | Promise<boolean>, options: WaitOptions = {}): Promise<void> {
  const { timeoutMs = WAIT_LIMIT_MS, intervalMs = 20, hopeless } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready()) return;
    const reason = hopeless?.();
    if (reason !== undefined) throw new Error(`gave up waiting for ${what}: ${reason}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** For `hopeless`: the reason a child process can no longer cause anything once it has exited, with its `output()` so far. */
export function exited(child: { readonly exitCode: number | null; readonly signalCode: NodeJS.Signals | null }, output?: () => string): () => string | undefined {
  return () => {
    if (child.exitCode === null && child.signalCode === null) return undefined;
    const said = output?.();
    return `the process exited (${child.exitCode ?? child.signalCode})${said ? `: ${said}` : ''}`;
  };
}

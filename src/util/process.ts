// Whether another process still runs: for state a process leaves behind (a study cell, a scratch folder) that only
// that process may still be using.

/** Whether a process id is alive on this machine (EPERM: alive, another user's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

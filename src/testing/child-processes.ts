// Child processes as /proc shows them, for tests that act on a process's children (set-up children, workers).
import { readFileSync, readdirSync } from 'node:fs';

/** Processes whose parent is `pid`, with their state letter (T: stopped). */
export function childrenOf(pid: number): { pid: number; state: string }[] {
  const found: { pid: number; state: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(ppid) === pid) found.push({ pid: Number(entry), state });
  }
  return found;
}

/** Whether `pid` runs (a zombie does not). */
export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

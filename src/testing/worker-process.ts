// `robustart worker` as a real child process, for tests and benchmarks of the shard queue.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { tempDir } from './fixtures.js';
import { exited, waitUntil } from './wait.js';

export const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

export class WorkerProcess {
  /** The worker's log lines (stderr). */
  readonly lines: string[] = [];
  private constructor(readonly child: ChildProcess) {}

  /** Starts a worker with its own model cache and waits until it listens for shards. */
  static async start(url: string, args: string[] = []): Promise<WorkerProcess> {
    const child = spawn(process.execPath, [CLI, 'worker', '--queue', url, '--model-cache', tempDir('robustart-cache-'), '--threads', '1', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    const worker = new WorkerProcess(child);
    let buffer = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      worker.lines.push(...parts);
    });
    try {
      await waitUntil('a worker to listen for shards', () => worker.lines.some((l) => /waiting for shards/.test(l)), { hopeless: exited(child, () => worker.lines.join('\n') + buffer) });
    } catch (err) {
      await worker.stop('SIGKILL');
      throw err;
    }
    return worker;
  }

  /** Job ids of the shards this worker finished. */
  get finished(): string[] {
    return this.lines.map((l) => /^shard (\S+): \d+ records/.exec(l)?.[1]).filter((id): id is string => id !== undefined);
  }

  /** Compute seconds of each finished shard, as the worker measured them. */
  get computeSeconds(): number[] {
    return this.lines.map((l) => Number(/records in ([\d.]+) s/.exec(l)?.[1] ?? NaN)).filter(Number.isFinite);
  }

  get failures(): string[] {
    return this.lines.filter((l) => / failed: /.test(l));
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await once(this.child, 'exit');
  }
}

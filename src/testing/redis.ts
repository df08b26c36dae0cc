// A real redis-server for tests: a free loopback port, a temporary directory, stopped by the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tempDir } from './fixtures.js';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Stops the server (SIGTERM; with persistence on, it saves first). */
  stop(): Promise<void>;
  /** Stops and starts it again on the same port and directory. */
  restart(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

/** `persist`: append-only file on, so a restart keeps the queue (as a production Redis would). */
export async function startRedis({ persist = false } = {}): Promise<RedisServer> {
  // A port found free can be taken by another test file (running at the same time) before redis-server binds it:
  // then another port is tried.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRedisOn(await freePort(), persist);
    } catch (err) {
      if (attempt === 5 || !/already in use/i.test(String(err))) throw err;
    }
  }
}

async function startRedisOn(port: number, persist: boolean): Promise<RedisServer> {
  const dir = tempDir('robustart-redis-');
  let child: ChildProcess | undefined;
  const launch = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', persist ? 'yes' : 'no', '--appendfsync', 'always', '--protected-mode', 'no'];
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start on port ${port}: ${output}`)), 60_000);
      proc.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/Ready to accept connections/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.on('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`cannot start redis-server (${err.message}); install Debian's redis-server`));
      });
      proc.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with code ${code}: ${output}`));
      });
    });
    proc.stdout!.resume();
    proc.stderr!.resume();
  };
  const stop = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    await once(proc, 'exit');
  };
  try {
    await launch();
  } catch (err) {
    // A server that never said it was ready (or never spawned) must not outlive the failed start.
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    stop,
    async restart() {
      await stop();
      await launch();
    },
  };
}

// `npm test`: node's test runner over dist/ (or the paths and flags given) with robustart's caches in a fresh
// temporary directory, removed afterwards, so a test run never writes into the user's ~/.cache/robustart and never
// reads what an earlier run (or a bench) left there. Tests that test the cache itself pass their own directory or
// set the variables they test.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The environment a test run sees: the graph cache (and anything else under $XDG_CACHE_HOME) inside `dir`. */
function isolatedCacheEnv(dir: string): NodeJS.ProcessEnv {
  return { ...process.env, ROBUSTART_GRAPH_CACHE: join(dir, 'graphs'), XDG_CACHE_HOME: join(dir, 'xdg') };
}

/**
 * A hung test must fail, not stall CI until its time limit: each test gets at most 20 minutes (the slowest take about
 * one), and a test file whose tests are done exits even if a handle it leaked (a client reconnecting to a stopped
 * server) would keep it alive.
 */
const GUARDS = ['--test-timeout=1200000', '--test-force-exit'];

async function main(args: string[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'robustart-test-cache-'));
  const paths = args.some((a) => !a.startsWith('-') && existsSync(a)) ? [] : [fileURLToPath(new URL('..', import.meta.url))];
  const child = spawn(process.execPath, ['--test', '--test-concurrency=2', ...GUARDS, ...args, ...paths], { stdio: 'inherit', env: isolatedCacheEnv(dir) });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward).on('SIGTERM', forward);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main(process.argv.slice(2));

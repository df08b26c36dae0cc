import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from '../command.js';
import { numberFlag, stringFlag } from '../command.js';
import { RobustartError } from '../../errors.js';
import { ResultStore, defaultStorePath } from '../../store/store.js';
import { startDashboardServer } from '../../report/dashboard/server.js';
import { packagePath } from '../../util/paths.js';

/** The bundled mini-study's results store. */
export const DEMO_STORE = 'studies/fashion-mini.db';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'the dashboard (leaderboard, comparisons, per-model pages) and a read-only JSON API over the results store',
  usage: [
    'robustart serve [--store PATH] [--port 8080] [--host 127.0.0.1] [--token T] [--demo] [--queue URL]',
    '',
    '  --store PATH   results database (default .robustart/results.db or $ROBUSTART_STORE)',
    '  --port N       TCP port (default 8080; 0 picks a free one)',
    '  --host H       address to bind (default 127.0.0.1); any non-loopback address requires a token',
    '  --token T      the token for non-loopback hosts (default: a random one, printed; or $ROBUSTART_TOKEN)',
    '  --demo         serve the bundled Fashion-MNIST mini-study',
    '  --queue URL    redis://HOST:PORT of a shard queue (eval/study run --queue): adds a live queue panel and GET /api/queue',
    '',
    'Pages poll the store, so they follow a study while it runs. Stop with Ctrl-C.',
  ].join('\n'),
  options: { store: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, token: { type: 'string' }, demo: { type: 'boolean' }, queue: { type: 'string' } },
  async run(values) {
    let storePath = stringFlag(values, 'store') ?? defaultStorePath();
    if (values.demo) {
      // A copy: SQLite writes its journal beside the file, and the installed package may be read-only.
      const copy = join(mkdtempSync(join(tmpdir(), 'robustart-demo-')), 'fashion-mini.db');
      copyFileSync(packagePath(DEMO_STORE), copy);
      storePath = copy;
    }
    if (!existsSync(storePath)) throw new RobustartError(`no results store at ${storePath}; run robustart study run FILE first, or pass --store`);
    const port = numberFlag(values, 'port', 8080, { min: 0, integer: true });
    const queueUrl = stringFlag(values, 'queue');
    const store = new ResultStore(storePath);
    // BullMQ and its Redis client are loaded only when a queue is watched.
    const queue = queueUrl === undefined ? undefined : await (await import('../../queue/progress.js')).openQueueMonitor(queueUrl);
    const server = await startDashboardServer({
      store,
      queue,
      host: stringFlag(values, 'host'),
      port,
      token: stringFlag(values, 'token') ?? process.env.ROBUSTART_TOKEN,
    }).catch(async (err: unknown) => {
      // An open Redis connection would keep the command alive after the error.
      await queue?.close();
      store.close();
      throw err;
    });
    process.stdout.write(`dashboard at ${server.url}/${server.token ? `?token=${server.token}` : ''} (store ${storePath}); Ctrl-C stops it\n`);
    await new Promise<void>((done) => {
      const stop = () => done();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    await queue?.close();
    store.close();
  },
};

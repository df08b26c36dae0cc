import type { Command } from '../command.js';
import { requireFlag } from '../command.js';
import { RobustartError } from '../../errors.js';
import { queueProgress } from '../../queue/progress.js';
import { cleanQueue, failedShards, retryFailedShards } from '../../queue/admin.js';
import { formatDuration } from '../../eval/progress.js';
import { table } from '../format.js';

export const queueCommand: Command = {
  name: 'queue',
  summary: 'the shard queue of robustart eval --queue: status, retry failed shards, clean',
  usage: [
    'robustart queue status --queue URL [--json]   shards waiting, active (and on which worker), failed; each run\'s records, rate, ETA and workers',
    'robustart queue retry --queue URL             put every failed shard back with fresh attempts',
    'robustart queue clean --queue URL [--all]     remove failed and uncollected finished shards (--all: every shard)',
  ].join('\n'),
  options: { queue: { type: 'string' }, json: { type: 'boolean' }, all: { type: 'boolean' } },
  positionals: true,
  async run(values, positionals) {
    const [action] = positionals;
    const url = requireFlag(values, 'queue', 'queue');
    switch (action) {
      case 'status': {
        const progress = await queueProgress(url);
        const failed = progress.failed > 0 ? await failedShards(url) : [];
        if (values.json) return void process.stdout.write(`${JSON.stringify({ ...progress, failedShards: failed }, null, 2)}\n`);
        let out = `shards: ${progress.waiting} waiting, ${progress.active} active, ${progress.delayed} delayed for a retry, ${progress.completed} done (not yet collected), ${progress.failed} failed\n`;
        out += `workers connected: ${progress.workers.length}${progress.workers.length ? ` (${progress.workers.join(', ')})` : ''}\n`;
        if (progress.runs.length > 0) {
          out += `\n${table(
            ['run', 'model', 'suite', 'records', 'records/s', 'ETA', 'failed shards', 'updated'],
            progress.runs.map((r) => [r.runId, r.model, r.suite, `${r.done}/${r.total}`, r.recordsPerSecond.toFixed(1), r.done >= r.total ? 'done' : formatDuration(r.etaSeconds ?? Infinity), r.failedShards, r.updatedAt.replace('T', ' ').slice(0, 19)]),
          )}`;
        }
        for (const r of progress.runs.filter((r) => r.workers.length > 0)) {
          out += `\nrun ${r.runId}: stored shards by worker\n${table(
            ['host', 'pid', 'device', 'shards', 'records', 'compute s'],
            r.workers.map((w) => [w.worker.host, w.worker.pid, w.worker.device, w.shards, w.records, w.computeSeconds.toFixed(1)]),
          )}`;
        }
        if (progress.running.length > 0) out += `\n${table(['running shard', 'worker (host:pid/device)', 'since'], progress.running.map((r) => [r.shard, r.worker ?? '?', r.startedAt?.replace('T', ' ').slice(0, 19) ?? '?']))}`;
        for (const f of failed) out += `failed ${f.id} after ${f.attempts} attempt(s): ${f.reason}\n`;
        process.stdout.write(out);
        return;
      }
      case 'retry':
        process.stdout.write(`${await retryFailedShards(url)} failed shard(s) queued again; a running coordinator collects them (or rerun it)\n`);
        return;
      case 'clean':
        process.stdout.write(`${await cleanQueue(url, { everything: Boolean(values.all) })} shard(s) removed\n`);
        return;
      default:
        throw new RobustartError(`robustart queue: say status, retry or clean; see robustart queue --help`);
    }
  },
};

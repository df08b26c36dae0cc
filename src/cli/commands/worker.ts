import type { Command } from '../command.js';
import { numberFlag, requireFlag, stringFlag } from '../command.js';
import { parseDevice } from '../../model/session.js';
import { startShardWorker } from '../../queue/worker.js';
import { parsePathMapping } from '../../queue/path-map.js';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'compute evaluation shards from a queue (robustart eval --queue) until stopped',
  usage: [
    'robustart worker --queue redis://HOST:PORT [flags]',
    '',
    '  --queue URL          the Redis the coordinator queues shards on',
    '  --device D           cpu | webgpu | cuda (default cpu)',
    '  --concurrency N      shards computed at once, each in its own thread (default 1)',
    '  --threads T          ONNX Runtime intra-op threads per shard (default: all cores)',
    '  --data-map FROM=TO   read the coordinator\'s dataset path FROM from this machine\'s TO (repeatable)',
    '  --model-cache DIR    where fetched models are kept (default ~/.cache/robustart/models or $ROBUSTART_MODEL_CACHE)',
    '  --lock-duration MS   a shard returns to the queue when its worker is silent this long (default 30000)',
    '',
    'Stops on SIGINT or SIGTERM after finishing the shards in progress.',
  ].join('\n'),
  options: {
    queue: { type: 'string' },
    device: { type: 'string' },
    concurrency: { type: 'string' },
    threads: { type: 'string' },
    'data-map': { type: 'string', multiple: true },
    'model-cache': { type: 'string' },
    'lock-duration': { type: 'string' },
  },
  async run(values) {
    const worker = await startShardWorker({
      url: requireFlag(values, 'queue', 'worker'),
      device: parseDevice(stringFlag(values, 'device')),
      concurrency: numberFlag(values, 'concurrency', 1, { min: 1, integer: true }),
      threads: values.threads === undefined ? undefined : numberFlag(values, 'threads', 0, { min: 1, integer: true }),
      dataMap: ((values['data-map'] as string[] | undefined) ?? []).map(parsePathMapping),
      cacheDir: stringFlag(values, 'model-cache'),
      lockDuration: numberFlag(values, 'lock-duration', 30_000, { min: 100, integer: true }),
      onShard: (e) =>
        process.stderr.write(e.ok ? `shard ${e.jobId}: ${e.records} records in ${e.seconds?.toFixed(2)} s\n` : `shard ${e.jobId} failed: ${e.error}\n`),
    });
    process.stderr.write(`worker ${worker.name} waiting for shards\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await worker.close();
  },
};

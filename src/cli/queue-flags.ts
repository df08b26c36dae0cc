// The scale-out flags `eval` and `study run` share: --queue and the shard settings, read into a queue executor,
// and the queue's figures as a progress-bar label.
import type { OptionSpec } from './command.js';
import { numberFlag, stringFlag } from './command.js';
import { RobustartError } from '../errors.js';
import { formatDuration } from '../eval/progress.js';
import type { RecordExecutor } from '../eval/evaluate.js';
import type { QueueView } from '../queue/coordinator.js';

export const QUEUE_FLAGS: OptionSpec = {
  queue: { type: 'string' },
  'shard-size': { type: 'string' },
  'shard-seconds': { type: 'string' },
  attempts: { type: 'string' },
  'queue-ahead': { type: 'string' },
};

/** The first queue flag given, for commands whose other actions refuse them (undefined when none is). */
export function queueFlagGiven(values: Record<string, unknown>): string | undefined {
  return Object.keys(QUEUE_FLAGS).find((flag) => values[flag] !== undefined);
}

export const QUEUE_USAGE = [
  '  --queue URL         redis://HOST:PORT: split the work into shards, queue them, store what workers return',
  "  --shard-size N      samples per shard (default: sized from each condition's first shard)",
  '  --shard-seconds S   target compute time of one shard when --shard-size is not given (default 60)',
  '  --attempts N        tries per shard before it is marked failed (default 3)',
  '  --queue-ahead K     shards queued ahead of the workers at most; more are queued as results come back (default 64)',
];

/**
 * The executor for `--queue URL` (undefined without it). BullMQ and its Redis client are loaded only for
 * queued runs, so in-process evaluations do not pay for them.
 */
export async function queueExecutorFromFlags(values: Record<string, unknown>, onQueue?: (view: QueueView) => void): Promise<RecordExecutor | undefined> {
  const url = stringFlag(values, 'queue');
  if (url === undefined) {
    const stray = Object.keys(QUEUE_FLAGS).filter((flag) => flag !== 'queue' && values[flag] !== undefined);
    if (stray.length > 0) throw new RobustartError(`${stray.map((f) => `--${f}`).join(', ')}: only for queued evaluations; add --queue redis://HOST:PORT`);
    return undefined;
  }
  const { queueExecutor, DEFAULT_QUEUE_AHEAD } = await import('../queue/coordinator.js');
  return queueExecutor({
    url,
    shardSize: values['shard-size'] === undefined ? undefined : numberFlag(values, 'shard-size', 0, { min: 1, integer: true }),
    shardSeconds: numberFlag(values, 'shard-seconds', 60, { min: 1 }),
    attempts: numberFlag(values, 'attempts', 3, { min: 1, integer: true }),
    queueAhead: numberFlag(values, 'queue-ahead', DEFAULT_QUEUE_AHEAD, { min: 1, integer: true }),
    onQueue,
  });
}

/** One line of queue figures: shards waiting, active, failed; the run's records, their rate and its ETA. */
export function queueLabel(view: QueueView): string {
  const { run } = view;
  const eta = run.done >= run.total ? 'done' : `ETA ${formatDuration(run.etaSeconds ?? Infinity)}`;
  return `shards ${view.waiting + view.delayed} waiting ${view.active} active ${view.failed} failed; run ${run.done}/${run.total} records ${run.recordsPerSecond.toFixed(1)}/s ${eta}`;
}

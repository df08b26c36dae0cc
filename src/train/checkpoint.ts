// Training checkpoints: everything the next epoch depends on (weights with BatchNorm statistics, optimizer
// buffers, EMA weights, the step counter, the history so far). The random streams are derived from
// (seed, epoch, sample), so the epoch number is the RNG state. One file: a JSON header line, then the
// raw float32 tensors in header order; written to a temporary name and renamed, so a kill mid-write
// leaves the previous checkpoint intact.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { RobustartError } from '../errors.js';
import type { OptimizerState } from './optimizer.js';

export interface Checkpoint<H = unknown> {
  /** Epochs completed. */
  readonly epoch: number;
  readonly step: number;
  readonly seed: number;
  /** Identity of the run (resolved config); a checkpoint from another run is refused. */
  readonly runKey: string;
  readonly weights: Map<string, Float32Array>;
  readonly ema?: Map<string, Float32Array>;
  readonly optimizer: OptimizerState;
  readonly history: H[];
}

const FORMAT = 'robustart-train-checkpoint-1';

export function saveCheckpoint<H>(path: string, c: Checkpoint<H>): void {
  const tensors: { key: string; length: number }[] = [];
  const buffers: Float32Array[] = [];
  const add = (key: string, t: Float32Array) => {
    tensors.push({ key, length: t.length });
    buffers.push(t);
  };
  for (const [k, v] of c.weights) add(`w/${k}`, v);
  for (const [k, v] of c.ema ?? []) add(`e/${k}`, v);
  for (const [k, list] of Object.entries(c.optimizer.buffers)) list.forEach((v, i) => add(`o/${i}/${k}`, v));
  const header = JSON.stringify({ format: FORMAT, epoch: c.epoch, step: c.step, seed: c.seed, runKey: c.runKey, optimizerSteps: c.optimizer.steps, history: c.history, tensors });
  const parts = [Buffer.from(header + '\n'), ...buffers.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength))];
  writeFileSync(`${path}.tmp`, Buffer.concat(parts));
  renameSync(`${path}.tmp`, path);
}

export function loadCheckpoint<H>(path: string): Checkpoint<H> | undefined {
  if (!existsSync(path)) return undefined;
  const bytes = readFileSync(path);
  const newline = bytes.indexOf(10);
  let header;
  try {
    header = JSON.parse(bytes.subarray(0, newline).toString('utf8'));
  } catch {
    header = undefined;
  }
  if (header?.format !== FORMAT) throw new RobustartError(`${path} is not a robustart training checkpoint; delete it or choose another checkpoint path`);
  let offset = newline + 1;
  const weights = new Map<string, Float32Array>();
  const ema = new Map<string, Float32Array>();
  const buffers: Record<string, Float32Array[]> = {};
  for (const { key, length } of header.tensors as { key: string; length: number }[]) {
    const t = new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + 4 * length));
    offset += 4 * length;
    if (key.startsWith('w/')) weights.set(key.slice(2), t);
    else if (key.startsWith('e/')) ema.set(key.slice(2), t);
    else {
      const [, index, ...rest] = key.split('/');
      (buffers[rest.join('/')] ??= [])[Number(index)] = t;
    }
  }
  return { epoch: header.epoch, step: header.step, seed: header.seed, runKey: header.runKey, weights, ema: ema.size ? ema : undefined, optimizer: { steps: header.optimizerSteps, buffers }, history: header.history };
}

/** Where a run starts: after the checkpoint's epoch, or at epoch 1 with an empty history. */
export interface ResumePoint<H> {
  readonly history: H[];
  readonly step: number;
  readonly firstEpoch: number;
}

/**
 * Loads `path` (when given and present) into the run's weights, optimizer and EMA shadow, refusing a checkpoint
 * of another run (`runKey`; `what` names what identifies it in the message).
 */
export function resumeFromCheckpoint<H>(
  path: string | undefined,
  run: { runKey: string; what: string; weights: Map<string, Float32Array>; optimizer: { restore(state: OptimizerState): void }; emaShadow?: Map<string, Float32Array>; log: (line: string) => void },
): ResumePoint<H> {
  const resumed = path ? loadCheckpoint<H>(path) : undefined;
  if (!resumed) return { history: [], step: 0, firstEpoch: 1 };
  if (resumed.runKey !== run.runKey) throw new RobustartError(`checkpoint ${path} belongs to another training run (different ${run.what}); delete it or choose another checkpoint path`);
  for (const [name, w] of resumed.weights) run.weights.get(name)?.set(w);
  run.optimizer.restore(resumed.optimizer);
  if (run.emaShadow && resumed.ema) for (const [name, w] of resumed.ema) run.emaShadow.get(name)?.set(w);
  run.log(`resuming after epoch ${resumed.epoch} from ${path}`);
  return { history: resumed.history, step: resumed.step, firstEpoch: resumed.epoch + 1 };
}

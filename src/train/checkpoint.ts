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

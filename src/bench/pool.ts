// `npm run bench -- pool [--runs N]`: robustart's WorkerPool against piscina and tinypool (measured when installed:
// `npm install --no-save piscina tinypool`), one thread each. Per pool: start (construct to first answer); a
// worker that exits mid-task and one that throws asynchronously (the task must reject, the next one must be
// answered by a replacement); cancellation (a 5 s task aborted after 50 ms must reject, the next be answered).
// Medians in ms; the baseline is the own pool's figure in the same run. An outcome other than the required one
// is printed instead of a time.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WorkerPool } from '../util/worker-pool.js';
import { flag } from './_timing.js';

interface Pool {
  run(task: Task, signal?: AbortSignal): Promise<unknown>;
  close(): Promise<unknown>;
}
type Task = { kind: 'echo'; value: number } | { kind: 'exit' } | { kind: 'throw' } | { kind: 'spin'; ms: number };

const TASK_MODULE = `export default function (task) {
  if (task.kind === 'exit') process.exit(3);
  if (task.kind === 'throw') return new Promise(() => setTimeout(() => { throw new Error('thrown in the worker'); }, 0));
  if (task.kind === 'spin') { const end = Date.now() + task.ms; while (Date.now() < end); }
  return task.value;
}`;
// The own pool's protocol: one message per request, a WorkerReply back.
const OWN_WORKER = `import { parentPort } from 'node:worker_threads';
import handle from './task.mjs';
parentPort.on('message', async (task) => parentPort.postMessage({ ok: true, result: await handle(task) }));`;

type Step = 'start' | 'exit: task' | 'exit: next' | 'throw: task' | 'throw: next' | 'cancel: task' | 'cancel: next';
const STEPS: Step[] = ['start', 'exit: task', 'exit: next', 'throw: task', 'throw: next', 'cancel: task', 'cancel: next'];
const PATIENCE_MS = 8000;

/** Times one step; a wrong outcome (resolved where a rejection is required, or nothing within PATIENCE_MS) is returned as text. */
async function timed(promise: Promise<unknown>, mustReject: boolean, offsetMs = 0): Promise<number | string> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    promise.then(() => 'resolved', () => 'rejected'),
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`pending after ${PATIENCE_MS / 1000} s`), PATIENCE_MS))),
  ]);
  clearTimeout(timer);
  if (outcome === (mustReject ? 'rejected' : 'resolved')) return performance.now() - start - offsetMs;
  return outcome;
}

async function measure(make: () => Pool): Promise<Map<Step, (number | string)[]>> {
  const out = new Map<Step, (number | string)[]>(STEPS.map((s) => [s, []]));
  const add = (step: Step, value: number | string) => out.get(step)!.push(value);
  const start = performance.now();
  const pool = make();
  add('start', await timed(pool.run({ kind: 'echo', value: 1 }), false, 0).then((v) => (typeof v === 'number' ? performance.now() - start : v)));
  add('exit: task', await timed(pool.run({ kind: 'exit' }), true));
  add('exit: next', await timed(pool.run({ kind: 'echo', value: 2 }), false));
  add('throw: task', await timed(pool.run({ kind: 'throw' }), true));
  add('throw: next', await timed(pool.run({ kind: 'echo', value: 3 }), false));
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 50);
  add('cancel: task', await timed(pool.run({ kind: 'spin', ms: 5000 }, abort.signal), true, 50));
  add('cancel: next', await timed(pool.run({ kind: 'echo', value: 4 }), false));
  await Promise.race([pool.close(), new Promise((resolve) => setTimeout(resolve, PATIENCE_MS).unref())]);
  return out;
}

async function optionalPool(name: 'piscina' | 'tinypool', taskUrl: string): Promise<(() => Pool) | undefined> {
  try {
    if (name === 'piscina') {
      const { Piscina } = (await import(name as string)) as { Piscina: new (o: object) => { run(t: Task, o: object): Promise<unknown>; destroy(): Promise<void> } };
      return () => {
        const p = new Piscina({ filename: taskUrl, minThreads: 1, maxThreads: 1 });
        return { run: (t, signal) => p.run(t, { signal }), close: () => p.destroy() };
      };
    }
    const { default: Tinypool } = (await import(name as string)) as { default: new (o: object) => { run(t: Task, o: object): Promise<unknown>; destroy(): Promise<void> } };
    return () => {
      const p = new Tinypool({ filename: taskUrl, minThreads: 1, maxThreads: 1 });
      return { run: (t, signal) => p.run(t, { signal }), close: () => p.destroy() };
    };
  } catch {
    return undefined;
  }
}

export async function run(args: string[]): Promise<void> {
  const runs = flag(args, 'runs', 3);
  const dir = mkdtempSync(join(tmpdir(), 'robustart-pool-bench-'));
  const keepAlive = setInterval(() => {}, 1000); // the own pool unrefs idle workers
  try {
    writeFileSync(join(dir, 'task.mjs'), TASK_MODULE);
    writeFileSync(join(dir, 'own-worker.mjs'), OWN_WORKER);
    const taskUrl = pathToFileURL(join(dir, 'task.mjs')).href;
    const pools: [string, (() => Pool) | undefined][] = [
      ['own WorkerPool', () => {
        const p = new WorkerPool<Task, unknown>(pathToFileURL(join(dir, 'own-worker.mjs')), 1);
        return { run: (t, signal) => p.run(t, { signal }), close: () => p.dispose() };
      }],
      ['piscina', await optionalPool('piscina', taskUrl)],
      ['tinypool', await optionalPool('tinypool', taskUrl)],
    ];
    process.stdout.write(`median of ${runs} pools each, ms (vs the own pool); the machine's load shows in every figure\n`);
    process.stdout.write(`${''.padEnd(16)}${STEPS.map((s) => s.padStart(22)).join('')}\n`);
    let baseline: Map<Step, number | string> | undefined;
    for (const [name, make] of pools) {
      if (!make) {
        process.stdout.write(`${name.padEnd(16)}not installed (npm install --no-save ${name})\n`);
        continue;
      }
      const samples = new Map<Step, (number | string)[]>(STEPS.map((s) => [s, []]));
      for (let i = 0; i < runs; i++) for (const [step, values] of await measure(make)) samples.get(step)!.push(...values);
      const medians = new Map<Step, number | string>(STEPS.map((s) => [s, median(samples.get(s)!)]));
      baseline ??= medians;
      const cell = (s: Step) => {
        const v = medians.get(s)!;
        const base = baseline!.get(s)!;
        return (typeof v === 'string' ? v : `${v.toFixed(0)}${typeof base === 'number' && base > 0 ? ` (${(v / base).toFixed(2)}x)` : ''}`).padStart(22);
      };
      process.stdout.write(`${name.padEnd(16)}${STEPS.map(cell).join('')}\n`);
    }
  } finally {
    clearInterval(keepAlive);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The median time, or the first wrong outcome when any run had one. */
function median(values: (number | string)[]): number | string {
  const wrong = values.find((v): v is string => typeof v === 'string');
  if (wrong) return wrong;
  const sorted = (values as number[]).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// Set-up steps of a large model's sessions in a child process that exits: shape discovery's probe runs, and ORT's
// optimisation of a built graph into a file. Both leave memory in the process that ran them (ORT frees its buffers to
// glibc's heap, which keeps them: Swin-T's shape discovery left about 440 MiB more in the process than reading the
// shapes from the start-up cache, and the first gradient step then went past its memory target). A child's memory goes
// back to the system when it exits. The child gets its job as an argument (and a graph on its stdin), sends its reply
// over its IPC channel and exits; it exits at once when its parent goes, so a killed parent leaves no child running.
// A graph goes to the child as its structure (encoded without weights) and each weight's bytes written from the typed
// array the graph holds: no encoded copy of the model is made in this process (Swin-T: 110 MB that stayed as garbage
// until V8 collected it, often after the first gradient step, whose peak it raised).
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { ChildProcess } from 'node:child_process';
import type { GraphOptimization, SessionOptions } from './runtime.js';
import type { ValueShape } from './shapes.js';
import { Graph } from './graph.js';
import { decodeModel, encodeModel } from './proto.js';
import type { NumericArray } from './tensor.js';
import { childProcess, workerThreads } from '../util/native.js';
import { moduleUrl } from '../util/paths.js';
import { RobustartError } from '../errors.js';
import type { WorkerReply } from '../util/worker-pool.js';

/**
 * Weights (bytes of initializers) above which the set-up steps run in a child process. What they leave in the process
 * grows with the model (Swin-T, 110 MB of weights: about 440 MiB after shape discovery), while a child costs about the
 * same for any large model: starting Node and ORT, the graph copied through a pipe or a file, and faulting in fresh
 * the memory the process would have reused (measured, ResNet-50: about 1 s of CPU per child; a cold gradient start
 * 6.9-7.2 -> 8.6-9.9 s of CPU in all, once per model with the start-up cache; Swin-T's is about 70 s).
 * 32 MiB is about 8 M float32 weights: the models the memory target is about (ResNet-50, ConvNeXt-T, Swin-T: 25-29 M)
 * are far above it, and the small graphs of the tests and demos, whose set-up leaves a few MiB, far below.
 */
export const SETUP_PROCESS_MIN_BYTES = 32 * 2 ** 20;

export interface SetupProcessOptions {
  /** Weights (bytes) above which shape discovery and ORT's optimisation of a built graph run in a child process (default SETUP_PROCESS_MIN_BYTES). */
  readonly setupProcessAboveBytes?: number;
}

/** Whether a model with `bytes` of weights has its set-up steps run in a child process. */
export function setUpApart(bytes: number, options: SetupProcessOptions): boolean {
  return bytes > (options.setupProcessAboveBytes ?? SETUP_PROCESS_MIN_BYTES);
}

/**
 * A child's job: discover the shapes of the graph on its stdin; have ORT optimise the graph in `from` into `to`; or
 * build a graph from the one on its stdin into a file and optimise it (`spec` is the builder's, see
 * autodiff/build-apart.ts, which the child runs: the graph builders sit above this layer).
 */
export type SetupJob =
  | { readonly kind: 'shapes'; readonly options: SessionOptions }
  | { readonly kind: 'optimize'; readonly from: string; readonly to: string; readonly options: SessionOptions; readonly plan: GraphOptimization; readonly what: string }
  | { readonly kind: 'build'; readonly spec: unknown };

/** What the child sends back, as a worker thread does: the job's result (null for an optimisation), or why it failed. */
export type SetupReply = WorkerReply<unknown>;

/** The session options a child can be given (what ORT needs to run where the parent would). */
export function childSessionOptions(options: SessionOptions): SessionOptions {
  const { device, threads, executionProviders, intraOpThreads } = options;
  return { device, threads, executionProviders, intraOpThreads };
}

/** The environment variable that gives the child its parent's process id (it exits when it has another parent). */
export const PARENT_PID_VARIABLE = 'ROBUSTART_SETUP_PARENT';
/** How often the child checks that its parent lives, milliseconds. */
const PARENT_POLL_MS = 200;

/**
 * Ends this process (SIGKILL) once its parent `parentPid` has gone, seen by a worker thread polling the parent's id, so
 * it works while this thread is blocked (ORT's session creation and runs do not yield to the event loop). The worker
 * does not keep the process alive; it is returned to be awaited ('online') or terminated.
 */
export function exitWithParent(parentPid: number): Worker {
  const watch = `setInterval(() => { if (process.ppid !== ${parentPid}) process.kill(process.pid, 'SIGKILL'); }, ${PARENT_POLL_MS});`;
  const worker = new workerThreads.Worker(watch, { eval: true });
  worker.unref();
  return worker;
}

/** Node flags the child must not inherit: the test runner's, and a debugger's port (taken by the parent). */
const NOT_INHERITED = /^--(test|inspect|debug)/;
/** Flags that carry code (`node -e CODE`): inherited, the child would run the caller's code instead of its job. */
const CARRIES_CODE = /^(-[ep]|-pe|-ep|--eval|--print)$/;

/** The parent's Node flags the child keeps: not those above, nor the code a code-carrying flag takes. */
export function inheritedExecArgv(execArgv = process.execArgv): string[] {
  return execArgv.filter((a, i, all) => !NOT_INHERITED.test(a) && !/^--(eval|print)=/.test(a) && !CARRIES_CODE.test(a) && !CARRIES_CODE.test(all[i - 1] ?? ''));
}

/** The last stderr line that says something (an error, V8's fatal error), not Node's version or a stack frame. */
function lastTelling(stderr: Buffer[]): string | undefined {
  return Buffer.concat(stderr).toString().split('\n').map((l) => l.trim()).filter((l) => l && !/^(Node\.js v|at |\d+: 0x|-----|<---)/.test(l)).pop();
}

/** The shapes discoverShapes finds for `graph`, found by a child process. `what` names the model in errors. */
export async function discoverShapesInChildProcess(graph: Graph, options: SessionOptions, what: string): Promise<[string, ValueShape][]> {
  const shapes = await runSetupJob({ kind: 'shapes', options: childSessionOptions(options) }, graphTransfer(graph), `shape discovery of ${what}`);
  if (!Array.isArray(shapes)) throw new RobustartError(`shape discovery of ${what} sent no shapes`);
  return shapes as [string, ValueShape][];
}

/** How a graph's weights are described ahead of their bytes: name, dims, ONNX type, typed-array class, bytes. */
type WeightEntry = [name: string, dims: number[], dataType: number, array: string, bytes: number];

const ARRAYS: Record<string, new (buffer: ArrayBuffer) => NumericArray> = { Float32Array, Float64Array, Int32Array, BigInt64Array, Uint8Array, Int8Array };

/** The typed-array class of `data` by its name in ARRAYS (a Buffer, a subclass, is a Uint8Array). */
function arrayName(data: NumericArray): string {
  return Object.keys(ARRAYS).find((name) => data instanceof ARRAYS[name])!;
}

/**
 * `graph` (and `extra`, plain JSON) as the chunks a child reads from its stdin: a header's length (4 bytes) and the
 * header (JSON: the weights' entries, `extra`, the structure's length), the graph's structure encoded without its
 * weights, then every weight's bytes as a view of the array the graph holds (no copy).
 */
export function graphTransfer(graph: Graph, extra?: unknown): Uint8Array[] {
  const structure = encodeModel(new Graph({ ...graph, initializers: new Map() }).toModel());
  const weights: WeightEntry[] = [...graph.initializers].map(([name, t]) => [name, t.dims, t.dataType, arrayName(t.data), t.data.byteLength]);
  const header = Buffer.from(JSON.stringify({ weights, extra, structure: structure.length }));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  return [length, header, structure, ...[...graph.initializers.values()].map((t) => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength))];
}

/** The graph (and extra) of graphTransfer, from the bytes the child read; every weight in an array of its own. */
export function receiveGraph(bytes: Uint8Array): { graph: Graph; extra: unknown } {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.readUInt32LE(0);
  const header = JSON.parse(view.subarray(4, 4 + headerLength).toString('utf8')) as { weights: WeightEntry[]; extra: unknown; structure: number };
  let offset = 4 + headerLength;
  const graph = Graph.fromModel(decodeModel(view.subarray(offset, (offset += header.structure))));
  for (const [name, dims, dataType, array, length] of header.weights) {
    const buffer = new ArrayBuffer(length);
    new Uint8Array(buffer).set(view.subarray(offset, (offset += length)));
    graph.initializers.set(name, { dims, dataType, data: new ARRAYS[array](buffer) });
  }
  return { graph, extra: header.extra };
}

/** Has ORT optimise the ONNX file `from` into `to` (no weights packed, no arena) in a child process. */
export async function optimizeInChildProcess(from: string, to: string, options: SessionOptions, plan: GraphOptimization, what: string): Promise<void> {
  await runSetupJob({ kind: 'optimize', from, to, options: childSessionOptions(options), plan, what }, [], `optimising the ${what}`);
}

/** Runs `job` in a child process (`input`: the chunks of its stdin) and returns its result; `doing` says what it was for in errors. */
export async function runSetupJob(job: SetupJob, input: readonly Uint8Array[], doing: string): Promise<unknown> {
  let child: ChildProcess;
  try {
    child = childProcess.fork(fileURLToPath(moduleUrl('onnx/setup-process-child.js')), [JSON.stringify(job)], {
      stdio: ['pipe', 'ignore', 'pipe', 'ipc'],
      execArgv: inheritedExecArgv(),
      env: { ...process.env, [PARENT_PID_VARIABLE]: String(process.pid) },
    });
  } catch (err) {
    throw new RobustartError(`${doing} could not start its child process: ${(err as Error).message}`);
  }
  // Listening before touching the pipes: a fork that failed (too many open files) has none and reports on the next tick.
  const ended = new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, s) => resolve([c, s])); // after its last message
  });
  const stderr: Buffer[] = [];
  child.stderr?.on('data', (d: Buffer) => stderr.push(d));
  child.stdin?.on('error', () => {}); // a child that exits early closes its stdin; its exit says why
  // The chunks are views of the graph's arrays, which nothing changes meanwhile: written as they are, never copied.
  for (const chunk of input) child.stdin?.write(chunk);
  child.stdin?.end();
  let reply: SetupReply | undefined;
  child.on('message', (m) => (reply = m as SetupReply));
  const [code, signal] = await ended.catch((err: Error) => {
    throw new RobustartError(`${doing} could not start its child process: ${err.message}`);
  });
  if (reply?.ok === false) throw new RobustartError(reply.userError ? `${doing}: ${reply.error}` : `${doing} failed: ${reply.error}`);
  if (reply) return reply.result;
  const last = lastTelling(stderr);
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  throw new RobustartError(`${doing} stopped: its child process ${how}${last ? ` (${last})` : ''}; if memory ran out, close other programs or use a machine with more memory`);
}

// onnxruntime-node sessions and tensors for robustart's graphs (CPU by default; WebGPU/CUDA by name).
import { ort } from '../util/native.js';
import type OrtTypes from 'onnxruntime-node';
import type { ModelProto } from './proto.js';
import { encodeModel } from './proto.js';
import type { Graph } from './graph.js';
import { RobustartError } from '../errors.js';

export type OrtSession = OrtTypes.InferenceSession;
export type OrtTensor = OrtTypes.Tensor;

export const DEVICES = ['cpu', 'webgpu', 'cuda'] as const;
export type Device = (typeof DEVICES)[number];

/** How robustart opens an ONNX Runtime session: the one options type of classifiers, gradient and training sessions. */
export interface SessionOptions {
  /** Where the model runs (default: ROBUSTART_EP, else cpu). */
  readonly device?: Device;
  /** Threads for one operator; default (or 0): onnxruntime's choice (all cores). */
  readonly threads?: number;
  /** Advanced: onnxruntime execution providers in preference order (e.g. ['cuda', 'cpu']); overrides `device`. */
  readonly executionProviders?: string[];
  /** @deprecated the same as `threads`. */
  readonly intraOpThreads?: number;
  /**
   * false: no CPU memory arena and no memory-pattern plan, so each run's buffers go back when it ends (for one-off
   * runs that fetch many values, such as shape discovery). Default true.
   */
  readonly reuseMemory?: boolean;
}

/** Execution providers from ROBUSTART_EP (comma-separated), else CPU. */
export function defaultExecutionProviders(): string[] {
  const env = process.env.ROBUSTART_EP;
  return env ? env.split(',').map((s) => s.trim()).filter(Boolean) : ['cpu'];
}

/** The execution providers a session with these options runs on, in preference order. */
export function sessionProviders(options: SessionOptions = {}): string[] {
  return options.executionProviders ?? (options.device ? [options.device] : defaultExecutionProviders());
}

/** Execution providers this onnxruntime-node build carries (CUDA is absent when installed with install=skip). */
export function bundledExecutionProviders(): string[] {
  const backends = ort.listSupportedBackends?.() ?? [{ name: 'cpu', bundled: true }];
  return backends.filter((b) => b.bundled).map((b) => b.name);
}

/** ORT errors start with a source location and a failed assertion; users need the sentence after it. */
export function conciseOrtMessage(message: string): string {
  const first = message.split('\n')[0];
  const stripped = first.replace(/^\[[^\]]*\]\s*/, '').replace(/^\S+\.(cc|h|cpp):\d+\s+.*?(was false\.|failed\.)\s*/, '');
  return stripped || first;
}

/** How a session treats its graph: optimise it (default), optionally writing the optimised graph out, or run it as given. */
export interface GraphOptimization {
  /** Write the graph as ORT optimised it to this file (it runs only with the same ORT build on the same kind of CPU). */
  readonly saveOptimizedTo?: string;
  /**
   * false: run the graph as given, without ORT's graph optimisations: a graph ORT optimised and saved before, or one
   * run once (shape discovery: measured on ConvNeXt-T, the optimiser's copies of the weights took the peak from
   * 0.6 to 0.9 GiB for the same CPU time). Default true.
   */
  readonly optimize?: boolean;
  /**
   * false: no memory-pattern plan (buffers still come from the arena). The plan ORT records on a run is one block
   * allocated beside the arena chunks that run already holds; on a backward graph that block costs about as much as the
   * activations again (measured: Swin-T, batch 2, peak 1.55 → 1.25 GiB) for no measurable speed (within 4% CPU).
   */
  readonly memoryPattern?: boolean;
  /**
   * false: weights are not pre-packed into the CPU kernels' layouts. For a session that only writes its optimised graph
   * out (the packed copies are not part of that graph, and a second copy of every weight is the largest part of such a
   * session's memory) or runs once (shape discovery). Default true: a session that runs many times repays the packing.
   */
  readonly prepack?: boolean;
  /** Record onnxruntime's per-node timings into a JSON file whose path starts with this prefix (written by `endProfiling()`). */
  readonly profileFilePrefix?: string;
}

/**
 * The one way robustart opens an ORT session: inference, shape discovery, gradients and training alike. `model` may be
 * the path of an ONNX file, which onnxruntime reads itself (no copy of the file's bytes is held in JavaScript).
 */
export async function createSession(model: ModelProto | Graph | Uint8Array | string, options: SessionOptions = {}, what = 'model', optimization: GraphOptimization = {}): Promise<OrtSession> {
  const providers = sessionProviders(options);
  const threads = options.threads ?? options.intraOpThreads;
  const bundled = bundledExecutionProviders();
  const missing = providers.find((p) => !bundled.includes(p));
  if (missing) {
    const hint = missing === 'cuda'
      ? 'this onnxruntime-node install has no CUDA provider (it is installed with onnxruntime-node-install=skip); reinstall onnxruntime-node with its CUDA binaries on a CUDA machine, or run on the cpu device'
      : `use one of: ${bundled.join(', ')}`;
    throw new RobustartError(`execution provider '${missing}' is not available: ${hint}`);
  }
  const source = typeof model === 'string' || model instanceof Uint8Array ? model : encodeModel('toModel' in model ? model.toModel() : model);
  try {
    const sessionOptions: OrtTypes.InferenceSession.SessionOptions = {
      executionProviders: providers,
      graphOptimizationLevel: optimization.optimize === false ? 'disabled' : 'all',
      ...(optimization.saveOptimizedTo ? { optimizedModelFilePath: optimization.saveOptimizedTo } : {}),
      ...(optimization.profileFilePrefix ? { enableProfiling: true, profileFilePrefix: optimization.profileFilePrefix } : {}),
      logSeverityLevel: 3, // errors only: unused-initializer notices are expected in pruned gradient graphs
      ...(threads ? { intraOpNumThreads: threads } : {}),
      ...(options.reuseMemory === false ? { enableCpuMemArena: false, enableMemPattern: false } : optimization.memoryPattern === false ? { enableMemPattern: false } : {}),
      // Idle ORT threads spin by default; here they share the cores with the preprocessing workers, and
      // spinning threads steal their time (measured: ResNet-50 batches 25% faster with it off on 2 busy cores).
      extra: { session: { intra_op: { allow_spinning: '0' }, ...(optimization.prepack === false ? { disable_prepacking: '1' } : {}) } },
    };
    return await (typeof source === 'string' ? ort.InferenceSession.create(source, sessionOptions) : ort.InferenceSession.create(source, sessionOptions));
  } catch (err) {
    const reason = conciseOrtMessage(String((err as Error).message ?? err));
    const accelerator = providers.find((p) => p !== 'cpu');
    if (accelerator) throw new RobustartError(`could not start the ${accelerator} execution provider for ${what} (${reason}); check the GPU driver or run on the cpu device`);
    throw new RobustartError(`onnxruntime could not load ${what}: ${reason}; check that the model is a valid ONNX file with standard ops (opset ≤ 21)`);
  }
}

/**
 * Has ORT optimise the ONNX file `from` into the file `to` with `plan`, in a session that only writes it (no weights
 * packed for the kernels, no arena: the least memory left behind), released at once.
 */
export async function optimizeToFile(from: string, to: string, options: SessionOptions, plan: GraphOptimization, what: string): Promise<void> {
  await (await createSession(from, { ...options, reuseMemory: false }, what, { ...plan, saveOptimizedTo: to, prepack: false })).release();
}

export function tensor(type: 'float32' | 'float64' | 'int64' | 'int32' | 'bool', data: OrtTypes.Tensor['data'], dims: readonly number[]): OrtTypes.Tensor {
  return new ort.Tensor(type, data as never, dims);
}

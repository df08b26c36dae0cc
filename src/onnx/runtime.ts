// onnxruntime-node sessions and tensors for robustart's graphs (CPU by default; WebGPU/CUDA by name).
import ort from 'onnxruntime-node';
import type { ModelProto } from './proto.js';
import { encodeModel } from './proto.js';
import type { Graph } from './graph.js';
import { RobustartError } from '../errors.js';

export type OrtSession = ort.InferenceSession;
export type OrtTensor = ort.Tensor;
export const OrtTensorClass = ort.Tensor;

export interface SessionOptions {
  /** onnxruntime execution providers in preference order, e.g. ['cuda', 'cpu'] or ['webgpu', 'cpu']. */
  readonly executionProviders?: string[];
  /** Threads for one op; 0 lets onnxruntime choose. */
  readonly intraOpThreads?: number;
}

/** Execution providers from ROBUSTART_EP (comma-separated), else CPU. */
export function defaultExecutionProviders(): string[] {
  const env = process.env.ROBUSTART_EP;
  return env ? env.split(',').map((s) => s.trim()).filter(Boolean) : ['cpu'];
}

export async function createSession(model: ModelProto | Graph | Uint8Array, options: SessionOptions = {}, what = 'model'): Promise<OrtSession> {
  const bytes = model instanceof Uint8Array ? model : encodeModel('toModel' in model ? model.toModel() : model);
  try {
    return await ort.InferenceSession.create(bytes, {
      executionProviders: options.executionProviders ?? defaultExecutionProviders(),
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3, // errors only: unused-initializer notices are expected in pruned gradient graphs
      ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {}),
    });
  } catch (err) {
    throw new RobustartError(`onnxruntime could not load the ${what}: ${(err as Error).message.split('\n')[0]}`);
  }
}

export function tensor(type: 'float32' | 'float64' | 'int64' | 'int32' | 'bool', data: ort.Tensor['data'], dims: readonly number[]): ort.Tensor {
  return new ort.Tensor(type, data as never, dims);
}

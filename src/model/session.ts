// ONNX Runtime sessions on the execution provider the user picks, with clear errors when it is missing.
import ort from 'onnxruntime-node';
import { RobustartError } from '../errors.js';

export const DEVICES = ['cpu', 'webgpu', 'cuda'] as const;
export type Device = (typeof DEVICES)[number];

export function parseDevice(text: string | undefined): Device {
  const device = (text ?? 'cpu').toLowerCase();
  if (!(DEVICES as readonly string[]).includes(device)) {
    throw new RobustartError(`--device ${text} is not known; use one of ${DEVICES.join(', ')}`);
  }
  return device as Device;
}

/** Which execution providers this onnxruntime-node build carries. */
export function availableDevices(): Device[] {
  const backends = ort.listSupportedBackends?.() ?? [{ name: 'cpu', bundled: true }];
  return DEVICES.filter((d) => backends.some((b) => b.name === d && b.bundled));
}

export interface SessionOptions {
  readonly device?: Device;
  /** Threads for one operator; default: ORT's choice (all cores). */
  readonly threads?: number;
}

export async function createSession(model: Uint8Array, source: string, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  const device = options.device ?? 'cpu';
  if (!availableDevices().includes(device)) {
    const hint = device === 'cuda'
      ? 'this onnxruntime-node install has no CUDA provider (it is installed with onnxruntime-node-install=skip); reinstall onnxruntime-node with its CUDA binaries on a CUDA machine, or use --device cpu'
      : `use one of: ${availableDevices().join(', ')}`;
    throw new RobustartError(`execution provider '${device}' is not available: ${hint}`);
  }
  try {
    return await ort.InferenceSession.create(model, {
      executionProviders: [device],
      graphOptimizationLevel: 'all',
      ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
      // Idle ORT threads spin by default; here they share the cores with the preprocessing workers, and
      // spinning threads steal their time (measured: ResNet-50 batches 25% faster with it off on 2 busy cores).
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
  } catch (err) {
    const first = conciseOrtMessage(String((err as Error).message ?? err));
    if (device !== 'cpu') throw new RobustartError(`could not start the ${device} execution provider for ${source} (${first}); check the GPU driver or use --device cpu`);
    throw new RobustartError(`onnxruntime could not load ${source}: ${first}; check that the model is a valid ONNX file with standard ops (opset ≤ 21)`);
  }
}

/** ORT errors start with a source location and a failed assertion; users need the sentence after it. */
export function conciseOrtMessage(message: string): string {
  const first = message.split('\n')[0];
  const stripped = first.replace(/^\[[^\]]*\]\s*/, '').replace(/^\S+\.(cc|h|cpp):\d+\s+.*?(was false\.|failed\.)\s*/, '');
  return stripped || first;
}

// ONNX Runtime sessions on the execution provider the user picks, with clear errors when it is missing.
import type ort from 'onnxruntime-node';
import { DEVICES, bundledExecutionProviders, conciseOrtMessage, createSession as createOrtSession, type Device, type SessionOptions } from '../onnx/runtime.js';
import { InvalidOptionError } from '../util/options.js';

export { DEVICES, type Device, type SessionOptions };

/** The device named by `text` (default cpu); another name is an InvalidOptionError (option `device`). */
export function parseDevice(text: string | undefined): Device {
  const device = (text ?? 'cpu').toLowerCase();
  if (!(DEVICES as readonly string[]).includes(device)) {
    throw new InvalidOptionError('model session', 'device', text, `one of ${DEVICES.join(', ')}`);
  }
  return device as Device;
}

/** Which of robustart's devices this onnxruntime-node build carries. */
export function availableDevices(): Device[] {
  const bundled = bundledExecutionProviders();
  return DEVICES.filter((d) => bundled.includes(d));
}

/** A session for a model file on the chosen device; `source` names the file in errors. */
export function createSession(model: Uint8Array, source: string, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  return createOrtSession(model, { ...options, device: options.device ?? 'cpu' }, source);
}

export { conciseOrtMessage };

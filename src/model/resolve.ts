// One way in: a model is named by a path to an .onnx file, a registered name, or a bundled name.
import { existsSync } from 'node:fs';
import type { ModelLookup } from './registry.js';
import { packagePath } from '../util/paths.js';
import { loadModelFile, ModelNotFoundError, type LoadedModel } from './load.js';

/** Models shipped inside the package, available without registering. */
export const BUNDLED_MODELS: Record<string, string> = {
  'fashion-cnn': 'demo/model/fashion-cnn.onnx',
  /** The same architecture after PGD-L∞ adversarial training at ε = 0.1 (configs/fashion/fashion-cnn-at.yaml). */
  'fashion-cnn-at': 'demo/model/fashion-cnn-at.onnx',
};

/** `registry`: where registered names are looked up (a ModelRegistry, or a ResultStore, which holds one). */
export function resolveModel(nameOrPath: string, registry?: ModelLookup): LoadedModel {
  const registered = registry?.getModel(nameOrPath);
  if (registered) {
    if (!existsSync(registered.path)) {
      throw new ModelNotFoundError(nameOrPath, `registered model '${nameOrPath}' points to ${registered.path}, which no longer exists`, 'stale-registration');
    }
    return loadModelFile(registered.path, registered.name);
  }
  if (BUNDLED_MODELS[nameOrPath]) return loadModelFile(packagePath(BUNDLED_MODELS[nameOrPath]), nameOrPath);
  if (existsSync(nameOrPath) || /\.onnx$/i.test(nameOrPath) || nameOrPath.includes('/')) return loadModelFile(nameOrPath);
  throw new ModelNotFoundError(nameOrPath, `'${nameOrPath}' is neither a model file nor a bundled or registered model`, 'unknown-name');
}

/** Default batch: 32 images at 224², scaled inversely with pixel count (bounded), so memory stays flat. */
export function defaultBatchSize(inputSize: readonly [number, number, number]): number {
  const [, h, w] = inputSize;
  return Math.max(1, Math.min(256, Math.round((32 * 224 * 224) / (h * w))));
}

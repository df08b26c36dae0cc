// Reading and writing ONNX protobuf through the kept `onnx-proto` codec (onnx v1.10 schema).
import { readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import type onnxProto from 'onnx-proto';
import { lazyValue, requirePackage } from '../util/native.js';
import { RobustartError } from '../errors.js';

// The codec (protobufjs) loads on first use: importing robustart does not pay for it.
export const onnx: typeof onnxProto.onnx = lazyValue(() => requirePackage<typeof onnxProto>('onnx-proto').onnx);
export type ModelProto = onnxProto.onnx.ModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

export const DataType: typeof onnxProto.onnx.TensorProto.DataType = lazyValue(() => onnx.TensorProto.DataType);
export const AttributeType: typeof onnxProto.onnx.AttributeProto.AttributeType = lazyValue(() => onnx.AttributeProto.AttributeType);

/** Decodes ONNX bytes; `source` names the file in the error a user sees. */
export function decodeModel(bytes: Uint8Array, source = 'model'): ModelProto {
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new RobustartError(`${source} is not an ONNX model (protobuf decode failed: ${(err as Error).message}); export it with torch.onnx.export or tf2onnx`);
  }
  if (!model.graph || !model.graph.node || model.graph.node.length === 0) {
    throw new RobustartError(`${source} is not an ONNX model (it has no graph nodes); export it with torch.onnx.export or tf2onnx`);
  }
  return model;
}

export function readModel(path: string): ModelProto {
  if (!existsSync(path)) throw new RobustartError(`model file not found: ${path}; pass an existing .onnx path or a registered model name (robustart models list)`);
  if (statSync(path).isDirectory()) throw new RobustartError(`model path is a directory: ${path}; pass the .onnx file inside it`);
  return decodeModel(readFileSync(path), path);
}

export function encodeModel(model: onnxProto.onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

export function writeModel(path: string, model: onnxProto.onnx.IModelProto): void {
  writeFileSync(path, encodeModel(model));
}

/** The opset version of the default ('' or 'ai.onnx') domain. */
export function defaultOpset(model: onnxProto.onnx.IModelProto): number {
  for (const entry of model.opsetImport ?? []) {
    if (!entry.domain || entry.domain === 'ai.onnx') return Number(entry.version);
  }
  return 1;
}

export function metadataOf(model: onnxProto.onnx.IModelProto): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of model.metadataProps ?? []) if (p.key) out[p.key] = p.value ?? '';
  return out;
}

// Loading an ONNX image classifier: read, validate its interface, resolve metadata, prepend normalisation.
import { readFileSync, existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { nodeCrypto } from '../util/native.js';
import { decodeModel, encodeModel, metadataOf, defaultOpset, type ModelProto } from '../onnx/proto.js';
import { DataType } from '../onnx/proto.js';
import { RobustartError } from '../errors.js';
import { resolveModelMetadata, type ModelMetadata } from './metadata.js';
import { runtimeInputs, graphOutputs, parameterCount } from './graph-info.js';
import { prependNormalization } from './normalize.js';

/** Why a model name or path leads to no model file. */
export type ModelNotFoundReason = 'missing-file' | 'stale-registration' | 'unknown-name';

const LIBRARY_REMEDY: Record<ModelNotFoundReason, string> = {
  'missing-file': "pass the path of an existing .onnx file, or a bundled or registered model's name",
  'stale-registration': "register it again with the file's current path",
  'unknown-name': "pass the path of an .onnx file, or a bundled or registered model's name",
};

/** A model that cannot be found. The message speaks of the library; the CLI words the remedy as its commands. */
export class ModelNotFoundError extends RobustartError {
  constructor(readonly model: string, readonly problem: string, readonly reason: ModelNotFoundReason) {
    super(`${problem}; ${LIBRARY_REMEDY[reason]}`);
    this.name = 'ModelNotFoundError';
  }
}

export interface LoadedModel {
  /** Registry name, or the file's base name for a model given by path. */
  readonly name: string;
  readonly path: string;
  readonly sha256: string;
  readonly metadata: ModelMetadata;
  readonly opset: number;
  readonly inputName: string;
  readonly outputName: string;
  readonly parameters: number;
  /** The graph as stored (normalised input). */
  readonly original: ModelProto;
  /** The graph with normalisation prepended: takes N,C,H,W pixels in [0,1]. */
  readonly pixelModel: ModelProto;
  readonly pixelModelBytes: Uint8Array;
  /** The graph's fixed batch size, when its input's first dimension is a number rather than symbolic. */
  readonly fixedBatch?: number;
  /** Facts a user should see when the model is used (which of several outputs is read). */
  readonly notes: readonly string[];
}

/** Stored graphs that expect normalised input (their loaded model prepends the normalisation). */
const NORMALISED_INPUT_GRAPHS = new WeakSet<ModelProto>();

/**
 * Refuses a loaded model's `original` graph where [0,1] pixels are meant: that graph expects normalised input,
 * so gradients and attacks on it would be computed on the wrong function.
 */
export function assertPixelGraph(model: unknown): void {
  if (typeof model === 'object' && model !== null && NORMALISED_INPUT_GRAPHS.has(model as ModelProto)) {
    throw new RobustartError('this is the model as stored, which expects normalised input; pass the loaded model itself (what loadModelFile returns), whose graph takes [0,1] pixels');
  }
}

/** A loaded model, told apart from raw model bytes or graphs. */
export function isLoadedModel(model: unknown): model is LoadedModel {
  return typeof model === 'object' && model !== null && 'pixelModel' in model && 'metadata' in model && 'original' in model;
}

export function loadModelFile(path: string, name = basename(path).replace(/\.onnx$/i, '')): LoadedModel {
  const absolute = resolve(path);
  if (!existsSync(absolute)) {
    throw new ModelNotFoundError(path, `model file not found: ${path}`, 'missing-file');
  }
  if (statSync(absolute).isDirectory()) {
    throw new RobustartError(`model path ${path} is a directory; pass the .onnx file inside it (or a registered model name)`);
  }
  const bytes = readFileSync(absolute);
  const original = decodeModel(bytes, path);
  const inputs = runtimeInputs(original);
  if (inputs.length !== 1) {
    throw new RobustartError(`${path} has ${inputs.length} runtime inputs (${inputs.map((i) => i.name).join(', ')}); robustart expects an image classifier with one input [N, C, H, W]`);
  }
  const input = inputs[0];
  if (input.shape.length !== 4) {
    throw new RobustartError(`${path}: input '${input.name}' has rank ${input.shape.length}; robustart expects an image classifier with input [N, C, H, W] (re-export with a 4-D image input)`);
  }
  if (input.elemType !== DataType.FLOAT) {
    throw new RobustartError(`${path}: input '${input.name}' has ONNX element type ${input.elemType}; robustart expects float32 images (re-export in float32)`);
  }
  const [, c1, , c3] = input.shape;
  if ((c3 === 3 || c3 === 1) && c1 !== c3 && c1 !== null && c1 > 4) {
    throw new RobustartError(`${path}: input '${input.name}' [${input.shape.map((d) => d ?? '?').join(', ')}] is channels-last (NHWC); robustart feeds channels-first [N, C, H, W] images: re-export with an NCHW input (e.g. a Transpose at the start of the graph)`);
  }
  const outputs = graphOutputs(original);
  if (outputs.length === 0) throw new RobustartError(`${path} has no graph output; robustart expects logits [N, num_classes]`);
  // The first output unless the metadata's output_name picks another (models with auxiliary heads).
  const [, c, h, w] = input.shape;
  const inferredSize = c && h && w ? ([c, h, w] as [number, number, number]) : undefined;
  const firstPass = resolveModelMetadata(absolute, metadataOf(original), { input_size: inferredSize, num_classes: outputs[0].shape[1] ?? undefined });
  const wanted = firstPass.output_name;
  const output = wanted === undefined ? outputs[0] : outputs.find((o) => o.name === wanted);
  if (!output) throw new RobustartError(`${path}: metadata output_name '${wanted}' is not one of the graph's outputs (${outputs.map((o) => o.name).join(', ')})`);
  const notes = outputs.length > 1 ? [`model ${name} has ${outputs.length} outputs (${outputs.map((o) => o.name).join(', ')}); using output '${output.name}'${wanted === undefined ? ', the first; the metadata field output_name selects another' : ' (metadata output_name)'}`] : [];
  const batchDim = input.shape[0];
  if (batchDim !== null && batchDim !== 1) {
    throw new RobustartError(`${path}: input '${input.name}' has a fixed batch of ${batchDim}; robustart needs a symbolic batch dimension or a batch of 1 (re-export with dynamic_axes={'${input.name}': {0: 'batch'}})`);
  }
  if (batchDim === 1) notes.push(`model ${name} has a fixed batch of 1: images go through it one at a time`);
  if (output.shape.length !== 2 && output.shape.length !== 0) {
    throw new RobustartError(`${path}: output '${output.name}' has rank ${output.shape.length}; robustart expects logits [N, num_classes]`);
  }
  const inferredClasses = output.shape[1] ?? undefined;
  const metadata = output === outputs[0] ? firstPass : resolveModelMetadata(absolute, metadataOf(original), { input_size: inferredSize, num_classes: inferredClasses });
  checkAgainstGraph(path, metadata, input.shape, inferredClasses);
  const pixelModel = metadata.normalized_in_graph ? original : prependNormalization(original, input.name, metadata.mean, metadata.std);
  if (pixelModel !== original) NORMALISED_INPUT_GRAPHS.add(original);
  return {
    name,
    path: absolute,
    sha256: nodeCrypto.createHash('sha256').update(bytes).digest('hex'),
    metadata,
    opset: defaultOpset(original),
    inputName: input.name,
    outputName: output.name,
    parameters: parameterCount(original),
    original,
    pixelModel,
    pixelModelBytes: encodeModel(pixelModel),
    ...(batchDim === null ? {} : { fixedBatch: batchDim }),
    notes,
  };
}

function checkAgainstGraph(path: string, metadata: ModelMetadata, inputShape: (number | null)[], graphClasses: number | undefined): void {
  const [, c, h, w] = inputShape;
  const [mc, mh, mw] = metadata.input_size;
  if ((c !== null && c !== mc) || (h !== null && h !== mh) || (w !== null && w !== mw)) {
    throw new RobustartError(`${path}: metadata input_size [${metadata.input_size.join(', ')}] does not match the graph input [${inputShape.map((d) => d ?? '?').join(', ')}]; fix input_size in the metadata`);
  }
  if (mc !== metadata.mean.length) {
    throw new RobustartError(`${path}: input has ${mc} channels but mean/std have ${metadata.mean.length}; give one mean and std per channel`);
  }
  if (graphClasses !== undefined && graphClasses !== metadata.num_classes) {
    throw new RobustartError(`${path}: metadata num_classes ${metadata.num_classes} does not match the graph output width ${graphClasses}; fix num_classes in the metadata`);
  }
}

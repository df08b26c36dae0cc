// The gradient API: one graph, run as one onnxruntime session, whose outputs are the logits, the
// per-sample loss of a loss head and the gradients of that loss with respect to the input and/or
// chosen parameters. Only what the requested gradients need is differentiated; the backward nodes
// read the forward intermediates directly.
import type { LossKind } from '../model/differentiable.js';
import type { ModelProto } from '../onnx/proto.js';
import { decodeModel, encodeModel, DataType } from '../onnx/proto.js';
import { makeNode, makeValueInfo } from '../onnx/build.js';
import { Graph } from '../onnx/graph.js';
import { canonicalizeOpset } from '../onnx/opset.js';
import { foldBatchNormIntoConv } from '../onnx/fold.js';
import { discoverShapes, type ShapeMap } from '../onnx/shapes.js';
import type { SetupProcessOptions } from '../onnx/setup-process.js';
import { sessionProviders, type SessionOptions } from '../onnx/runtime.js';
import { appendBackward } from './backward.js';
import { appendLossHead, LOSS_OUTPUT } from './loss-heads.js';
import { RobustartError } from '../errors.js';
import { graphCacheFor, modelContentHash, type GraphCacheOptions } from './graph-cache.js';

/** A forward graph in canonical opset with the shape and dtype of every value. */
export interface PreparedModel {
  readonly graph: Graph;
  readonly shapes: ShapeMap;
  readonly inputName: string;
  readonly logitsName: string;
  readonly numClasses: number;
  /** ONNX element type of the logits (float or double). */
  readonly dataType: number;
  /** SHA-256 of the model it was prepared from, when the start-up cache is on (graphs built from it are cached under it). */
  readonly modelHash?: string;
}

export interface PrepareOptions {
  readonly inputName?: string;
  readonly logitsName?: string;
  readonly session?: SessionOptions & GraphCacheOptions & SetupProcessOptions;
  /** How errors name the model (default: 'the model'). */
  readonly what?: string;
  /** The model's content hash when the caller has it (saves encoding and hashing the model again). */
  readonly modelHash?: string;
}

export async function prepareModel(model: ModelProto | Graph | Uint8Array, options: PrepareOptions = {}): Promise<PreparedModel> {
  const cache = graphCacheFor(options.session);
  const modelHash = cache ? (options.modelHash ?? modelContentHash(model instanceof Uint8Array ? model : encodeModel(model instanceof Graph ? model.toModel() : model))) : undefined;
  const graph = model instanceof Graph ? model.clone() : Graph.fromModel(model instanceof Uint8Array ? decodeModel(model) : model);
  canonicalizeOpset(graph);
  const inputName = options.inputName ?? graph.inputs[0]?.name ?? '';
  if (!graph.input(inputName)) throw new RobustartError(`model has no input '${inputName}'; its inputs are ${graph.inputs.map((i) => i.name).join(', ')}`);
  const logitsName = options.logitsName ?? graph.outputs[0]?.name ?? '';
  let shapes = modelHash ? cache?.shapes(modelHash) : undefined;
  if (!shapes) {
    shapes = await discoverShapes(graph, options.session, options.what);
    if (modelHash) cache?.putShapes(modelHash, shapes);
  }
  const logits = shapes.get(logitsName);
  if (!logits) throw new RobustartError(`model has no output '${logitsName}'`);
  if (logits.dims.length !== 2 || logits.dims[1] === null) {
    throw new RobustartError(`model output '${logitsName}' has shape [${logits.dims.map((d) => d ?? 'N').join(', ')}]; gradients need logits [N, num_classes]`);
  }
  return { graph, shapes, inputName, logitsName, numClasses: logits.dims[1], dataType: logits.dataType, ...(modelHash ? { modelHash } : {}) };
}

/** A loss written by the caller: appends ops on the logits (adding any graph inputs it reads) and returns the per-sample loss value. */
export type LossHeadBuilder = (graph: Graph, logits: string, numClasses: number, dataType: number) => string;

export interface GradientRequest {
  /** One of the attack loss heads, or a custom head (e.g. training's soft-target cross-entropy). */
  readonly loss: LossKind | LossHeadBuilder;
  /** Differentiate with respect to the model input (default true). */
  readonly input?: boolean;
  /** Initializers (or extra graph inputs, e.g. weights fed at run time) to differentiate with respect to. */
  readonly parameters?: readonly string[];
  /** Further graph values to output (e.g. batch statistics of training-mode BatchNorm). */
  readonly extraOutputs?: readonly string[];
  /** The execution provider the graph will run on (default 'cpu'); some ops' gradients take another form there. */
  readonly executionProvider?: string;
}

/** The provider a session with these options runs on first: the one a backward graph is built for. */
export function targetExecutionProvider(options: SessionOptions = {}): string {
  return sessionProviders(options)[0] ?? 'cpu';
}

export interface GradientGraph {
  readonly graph: Graph;
  readonly inputName: string;
  readonly logitsName: string;
  readonly lossName: string;
  /** Source value -> graph output holding d(sum of per-sample losses)/d(source). */
  readonly gradients: ReadonlyMap<string, string>;
}

/** Output name of the gradient for `source`. */
export function gradientOutputName(source: string): string {
  return `grad_${source}`;
}

export async function buildGradientGraph(prepared: PreparedModel, request: GradientRequest): Promise<GradientGraph> {
  const graph = prepared.graph.clone();
  const shapes: ShapeMap = new Map(prepared.shapes);
  // Conv+BN pairs become one Conv (same function), so the backward pass has no BN scaling pass;
  // BN parameters whose gradient is requested keep their node.
  if (foldBatchNormIntoConv(graph, new Set(request.parameters ?? [])) > 0) {
    for (const [name, t] of graph.initializers) if (!shapes.has(name)) shapes.set(name, { dims: [...t.dims], dataType: t.dataType });
  }
  const firstHeadNode = graph.nodes.length;
  const initializersBefore = new Set(graph.initializers.keys());
  const inputsBefore = graph.inputs.length;
  if (typeof request.loss === 'function') graph.nodes.push(makeNode('Identity', [request.loss(graph, prepared.logitsName, prepared.numClasses, prepared.dataType)], [LOSS_OUTPUT]));
  else appendLossHead(graph, request.loss, prepared.logitsName, prepared.numClasses, prepared.dataType);
  // Shapes of the head's values, from a graph of the head alone (the model is not run again).
  const head = new Graph({
    opset: graph.opset,
    nodes: graph.nodes.slice(firstHeadNode),
    inputs: [makeValueInfo(prepared.logitsName, ['N', prepared.numClasses], prepared.dataType), ...graph.inputs.slice(inputsBefore)],
    initializers: new Map([...graph.initializers].filter(([k]) => !initializersBefore.has(k))),
  });
  head.outputs = [{ name: LOSS_OUTPUT }];
  for (const [k, v] of await discoverShapes(head)) if (!shapes.has(k)) shapes.set(k, v);

  const seed = graph.freshName('loss_seed');
  const one = { name: 'value', dims: [1], dataType: prepared.dataType, rawData: new Uint8Array((prepared.dataType === DataType.DOUBLE ? Float64Array.of(1) : Float32Array.of(1)).buffer) };
  const lossShape = graph.freshName('loss_shape');
  graph.nodes.push(makeNode('Shape', [LOSS_OUTPUT], [lossShape]), makeNode('ConstantOfShape', [lossShape], [seed], { value: one }));
  shapes.set(lossShape, { dims: [1], dataType: DataType.INT64 });
  shapes.set(seed, shapes.get(LOSS_OUTPUT)!);

  const sources = [...(request.input === false ? [] : [prepared.inputName]), ...(request.parameters ?? [])];
  for (const s of sources) if (!shapes.has(s)) throw new RobustartError(`cannot differentiate with respect to '${s}': the model has no such input or initializer`);
  const grads = appendBackward(graph, shapes, { sources, seeds: [{ value: LOSS_OUTPUT, gradient: seed }], executionProvider: request.executionProvider });
  const gradients = new Map<string, string>();
  for (const [source, value] of grads) {
    const out = gradientOutputName(source);
    graph.nodes.push(makeNode('Identity', [value], [out]));
    gradients.set(source, out);
  }
  graph.outputs = [{ name: prepared.logitsName }, { name: LOSS_OUTPUT }, ...[...gradients.values(), ...(request.extraOutputs ?? [])].map((name) => ({ name }))];
  graph.pruneToOutputs();
  return { graph, inputName: prepared.inputName, logitsName: prepared.logitsName, lossName: LOSS_OUTPUT, gradients };
}

// A ready-to-run gradient session: the graph of gradient.ts in one onnxruntime session, fed with
// typed arrays. For attacks use classifier.ts (DifferentiableClassifier); this is the general form
// (input and/or parameter gradients, any loss head).
import type { ModelProto } from '../onnx/proto.js';
import { decodeModel, encodeModel } from '../onnx/proto.js';
import { Graph } from '../onnx/graph.js';
import { createSession, sessionProviders, tensor, type GraphOptimization, type OrtSession, type SessionOptions } from '../onnx/runtime.js';
import { readFileSync, rmSync } from 'node:fs';
import { buildGradientGraph, prepareModel, targetExecutionProvider, type GradientGraph, type GradientRequest, type PreparedModel } from './gradient.js';
import { KAPPA_INPUT, LABELS_INPUT, TARGETS_INPUT, lossUsesTargets } from './loss-heads.js';
import { RobustartError } from '../errors.js';
import { assertPixelGraph, isLoadedModel, type LoadedModel } from '../model/load.js';
import { graphCacheFor, modelContentHash, type ForwardKey, type GradientKey, type GradientGraphNames, type GraphCache, type GraphCacheOptions } from './graph-cache.js';

export interface GradientFeeds {
  /** Model input, N × (rest of the input shape), float32. */
  readonly input: Float32Array;
  readonly batch: number;
  readonly labels: Int32Array;
  readonly targets?: Int32Array;
  readonly kappa?: number;
}

export interface GradientOutputs {
  readonly logits: Float32Array;
  readonly loss: Float32Array;
  /** Source name (the input's name or a parameter's) -> gradient of the summed per-sample loss. */
  readonly gradients: Map<string, Float32Array>;
}

export class GradientSession {
  constructor(
    readonly prepared: PreparedModel,
    readonly gradientGraph: GradientGraph,
    private readonly session: OrtSession,
    private readonly request: GradientRequest,
  ) {}

  async run(feeds: GradientFeeds): Promise<GradientOutputs> {
    const inputDims = this.prepared.shapes.get(this.prepared.inputName)!.dims.map((d) => d ?? feeds.batch);
    const ints = (v: Int32Array) => tensor('int64', BigInt64Array.from(v, (c) => BigInt(c)), [v.length]);
    const f: Record<string, ReturnType<typeof tensor>> = { [this.prepared.inputName]: tensor('float32', feeds.input, inputDims), [LABELS_INPUT]: ints(feeds.labels) };
    if (typeof this.request.loss === 'string' && lossUsesTargets(this.request.loss)) {
      if (!feeds.targets) throw new RobustartError(`loss ${this.request.loss} needs targets`);
      f[TARGETS_INPUT] = ints(feeds.targets);
    }
    if (this.request.loss === 'cw') f[KAPPA_INPUT] = tensor('float32', Float32Array.of(feeds.kappa ?? Infinity), []);
    const out = await this.session.run(f);
    const gradients = new Map<string, Float32Array>();
    for (const [source, name] of this.gradientGraph.gradients) gradients.set(source, out[name].data as Float32Array);
    return { logits: out[this.prepared.logitsName].data as Float32Array, loss: out[this.gradientGraph.lossName].data as Float32Array, gradients };
  }

  /** Frees the ONNX Runtime session (also `await using`). */
  dispose(): Promise<void> {
    return this.session.release();
  }

  /** @deprecated the same as dispose(). */
  release(): Promise<void> {
    return this.dispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

/** Gradient sessions run without ORT's memory-pattern plan: it doubled their activation memory (see runtime.ts). */
const NO_MEMORY_PATTERN = { memoryPattern: false } as const;

/**
 * The backward graph of `request` on `prepared` in an ORT session: read from the start-up cache when it holds the
 * graph for this model, loss head, sources and execution provider, else built (and stored there). On the CPU the
 * cache keeps the graph as ORT optimised it, so a warm start skips ORT's optimisation too (the same kernels run on
 * the same graph: outputs are identical). Custom loss heads (functions) are always built.
 */
export async function openGradientSession(prepared: PreparedModel, request: GradientRequest, options: SessionOptions & GraphCacheOptions = {}): Promise<{ session: OrtSession; gradientGraph: GradientGraph }> {
  const what = `gradient graph for loss ${typeof request.loss === 'string' ? request.loss : 'custom'}`;
  const executionProvider = request.executionProvider ?? targetExecutionProvider(options);
  const cache = typeof request.loss === 'string' && prepared.modelHash ? graphCacheFor(options) : undefined;
  const key: GradientKey = {
    inputName: prepared.inputName,
    logitsName: prepared.logitsName,
    loss: String(request.loss),
    input: request.input !== false,
    parameters: [...(request.parameters ?? [])],
    extraOutputs: [...(request.extraOutputs ?? [])],
    executionProvider,
  };
  const hit = cache?.gradientGraph(prepared.modelHash!, key);
  if (hit) {
    try {
      return { session: await createSession(hit.model, options, what, { ...NO_MEMORY_PATTERN, preOptimized: hit.optimized }), gradientGraph: cachedGradientGraph(hit.names, hit.model) };
    } catch {
      // an entry onnxruntime cannot load is rebuilt below (and replaced)
    }
  }
  const gradientGraph = await buildGradientGraph(prepared, { ...request, executionProvider });
  const model = encodeModel(gradientGraph.graph.toModel());
  const names: GradientGraphNames = { inputName: gradientGraph.inputName, logitsName: gradientGraph.logitsName, lossName: gradientGraph.lossName, gradients: [...gradientGraph.gradients] };
  if (!cache) return { session: await createSession(model, options, what, NO_MEMORY_PATTERN), gradientGraph };
  const session = await createAndStore(model, options, what, NO_MEMORY_PATTERN, cache, (stored, optimized) => cache.putGradientGraph(prepared.modelHash!, key, { names, model: stored, optimized }));
  return { session, gradientGraph };
}

/**
 * The session of a classifier's forward pass (the prepared graph pruned to its logits), read from the start-up cache
 * as ORT optimised it when the cache holds it for this model and execution provider, else built and stored there.
 */
export async function openForwardSession(prepared: PreparedModel, options: SessionOptions & GraphCacheOptions = {}): Promise<OrtSession> {
  const cache = prepared.modelHash ? graphCacheFor(options) : undefined;
  const key: ForwardKey = { inputName: prepared.inputName, logitsName: prepared.logitsName, executionProvider: targetExecutionProvider(options) };
  const hit = cache?.forwardGraph(prepared.modelHash!, key);
  if (hit) {
    try {
      return await createSession(hit.model, options, 'model', { preOptimized: hit.optimized });
    } catch {
      // an entry onnxruntime cannot load is rebuilt below (and replaced)
    }
  }
  const model = encodeModel(forwardGraphOf(prepared).toModel());
  if (!cache) return createSession(model, options, 'model');
  return createAndStore(model, options, 'model', {}, cache, (stored, optimized) => cache.putForwardGraph(prepared.modelHash!, key, { model: stored, optimized }));
}

/** A classifier's forward pass: a copy of the prepared graph pruned to its logits. */
export function forwardGraphOf(prepared: PreparedModel): Graph {
  const forward = prepared.graph.clone();
  forward.outputs = [{ name: prepared.logitsName }];
  forward.pruneToOutputs();
  return forward;
}

/**
 * A session for `model` whose graph also goes to the cache through `store`: as ORT optimised it where ORT can write
 * it (the CPU provider alone; other providers' graphs are device-specific), else as given. A cache ORT cannot write
 * its graph into (a full disk) costs the optimised entry, never the session.
 */
async function createAndStore(model: Uint8Array, options: SessionOptions, what: string, plan: GraphOptimization, cache: GraphCache, store: (model: Uint8Array, optimized: boolean) => void): Promise<OrtSession> {
  const scratch = sessionProviders(options).every((p) => p === 'cpu') ? cache.scratchPath() : undefined;
  try {
    const session = scratch ? await createSession(model, options, what, { ...plan, saveOptimizedTo: scratch }).catch(() => createSession(model, options, what, plan)) : await createSession(model, options, what, plan);
    const optimized = scratch ? readIfPresent(scratch) : undefined;
    store(optimized ?? model, optimized !== undefined);
    if (!optimized) return session;
    // The session that wrote its graph out still holds what it wrote it from: run the stored graph, as a warm start does.
    await session.release();
    return await createSession(optimized, options, what, { ...plan, preOptimized: true });
  } finally {
    if (scratch) rmSync(scratch, { force: true });
  }
}

function readIfPresent(path: string): Uint8Array | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/**
 * A GradientGraph read from the cache. Its Graph is decoded from the stored model when first asked for: on the CPU
 * that is the graph as ORT optimised it (with ORT's fused operators), which computes the same outputs.
 */
function cachedGradientGraph(names: GradientGraphNames, model: Uint8Array): GradientGraph {
  let graph: Graph | undefined;
  return {
    inputName: names.inputName,
    logitsName: names.logitsName,
    lossName: names.lossName,
    gradients: new Map(names.gradients),
    get graph() {
      return (graph ??= Graph.fromModel(decodeModel(model)));
    },
  };
}

/** The content hash a loaded model's graphs are cached under (its [0,1]-pixel graph's bytes). */
export function loadedModelHash(model: unknown): string | undefined {
  return isLoadedModel(model) ? modelContentHash(model.pixelModelBytes) : undefined;
}

/**
 * `model` prepared for its sessions: a loaded model's [0,1]-pixel graph (its input and output names unless `options`
 * names others), or the graph given, under the loaded model's content hash where the start-up cache is on.
 */
export async function prepareForSessions(model: LoadedModel | Uint8Array | ModelProto | Graph, options: SessionOptions & GraphCacheOptions & { inputName?: string; logitsName?: string } = {}): Promise<PreparedModel> {
  assertPixelGraph(model);
  const graph = isLoadedModel(model) ? model.pixelModel : model;
  const names = isLoadedModel(model) ? { inputName: options.inputName ?? model.inputName, logitsName: options.logitsName ?? model.outputName } : { inputName: options.inputName, logitsName: options.logitsName };
  const modelHash = graphCacheFor(options) ? loadedModelHash(model) : undefined;
  return prepareModel(graph, { ...names, session: options, ...(modelHash ? { modelHash } : {}) });
}

export async function createGradientSession(model: LoadedModel | Uint8Array | ModelProto | Graph, request: GradientRequest, options: SessionOptions & GraphCacheOptions & { inputName?: string; logitsName?: string } = {}): Promise<GradientSession> {
  const prepared = await prepareForSessions(model, options);
  const { session, gradientGraph } = await openGradientSession(prepared, request, options);
  return new GradientSession(prepared, gradientGraph, session, request);
}

// A ready-to-run gradient session: the graph of gradient.ts in one onnxruntime session, fed with
// typed arrays. For attacks use classifier.ts (DifferentiableClassifier); this is the general form
// (input and/or parameter gradients, any loss head).
import type { ModelProto } from '../onnx/proto.js';
import { decodeModel, encodeModel } from '../onnx/proto.js';
import { Graph } from '../onnx/graph.js';
import { weightBytes } from '../onnx/shapes.js';
import { optimizeInChildProcess, setUpApart, type SetupProcessOptions } from '../onnx/setup-process.js';
import { createSession, optimizeToFile, sessionProviders, tensor, type GraphOptimization, type OrtSession, type SessionOptions } from '../onnx/runtime.js';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGradientGraph, prepareModel, targetExecutionProvider, type GradientGraph, type GradientRequest, type PreparedModel } from './gradient.js';
import { buildInChildProcess, forwardGraphOf, gradientGraphNames, type BuiltApart, type NamedLossRequest } from './build-apart.js';
import { KAPPA_INPUT, LABELS_INPUT, TARGETS_INPUT, lossUsesTargets } from './loss-heads.js';
import { RobustartError } from '../errors.js';
import { assertPixelGraph, isLoadedModel, type LoadedModel } from '../model/load.js';
import { graphCacheFor, modelContentHash, type ForwardKey, type GradientKey, type GradientGraphNames, type GraphCacheOptions } from './graph-cache.js';
import { processAlive } from '../util/process.js';

export { forwardGraphOf } from './build-apart.js';

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
    /** Removes what the session keeps besides ORT's (the file its graph is read from on demand). */
    private readonly removeKept: () => void = () => {},
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
  async dispose(): Promise<void> {
    try {
      await this.session.release();
    } finally {
      this.removeKept();
    }
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
 * the same graph: outputs are identical). Custom loss heads (functions) are always built, in this process.
 */
export async function openGradientSession(prepared: PreparedModel, request: GradientRequest, options: SessionOptions & GraphCacheOptions & SetupProcessOptions = {}, keepGraph = true): Promise<{ session: OrtSession; gradientGraph: GradientGraph; removeKept: () => void }> {
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
  let hit = cache?.gradientGraph(prepared.modelHash!, key);
  const hitNames = hit?.names;
  let built: GradientGraph | undefined;
  let names: GradientGraphNames | undefined;
  const named = typeof request.loss === 'string' ? ({ ...request, loss: request.loss, executionProvider } as NamedLossRequest) : undefined;
  const maker: GraphMaker = {
    here: async () => {
      built = await buildGradientGraph(prepared, { ...request, executionProvider });
      names = gradientGraphNames(built);
      return encodeModel(built.graph.toModel());
    },
    // The GradientGraph's graph is decoded on demand from the cache's entry, or without the cache from the child's file,
    // kept until the session is disposed (`keepGraph`): the parent then never holds the backward graph or its bytes.
    ...(named && {
      apart: async (builtPath: string, optimizedPath: string) => {
        const made = await buildInChildProcess(prepared, named, builtPath, optimizedPath, options, NO_MEMORY_PATTERN, what);
        names = made.names ?? undefined;
        return made;
      },
    }),
  };
  let kept: KeptGraph | undefined;
  const stored = (): Uint8Array => {
    if (kept) {
      if (!existsSync(kept.file)) throw new RobustartError(`the ${what} was removed with its session; read the gradient graph before disposing the session`);
      return readFileSync(kept.file);
    }
    const entry = cache?.gradientGraph(prepared.modelHash!, key)?.model;
    if (entry) return entry;
    throw new RobustartError(cache ? `the ${what} is no longer in the start-up cache (${cache.dir}); build it with buildGradientGraph` : `the ${what} was not kept (its session was opened without it); build it with buildGradientGraph`);
  };
  const keep = !cache && keepGraph ? (file: KeptGraph) => (kept = file) : undefined;
  const session = await openCachedSession(hit, maker, options, what, NO_MEMORY_PATTERN, cache && ((model, optimized) => cache.putGradientGraph(prepared.modelHash!, key, { names: names!, model, optimized })), weightBytes(prepared.graph), keep);
  hit = undefined; // its bytes (hundreds of MB for a large model) are ORT's now: JavaScript's copy can go
  const removeKept = () => kept && rmSync(kept.scratch, { recursive: true, force: true });
  // A graph built in a child process, or read from the cache, is decoded from the cache's entry or the kept file when first asked for.
  return { session, gradientGraph: built ?? cachedGradientGraph((names ?? hitNames)!, stored), removeKept };
}

/**
 * The session of a classifier's forward pass (the prepared graph pruned to its logits), read from the start-up cache
 * as ORT optimised it when the cache holds it for this model and execution provider, else built and stored there.
 */
export async function openForwardSession(prepared: PreparedModel, options: SessionOptions & GraphCacheOptions & SetupProcessOptions = {}): Promise<OrtSession> {
  const cache = prepared.modelHash ? graphCacheFor(options) : undefined;
  const key: ForwardKey = { inputName: prepared.inputName, logitsName: prepared.logitsName, executionProvider: targetExecutionProvider(options) };
  const maker: GraphMaker = {
    here: async () => encodeModel(forwardGraphOf(prepared).toModel()),
    apart: (builtPath, optimizedPath) => buildInChildProcess(prepared, undefined, builtPath, optimizedPath, options, {}, 'model'),
  };
  return openCachedSession(cache?.forwardGraph(prepared.modelHash!, key), maker, options, 'model', {}, cache && ((model, optimized) => cache.putForwardGraph(prepared.modelHash!, key, { model, optimized })), weightBytes(prepared.graph));
}

/**
 * How a graph the start-up cache keeps is made: built in this process (its encoded bytes), or, where it can be (a
 * forward graph; a backward graph of a named loss head), built and optimised by a child process
 * into files (build-apart.ts).
 */
interface GraphMaker {
  here(): Promise<Uint8Array>;
  apart?(built: string, optimized: string): Promise<BuiltApart>;
}

/** The file a session's graph was opened from, in a scratch folder the session's owner removes (see KeepGraph). */
interface KeptGraph {
  readonly file: string;
  readonly scratch: string;
}

/**
 * Without the cache, takes over the temporary scratch folder of a graph a child process built (instead of its removal
 * after the session opens), so that the graph can be read from its file later.
 */
type KeepGraph = (kept: KeptGraph) => void;

/** Stores a built graph in the start-up cache (its bytes, or the path of its file): as ORT optimised it (`optimized`), or as built. */
type StoreGraph = (model: Uint8Array | string, optimized: boolean) => void;

/**
 * The session of a graph the start-up cache keeps: the cache's entry (`hit`) when onnxruntime can load it, else the graph
 * `maker` makes, stored through `store` when the cache is on (an entry onnxruntime could not load is replaced); on the
 * CPU it is stored as ORT optimised it, by optimizeThenOpen. `weights`: bytes of the model's weights (a model above the
 * set-up threshold has its graph optimised in a child process, and built there too where the maker can).
 */
async function openCachedSession(hit: { model: Uint8Array; optimized: boolean } | undefined, maker: GraphMaker, options: SessionOptions & GraphCacheOptions & SetupProcessOptions, what: string, plan: GraphOptimization, store: StoreGraph | undefined, weights: number, keep?: KeepGraph): Promise<OrtSession> {
  if (hit) {
    try {
      return await createSession(hit.model, options, what, { ...plan, optimize: !hit.optimized });
    } catch {
      // rebuilt below
    }
  }
  const cpu = sessionProviders(options).every((p) => p === 'cpu');
  const apart = cpu && setUpApart(weights, options);
  // Without the cache a small model's built graph runs as ORT optimises it in its session: optimising it apart in this
  // process measured no smaller peak there (ConvNeXt-T, Swin-T) and took 30% longer to start (ResNet-50). A large
  // model's is optimised by a child process into a temporary folder, whose memory does not stay behind.
  const scratch = !cpu ? undefined : store ? graphCacheFor(options)?.scratchPath() : apart ? temporaryScratch() : undefined;
  if (!scratch) {
    const model = await maker.here();
    store?.(model, false);
    return createSession(model, options, what, plan);
  }
  let keeping = false;
  const opened = (file: string, builtApart: boolean) => {
    if (keep && builtApart) {
      keep({ file, scratch });
      keeping = true;
    }
  };
  try {
    return await optimizeThenOpen(maker, scratch, options, what, plan, store ?? (() => {}), apart, opened);
  } finally {
    if (!keeping) rmSync(scratch, { recursive: true, force: true });
  }
}

const SCRATCH_PREFIX = 'robustart-graph-';

/**
 * A fresh folder for a build's scratch files outside the cache (the caller removes it), or undefined when none can be
 * made. Its name carries the process id: a process killed mid-build cannot remove its folder, so folders of processes
 * that no longer run are removed here.
 */
function temporaryScratch(): string | undefined {
  removeOrphanedScratch();
  try {
    return mkdtempSync(join(tmpdir(), `${SCRATCH_PREFIX}${process.pid}-`));
  } catch {
    return undefined;
  }
}

function removeOrphanedScratch(): void {
  try {
    for (const name of readdirSync(tmpdir())) {
      const pid = Number(new RegExp(`^${SCRATCH_PREFIX}(\\d+)-`).exec(name)?.[1]);
      if (pid && pid !== process.pid && !processAlive(pid)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  } catch {
    // another user's folder, or a listing that failed: nothing of ours to remove
  }
}

/**
 * The session of the graph `maker` makes, on the CPU, with the least memory left behind: the graph is written to
 * `scratch` and ORT optimises it from there (no copy in JavaScript) in a session that only writes the optimised graph
 * out (no weights packed for the kernels, no arena: ConvNeXt-T's backward graph, peak 0.98 -> 0.65 GiB, the same
 * optimised graph), which is released before the optimised graph is opened to run, as a warm start opens it. Memory a
 * session frees stays with the process (glibc's heap keeps it for reuse), so what the build needs less is what the
 * process keeps less. `apart`: the optimising session runs in a child process, whose memory goes back to the system,
 * and so does the build where the maker can build apart: this process then only opens the file the child wrote.
 * Where ORT cannot write its graph (a full disk), the built graph runs as a session of its own.
 */
async function optimizeThenOpen(maker: GraphMaker, scratch: string, options: SessionOptions, what: string, plan: GraphOptimization, store: StoreGraph, apart: boolean, opened: (file: string, builtApart: boolean) => void): Promise<OrtSession> {
  mkdirSync(scratch, { recursive: true });
  const builtPath = join(scratch, 'built.onnx');
  const optimizedPath = join(scratch, 'optimized.onnx');
  const open = async (optimized: boolean, builtApart = false) => {
    const session = await createSession(optimized ? optimizedPath : builtPath, options, what, { ...plan, optimize: !optimized });
    opened(optimized ? optimizedPath : builtPath, builtApart);
    // The cache copies the file in chunks: the whole graph in JavaScript would stay until V8 collects it, through the first
    // run (measured: ConvNeXt-T's first step peaked 0.1-0.2 GiB higher with such garbage alive).
    store(optimized ? optimizedPath : builtPath, optimized);
    return session;
  };
  if (apart && maker.apart) {
    const made = await maker.apart(builtPath, optimizedPath);
    if (made.written) return open(made.optimized, true);
  }
  let model: Uint8Array | undefined = await maker.here();
  try {
    writeFileSync(builtPath, model);
  } catch {
    store(model, false);
    return createSession(model, options, what, plan);
  }
  model = undefined; // ORT reads the file: the bytes in JavaScript can go before it loads them
  // Only a write that finished counts: a child killed while writing (memory ran out) or a full disk leaves a partial file.
  let optimized = false;
  try {
    await (apart ? optimizeInChildProcess : optimizeToFile)(builtPath, optimizedPath, options, plan, what);
    optimized = existsSync(optimizedPath);
  } catch {
    // opened below as built
  }
  return open(optimized);
}

/**
 * A GradientGraph whose Graph is decoded from the stored model (`model` reads it) when first asked for: on the CPU
 * that is the graph as ORT optimised it (with ORT's fused operators, com.microsoft, which computes the same outputs.
 * Graph.fromModel refuses models that use other domains, rightly for a model to differentiate; this one is only read,
 * so it is decoded with its default-domain opset alone and its fused nodes keep their domain).
 */
function cachedGradientGraph(names: GradientGraphNames, model: () => Uint8Array): GradientGraph {
  let graph: Graph | undefined;
  return {
    inputName: names.inputName,
    logitsName: names.logitsName,
    lossName: names.lossName,
    gradients: new Map(names.gradients),
    get graph() {
      return (graph ??= Graph.fromModel(defaultDomainOnly(decodeModel(model()))));
    },
  };
}

function defaultDomainOnly(model: ModelProto): ModelProto {
  model.opsetImport = (model.opsetImport ?? []).filter((entry) => !entry.domain || entry.domain === 'ai.onnx');
  return model;
}

/** The content hash a loaded model's graphs are cached under (its [0,1]-pixel graph's bytes). */
export function loadedModelHash(model: unknown): string | undefined {
  return isLoadedModel(model) ? modelContentHash(model.pixelModelBytes) : undefined;
}

/**
 * `model` prepared for its sessions: a loaded model's [0,1]-pixel graph (its input and output names unless `options`
 * names others), or the graph given, under the loaded model's content hash where the start-up cache is on.
 */
export async function prepareForSessions(model: LoadedModel | Uint8Array | ModelProto | Graph, options: SessionOptions & GraphCacheOptions & SetupProcessOptions & { inputName?: string; logitsName?: string } = {}): Promise<PreparedModel> {
  assertPixelGraph(model);
  const graph = isLoadedModel(model) ? model.pixelModel : model;
  const names = isLoadedModel(model) ? { inputName: options.inputName ?? model.inputName, logitsName: options.logitsName ?? model.outputName } : { inputName: options.inputName, logitsName: options.logitsName };
  const modelHash = graphCacheFor(options) ? loadedModelHash(model) : undefined;
  return prepareModel(graph, { ...names, session: options, ...(isLoadedModel(model) ? { what: `model '${model.name}'` } : {}), ...(modelHash ? { modelHash } : {}) });
}

export async function createGradientSession(model: LoadedModel | Uint8Array | ModelProto | Graph, request: GradientRequest, options: SessionOptions & GraphCacheOptions & SetupProcessOptions & { inputName?: string; logitsName?: string } = {}): Promise<GradientSession> {
  const prepared = await prepareForSessions(model, options);
  const { session, gradientGraph, removeKept } = await openGradientSession(prepared, request, options);
  return new GradientSession(prepared, gradientGraph, session, request, removeKept);
}

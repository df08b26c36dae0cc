// A ready-to-run gradient session: the graph of gradient.ts in one onnxruntime session, fed with
// typed arrays. For attacks use classifier.ts (DifferentiableClassifier); this is the general form
// (input and/or parameter gradients, any loss head).
import type { ModelProto } from '../onnx/proto.js';
import type { Graph } from '../onnx/graph.js';
import { createSession, tensor, type OrtSession, type SessionOptions } from '../onnx/runtime.js';
import { buildGradientGraph, prepareModel, targetExecutionProvider, type GradientGraph, type GradientRequest, type PreparedModel } from './gradient.js';
import { KAPPA_INPUT, LABELS_INPUT, TARGETS_INPUT, lossUsesTargets } from './loss-heads.js';
import { RobustartError } from '../errors.js';
import { assertPixelGraph, isLoadedModel, type LoadedModel } from '../model/load.js';

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

export async function createGradientSession(model: LoadedModel | Uint8Array | ModelProto | Graph, request: GradientRequest, options: SessionOptions & { inputName?: string; logitsName?: string } = {}): Promise<GradientSession> {
  assertPixelGraph(model);
  const graph = isLoadedModel(model) ? model.pixelModel : model;
  const prepared = await prepareModel(graph, { inputName: options.inputName ?? (isLoadedModel(model) ? model.inputName : undefined), logitsName: options.logitsName ?? (isLoadedModel(model) ? model.outputName : undefined), session: options });
  const gradientGraph = await buildGradientGraph(prepared, { executionProvider: targetExecutionProvider(options), ...request });
  return new GradientSession(prepared, gradientGraph, await createSession(gradientGraph.graph, options, `gradient graph for loss ${typeof request.loss === 'string' ? request.loss : 'custom'}`), request);
}

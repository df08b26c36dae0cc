// DifferentiableClassifier (src/model/differentiable.ts) on the autodiff engine: logits from a plain
// forward session (start-up cached like the backward graphs), loss and input gradient from one forward+backward session per loss kind, built on
// first use and cached. The model must take [0,1] pixels (normalisation prepended by the loader).
import type { DifferentiableClassifier, LossAndGradient, LossKind, LossSpec } from '../model/differentiable.js';
import type { ModelProto } from '../onnx/proto.js';
import { DataType } from '../onnx/proto.js';
import type { Graph } from '../onnx/graph.js';
import { tensor, type OrtSession, type SessionOptions } from '../onnx/runtime.js';
import type { PreparedModel } from './gradient.js';
import { openForwardSession, openGradientSession, prepareForSessions } from './session.js';
import type { GraphCacheOptions } from './graph-cache.js';
import type { SetupProcessOptions } from '../onnx/setup-process.js';
import { KAPPA_INPUT, LABELS_INPUT, TARGETS_INPUT, lossUsesTargets } from './loss-heads.js';
import { RobustartError } from '../errors.js';
import type { LoadedModel } from '../model/load.js';

export interface ClassifierOptions extends SessionOptions, GraphCacheOptions, SetupProcessOptions {
  readonly inputName?: string;
  readonly logitsName?: string;
}

/**
 * A classifier with loss gradients w.r.t. its [0,1] pixel input. `model`: what loadModelFile returns (its
 * normalisation-prepended graph is used), or a graph that itself takes [0,1] pixels.
 */
export async function createDifferentiableClassifier(model: LoadedModel | Uint8Array | ModelProto | Graph, options: ClassifierOptions = {}): Promise<AutodiffClassifier> {
  const prepared = await prepareForSessions(model, options);
  if (prepared.dataType !== DataType.FLOAT) throw new RobustartError('the model computes logits in a type other than float32; re-export it in float32');
  const inputDims = prepared.shapes.get(prepared.inputName)!.dims;
  if (inputDims.length !== 4 || inputDims.slice(1).some((d) => d === null)) {
    throw new RobustartError(`model input '${prepared.inputName}' has shape [${inputDims.map((d) => d ?? 'N').join(', ')}]; expected [N, C, H, W] with fixed C, H, W`);
  }
  const session = await openForwardSession(prepared, options);
  return new AutodiffClassifier(prepared, session, options, [inputDims[1], inputDims[2], inputDims[3]] as [number, number, number], inputDims[0] ?? undefined);
}

export class AutodiffClassifier implements DifferentiableClassifier {
  readonly numClasses: number;
  private readonly gradientSessions = new Map<LossKind, Promise<OrtSession>>();

  constructor(
    private readonly prepared: PreparedModel,
    private readonly forward: OrtSession,
    private readonly options: SessionOptions & GraphCacheOptions,
    readonly inputShape: readonly [number, number, number],
    /** The graph's fixed batch size, if it has one: a graph exported for batch 1 is run one image at a time. */
    private readonly fixedBatch?: number,
  ) {
    this.numClasses = prepared.numClasses;
  }

  /** Splits a batch into single images for a fixed-batch-1 graph and concatenates the results in order. */
  private async oneAtATime<T extends Record<string, Float32Array>>(batch: number, images: Float32Array, run: (images: Float32Array, batch: number, index: number) => Promise<T>): Promise<T | undefined> {
    if (this.fixedBatch === undefined || this.fixedBatch === batch) return undefined;
    if (this.fixedBatch !== 1) throw new RobustartError(`the model was exported with a fixed batch of ${this.fixedBatch}; re-export it with a dynamic batch dimension`);
    const size = images.length / batch;
    const parts: T[] = [];
    for (let i = 0; i < batch; i++) parts.push(await run(images.subarray(i * size, (i + 1) * size), 1, i));
    const out: Record<string, Float32Array> = {};
    for (const key of Object.keys(parts[0])) {
      const joined = new Float32Array(parts.reduce((n, p) => n + p[key].length, 0));
      let offset = 0;
      for (const p of parts) (joined.set(p[key], offset), (offset += p[key].length));
      out[key] = joined;
    }
    return out as T;
  }

  private inputTensor(images: Float32Array, batch: number) {
    const [c, h, w] = this.inputShape;
    if (images.length !== batch * c * h * w) throw new RobustartError(`image batch has ${images.length} values; expected ${batch} x ${c} x ${h} x ${w}`);
    return tensor('float32', images, [batch, c, h, w]);
  }

  async logits(images: Float32Array, batch: number): Promise<Float32Array> {
    if (batch === 0) return new Float32Array(0);
    const split = await this.oneAtATime(batch, images, async (one) => ({ logits: await this.logits(one, 1) }));
    if (split) return split.logits;
    const out = await this.forward.run({ [this.prepared.inputName]: this.inputTensor(images, batch) });
    return out[this.prepared.logitsName].data as Float32Array;
  }

  private gradientSession(kind: LossKind): Promise<OrtSession> {
    let s = this.gradientSessions.get(kind);
    if (!s) {
      s = openGradientSession(this.prepared, { loss: kind }, this.options, false).then((g) => g.session);
      this.gradientSessions.set(kind, s);
    }
    return s;
  }

  async lossAndGradient(images: Float32Array, batch: number, labels: Int32Array, loss: LossSpec): Promise<LossAndGradient> {
    if (labels.length !== batch) throw new RobustartError(`got ${labels.length} labels for a batch of ${batch}`);
    if (batch === 0) return { loss: new Float32Array(0), gradient: new Float32Array(0), logits: new Float32Array(0) };
    const split = await this.oneAtATime(batch, images, (one, _, i) =>
      this.lossAndGradient(one, 1, labels.subarray(i, i + 1), loss.targets ? { ...loss, targets: loss.targets.subarray(i, i + 1) } : loss).then((r) => ({ ...r })),
    );
    if (split) return split;
    const session = await this.gradientSession(loss.kind);
    const feeds: Record<string, ReturnType<typeof tensor>> = {
      [this.prepared.inputName]: this.inputTensor(images, batch),
      [LABELS_INPUT]: tensor('int64', classIndices(labels, this.numClasses, 'labels'), [batch]),
    };
    if (lossUsesTargets(loss.kind)) {
      if (!loss.targets || loss.targets.length !== batch) throw new RobustartError(`loss ${loss.kind} needs one target class per sample (targets)`);
      feeds[TARGETS_INPUT] = tensor('int64', classIndices(loss.targets, this.numClasses, 'targets'), [batch]);
    }
    if (loss.kind === 'cw') feeds[KAPPA_INPUT] = tensor('float32', Float32Array.of(loss.kappa ?? Infinity), []);
    const out = await session.run(feeds);
    return {
      loss: out.loss.data as Float32Array,
      gradient: out[`grad_${this.prepared.inputName}`].data as Float32Array,
      logits: out[this.prepared.logitsName].data as Float32Array,
    };
  }

  /** Frees the ONNX Runtime sessions (also `await using`). */
  async dispose(): Promise<void> {
    await this.forward.release();
    for (const s of this.gradientSessions.values()) await (await s).release();
  }

  /** @deprecated the same as dispose(). */
  release(): Promise<void> {
    return this.dispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

function classIndices(classes: Int32Array, numClasses: number, what: string): BigInt64Array {
  const out = new BigInt64Array(classes.length);
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i];
    if (!(c >= 0 && c < numClasses)) throw new RobustartError(`${what}[${i}] = ${c} is not a class index in [0, ${numClasses})`);
    out[i] = BigInt(c);
  }
  return out;
}

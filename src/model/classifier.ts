// Inference on batches of [0,1] pixel images through an ONNX Runtime session.
import { ort } from '../util/native.js';
import type OrtTypes from 'onnxruntime-node';
import { RobustartError } from '../errors.js';
import type { LoadedModel } from './load.js';
import { createSession, type SessionOptions } from './session.js';

export class OnnxClassifier {
  private constructor(
    readonly model: LoadedModel,
    private readonly session: OrtTypes.InferenceSession,
  ) {}

  static async create(model: LoadedModel, options: SessionOptions = {}): Promise<OnnxClassifier> {
    return new OnnxClassifier(model, await createSession(model.pixelModelBytes, model.path, options));
  }

  get inputShape(): readonly [number, number, number] {
    return this.model.metadata.input_size;
  }

  get numClasses(): number {
    return this.model.metadata.num_classes;
  }

  /** Logits for `batch` images laid out N,C,H,W in [0,1]. */
  async logits(images: Float32Array, batch: number): Promise<Float32Array> {
    const [c, h, w] = this.inputShape;
    if (images.length !== batch * c * h * w) {
      throw new RobustartError(`batch of ${batch} images needs ${batch * c * h * w} values for input [${c}, ${h}, ${w}], got ${images.length}`);
    }
    const feeds = { [this.model.inputName]: new ort.Tensor('float32', images, [batch, c, h, w]) };
    const result = await this.session.run(feeds, [this.model.outputName]);
    const out = result[this.model.outputName];
    const data = out.data as Float32Array;
    if (data.length !== batch * this.numClasses) {
      throw new RobustartError(`${this.model.path}: output has ${data.length / batch} values per image, metadata says num_classes ${this.numClasses}`);
    }
    return data;
  }

  /** Frees the ONNX Runtime session (also `await using`). */
  async dispose(): Promise<void> {
    await this.session.release();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

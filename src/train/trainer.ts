// Training on the autodiff engine: the weights become graph inputs of one forward+backward session
// (cross-entropy head, gradients w.r.t. every weight, BatchNorm on batch statistics), the update runs
// in TypeScript (Sgd, running statistics), and the trained weights go back into the original graph.
import { DataType } from '../onnx/proto.js';
import { makeValueInfo } from '../onnx/build.js';
import type { Graph } from '../onnx/graph.js';
import { createSession, tensor, type OrtSession } from '../onnx/runtime.js';
import { buildGradientGraph, prepareModel, targetExecutionProvider } from '../autodiff/gradient.js';
import { LABELS_INPUT } from '../autodiff/loss-heads.js';
import { Rng } from '../util/rng.js';
import { Sgd, cosineLearningRate, type SgdConfig } from './sgd.js';
import { batchNormToTraining, runningStatistics, updateRunningStatistics } from './batchnorm.js';

/** A labelled image source that writes normalised NCHW batches. */
export interface TrainingData {
  readonly count: number;
  label(index: number): number;
  /** Normalised NCHW float batch of the given samples; `flip[i]` mirrors sample i. */
  batch(indices: ArrayLike<number>, flip?: ArrayLike<boolean>): Float32Array;
}

export interface TrainConfig {
  readonly epochs: number;
  readonly batchSize: number;
  readonly sgd: SgdConfig;
  readonly warmupEpochs?: number;
  readonly seed: number;
  /** Random horizontal flips. */
  readonly flip?: boolean;
  readonly threads?: number;
  readonly log?: (line: string) => void;
}

export interface EpochRecord {
  readonly epoch: number;
  readonly learningRate: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  readonly seconds: number;
}

export interface TrainResult {
  /** The input graph with trained initializers. */
  readonly graph: Graph;
  readonly history: EpochRecord[];
  readonly seconds: number;
}

export async function trainClassifier(model: Graph, train: TrainingData, test: TrainingData, config: TrainConfig): Promise<TrainResult> {
  const started = Date.now();
  const log = config.log ?? (() => {});
  const prepared = await prepareModel(model);
  const inputDims = prepared.shapes.get(prepared.inputName)!.dims;
  // Trainable: float tensors of rank >= 1 except BN running statistics (updated from batch
  // statistics instead); 0-d initializers are op constants (GELU's 1/sqrt 2, attention scales).
  const running = runningStatistics(prepared.graph);
  const floats = [...prepared.graph.initializers].filter(([, t]) => t.dataType === DataType.FLOAT && t.dims.length > 0).map(([name]) => name);
  const parameters = floats.filter((name) => !running.has(name));
  const state = [...parameters, ...running];
  const weights = new Map(state.map((name) => [name, Float32Array.from(prepared.graph.initializers.get(name)!.data as Float32Array)]));
  const dims = new Map(state.map((name) => [name, prepared.graph.initializers.get(name)!.dims]));
  const asInputs = (g: Graph, names: string[]) => {
    for (const name of names) {
      g.initializers.delete(name);
      g.inputs.push(makeValueInfo(name, dims.get(name)!));
    }
  };
  // Weights as graph inputs so each step feeds the current values; BN in training mode.
  const trainGraph = prepared.graph.clone();
  asInputs(trainGraph, parameters);
  const trainShapes = new Map(prepared.shapes);
  const batchNorms = batchNormToTraining(trainGraph, trainShapes);
  const extraOutputs = batchNorms.flatMap((b) => [b.batchMean, b.batchVar]);
  const gradientGraph = await buildGradientGraph({ ...prepared, graph: trainGraph, shapes: trainShapes }, { loss: 'ce', input: false, parameters, extraOutputs, executionProvider: targetExecutionProvider() });
  const session = await createSession(gradientGraph.graph, { intraOpThreads: config.threads }, 'training graph');
  const evalGraph = prepared.graph.clone();
  asInputs(evalGraph, state);
  evalGraph.outputs = [{ name: prepared.logitsName }];
  evalGraph.pruneToOutputs();
  const evalSession = await createSession(evalGraph, { intraOpThreads: config.threads }, 'evaluation graph');
  const feedsOf = (names: Iterable<string>) => Object.fromEntries([...names].map((name) => [name, tensor('float32', weights.get(name)!, dims.get(name)!)]));
  const weightFeeds = () => feedsOf(parameters);
  const evalFeeds = () => Object.fromEntries([...evalGraph.inputs].filter((i) => weights.has(i.name ?? '')).map((i) => [i.name!, tensor('float32', weights.get(i.name!)!, dims.get(i.name!)!)]));
  const imageDims = (n: number) => [n, ...(inputDims.slice(1) as number[])];

  const sgd = new Sgd(config.sgd);
  const rng = new Rng(config.seed);
  const stepsPerEpoch = Math.ceil(train.count / config.batchSize);
  const totalSteps = stepsPerEpoch * config.epochs;
  const warmup = Math.round((config.warmupEpochs ?? 0) * stepsPerEpoch);
  const history: EpochRecord[] = [];
  let step = 0;
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const epochStart = Date.now();
    const order = rng.shuffle(Array.from({ length: train.count }, (_, i) => i));
    let lossSum = 0;
    let correct = 0;
    let learningRate = 0;
    for (let start = 0; start < train.count; start += config.batchSize) {
      const indices = order.slice(start, start + config.batchSize);
      const n = indices.length;
      const flip = config.flip ? indices.map(() => rng.uniform() < 0.5) : undefined;
      const labels = BigInt64Array.from(indices, (i) => BigInt(train.label(i)));
      const out = await session.run({
        [prepared.inputName]: tensor('float32', train.batch(indices, flip), imageDims(n)),
        [LABELS_INPUT]: tensor('int64', labels, [n]),
        ...weightFeeds(),
      });
      learningRate = cosineLearningRate(config.sgd.learningRate, step, totalSteps, warmup);
      for (const name of parameters) {
        const grad = out[gradientGraph.gradients.get(name)!].data as Float32Array;
        sgd.step(name, weights.get(name)!, grad, learningRate, 1 / n, dims.get(name)!.length > 1);
      }
      for (const b of batchNorms) {
        const count = n * b.positionsPerSample;
        updateRunningStatistics(weights.get(b.runningMean)!, out[b.batchMean].data as Float32Array, count, false);
        updateRunningStatistics(weights.get(b.runningVar)!, out[b.batchVar].data as Float32Array, count, true);
      }
      const loss = out[gradientGraph.lossName].data as Float32Array;
      for (const v of loss) lossSum += v;
      correct += countCorrect(out[prepared.logitsName].data as Float32Array, indices.map((i) => train.label(i)), prepared.numClasses);
      step++;
    }
    const testAccuracy = await accuracy(evalSession, prepared.inputName, prepared.logitsName, test, prepared.numClasses, imageDims, evalFeeds());
    const record: EpochRecord = { epoch, learningRate, trainLoss: lossSum / train.count, trainAccuracy: correct / train.count, testAccuracy, seconds: (Date.now() - epochStart) / 1000 };
    history.push(record);
    log(`epoch ${epoch}/${config.epochs}: lr ${learningRate.toFixed(4)} train loss ${record.trainLoss.toFixed(4)} train acc ${(100 * record.trainAccuracy).toFixed(2)}% test acc ${(100 * testAccuracy).toFixed(2)}% (${record.seconds.toFixed(0)} s)`);
  }
  await session.release();
  await evalSession.release();
  const trained = model.clone();
  for (const name of state) {
    if (!trained.initializers.has(name)) continue;
    trained.initializers.set(name, { dims: dims.get(name)!, dataType: DataType.FLOAT, data: weights.get(name)! });
  }
  return { graph: trained, history, seconds: (Date.now() - started) / 1000 };
}

function countCorrect(logits: Float32Array, labels: number[], classes: number): number {
  let correct = 0;
  labels.forEach((label, n) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[n * classes + c] > logits[n * classes + best]) best = c;
    if (best === label) correct++;
  });
  return correct;
}

export async function accuracy(session: OrtSession, inputName: string, logitsName: string, data: TrainingData, classes: number, imageDims: (n: number) => number[], extraFeeds: Record<string, ReturnType<typeof tensor>> = {}): Promise<number> {
  let correct = 0;
  const batch = 500;
  for (let start = 0; start < data.count; start += batch) {
    const indices = Array.from({ length: Math.min(batch, data.count - start) }, (_, i) => start + i);
    const out = await session.run({ [inputName]: tensor('float32', data.batch(indices), imageDims(indices.length)), ...extraFeeds });
    correct += countCorrect(out[logitsName].data as Float32Array, indices.map((i) => data.label(i)), classes);
  }
  return correct / data.count;
}

// The graphs a model's sessions run (a classifier's forward graph, a backward graph), built and optimised by a child
// process that exits (onnx/setup-process.ts) for a model above the set-up threshold: the parent sends the prepared
// graph's structure and weights, the child builds the graph, writes it to a file, has ORT optimise that into another and
// exits; the parent opens the optimised file. The parent never holds the built graph (its JS objects, its encoded bytes:
// Swin-T's backward graph is about 110 MB encoded, garbage that stayed in the parent until V8 collected it, often only
// after the first gradient step, whose peak it raised). The child builds with the same functions from the same graph,
// so the files are byte-identical to those this process would write.
import { existsSync, writeFileSync } from 'node:fs';
import type { Graph } from '../onnx/graph.js';
import { encodeModel } from '../onnx/proto.js';
import { optimizeToFile, type GraphOptimization, type SessionOptions } from '../onnx/runtime.js';
import type { ValueShape } from '../onnx/shapes.js';
import { childSessionOptions, graphTransfer, runSetupJob } from '../onnx/setup-process.js';
import type { LossKind } from '../model/differentiable.js';
import { buildGradientGraph, type GradientGraph, type GradientRequest, type PreparedModel } from './gradient.js';
import type { GradientGraphNames } from './graph-cache.js';

/** A classifier's forward pass: a copy of the prepared graph pruned to its logits. */
export function forwardGraphOf(prepared: PreparedModel): Graph {
  const forward = prepared.graph.clone();
  forward.outputs = [{ name: prepared.logitsName }];
  forward.pruneToOutputs();
  return forward;
}

/** The names a backward graph's session is read by (what the start-up cache keeps beside the graph). */
export function gradientGraphNames(graph: GradientGraph): GradientGraphNames {
  return { inputName: graph.inputName, logitsName: graph.logitsName, lossName: graph.lossName, gradients: [...graph.gradients] };
}

/** A GradientRequest with a named loss head: plain data, which a child process can be given. */
export type NamedLossRequest = GradientRequest & { readonly loss: LossKind };

/** What the child builds: the forward graph (no `gradient`) or the backward graph of `gradient`, into the file `built`, optimised into `optimized`. */
interface BuildSpec {
  readonly gradient?: NamedLossRequest;
  readonly inputName: string;
  readonly logitsName: string;
  readonly numClasses: number;
  readonly dataType: number;
  readonly built: string;
  readonly optimized: string;
  readonly options: SessionOptions;
  readonly plan: GraphOptimization;
  readonly what: string;
}

/** What the child built: the backward graph's names (null for the forward graph), whether its file was written and whether ORT's optimised file was. */
export interface BuiltApart {
  readonly names: GradientGraphNames | null;
  readonly written: boolean;
  readonly optimized: boolean;
}

/**
 * Builds the forward graph of `prepared` (no `gradient`) or its backward graph for `gradient` in a child process, into
 * the file `built`, which ORT optimises (plan `plan`, no weights packed, no arena) into `optimized` there too.
 */
export async function buildInChildProcess(prepared: PreparedModel, gradient: NamedLossRequest | undefined, built: string, optimized: string, options: SessionOptions, plan: GraphOptimization, what: string): Promise<BuiltApart> {
  const { inputName, logitsName, numClasses, dataType } = prepared;
  const spec: BuildSpec = { ...(gradient ? { gradient } : {}), inputName, logitsName, numClasses, dataType, built, optimized, options: childSessionOptions(options), plan, what };
  // Shape discovery's results go too (with the graph, not as an argument: thousands of values exceed an argument's size).
  return (await runSetupJob({ kind: 'build', spec }, graphTransfer(prepared.graph, gradient ? [...prepared.shapes] : []), `building the ${what}`)) as BuiltApart;
}

/** The child's side of buildInChildProcess: `graph` and `shapes` as sent, `spec` as given. */
export async function buildGraphHere(graph: Graph, shapes: unknown, spec: unknown): Promise<BuiltApart> {
  const s = spec as BuildSpec;
  const prepared: PreparedModel = { graph, shapes: new Map(shapes as [string, ValueShape][]), inputName: s.inputName, logitsName: s.logitsName, numClasses: s.numClasses, dataType: s.dataType };
  let names: GradientGraphNames | null = null;
  let model: Uint8Array;
  if (s.gradient) {
    const built = await buildGradientGraph(prepared, s.gradient);
    names = gradientGraphNames(built);
    model = encodeModel(built.graph.toModel());
  } else {
    model = encodeModel(forwardGraphOf(prepared).toModel());
  }
  try {
    writeFileSync(s.built, model);
  } catch {
    return { names, written: false, optimized: false }; // a full disk: the parent builds it itself
  }
  model = new Uint8Array(0);
  try {
    await optimizeToFile(s.built, s.optimized, s.options, s.plan, s.what);
    return { names, written: true, optimized: existsSync(s.optimized) };
  } catch {
    return { names, written: true, optimized: false }; // the parent opens the graph as built
  }
}

// Folds inference-form BatchNormalization into the Conv before it (the standard inference fusion:
// W' = W·k, b' = (b − mean)·k + beta, k = gamma / sqrt(var + eps), per output channel). The function is
// unchanged; a gradient graph built on the folded graph has no per-channel scaling pass per BN.
import { DataType, type NodeProto } from './proto.js';
import { floatAttribute, intAttribute } from './build.js';
import type { Graph, Tensor } from './graph.js';

/**
 * Folds every foldable Conv -> BatchNormalization pair in place; returns how many. Pairs are left
 * alone when the Conv output has other readers, a tensor involved is not a float32 initializer, or
 * a tensor involved is in `keep` (e.g. parameters whose gradient is requested).
 */
export function foldBatchNormIntoConv(graph: Graph, keep: ReadonlySet<string> = new Set()): number {
  const producers = graph.producers();
  const consumers = graph.consumers();
  const outputs = new Set(graph.outputs.map((o) => o.name ?? ''));
  const removed = new Set<NodeProto>();
  const constant = (name: string | undefined): Tensor | undefined => {
    if (!name || keep.has(name)) return undefined;
    const t = graph.initializers.get(name);
    return t && t.dataType === DataType.FLOAT ? t : undefined;
  };
  let folded = 0;
  for (const bn of graph.nodes) {
    if (bn.opType !== 'BatchNormalization' || intAttribute(bn, 'training_mode', 0) !== 0) continue;
    if ((bn.output ?? []).filter(Boolean).length !== 1) continue;
    const [x, scaleName, biasName, meanName, varName] = bn.input ?? [];
    const conv = producers.get(x);
    if (!conv || conv.opType !== 'Conv' || removed.has(conv) || (consumers.get(x) ?? []).length !== 1 || outputs.has(x)) continue;
    const [convInput, wName, bName] = conv.input ?? [];
    const [gamma, beta, mean, variance, w] = [scaleName, biasName, meanName, varName, wName].map(constant);
    const b = bName ? constant(bName) : undefined;
    if (!gamma || !beta || !mean || !variance || !w || (bName && !b)) continue;
    const eps = floatAttribute(bn, 'epsilon', 1e-5);
    const channels = w.dims[0];
    const perChannel = w.data.length / channels;
    const k = Float64Array.from({ length: channels }, (_, c) => Number(gamma.data[c]) / Math.sqrt(Number(variance.data[c]) + eps));
    const wData = new Float32Array(w.data.length);
    for (let c = 0; c < channels; c++) for (let i = 0; i < perChannel; i++) wData[c * perChannel + i] = Number(w.data[c * perChannel + i]) * k[c];
    const bData = Float32Array.from({ length: channels }, (_, c) => ((b ? Number(b.data[c]) : 0) - Number(mean.data[c])) * k[c] + Number(beta.data[c]));
    const wFolded = graph.freshName(`${wName}_bnfolded`);
    const bFolded = graph.freshName(`${wName}_bnfolded_bias`);
    graph.initializers.set(wFolded, { dims: [...w.dims], dataType: DataType.FLOAT, data: wData });
    graph.initializers.set(bFolded, { dims: [channels], dataType: DataType.FLOAT, data: bData });
    conv.input = [convInput, wFolded, bFolded];
    conv.output = [bn.output![0]];
    removed.add(bn);
    folded++;
  }
  graph.nodes = graph.nodes.filter((n) => !removed.has(n));
  return folded;
}

// Reference weights onto a zoo graph. The zoo's builders name parameters as the reference
// implementation's state dict does (torchvision/timm), and store them in its layouts (Linear weights
// [out, in]), so a tensor maps by name and must match in shape. Used to load pretrained weights from
// an ONNX export and by the forward-parity tests.
import type { Graph } from '../../onnx/graph.js';
import { DataType } from '../../onnx/proto.js';
import { RobustartError } from '../../errors.js';

export interface NamedTensor {
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/**
 * A copy of `graph` whose float parameters (BN running statistics included) take the values of the
 * same-named tensors in `weights`. Every parameter must be found with the same dims: the first that
 * is not is named in the error.
 */
export function loadWeights(graph: Graph, weights: ReadonlyMap<string, NamedTensor>, source = 'the weights'): Graph {
  const out = graph.clone();
  for (const [name, t] of graph.initializers) {
    if (t.dataType !== DataType.FLOAT || t.dims.length === 0 || /_\d+$/.test(name)) continue; // op constants and generated names
    const w = weights.get(name);
    if (!w) throw new RobustartError(`${source} has no tensor ${name} [${t.dims.join(', ')}]; expected a torchvision/timm state-dict name (export with BatchNorm kept, not folded into the convolutions)`);
    if (w.dims.length !== t.dims.length || w.dims.some((d, i) => d !== t.dims[i])) {
      throw new RobustartError(`${source}: tensor ${name} has dims [${w.dims.join(', ')}] but the model needs [${t.dims.join(', ')}]; build the model at the matching width, depth and classes`);
    }
    out.initializers.set(name, { dims: [...t.dims], dataType: DataType.FLOAT, data: Float32Array.from(w.data) });
  }
  return out;
}

/**
 * The float initializers of an exported ONNX graph, by name. torch.onnx.export stores equal tensors
 * once and names the others through Identity nodes (output = the parameter's name), followed here.
 */
export function graphWeights(graph: Graph, aliases?: (sourceName: string) => string | undefined): Map<string, NamedTensor> {
  const weights = new Map<string, NamedTensor>();
  for (const [name, t] of graph.initializers) if (t.dataType === DataType.FLOAT) weights.set(name, { dims: t.dims, data: t.data as Float32Array });
  for (const n of graph.nodes) {
    const source = n.opType === 'Identity' ? weights.get(n.input?.[0] ?? '') : undefined;
    if (source && n.output?.[0]) weights.set(n.output[0], source);
  }
  // Another exporter's names (timm's ViT, say) under the builder's names too.
  if (aliases) for (const [name, t] of [...weights]) {
    const alias = aliases(name);
    if (alias && !weights.has(alias)) weights.set(alias, t);
  }
  return weights;
}

/** IEEE 754 half-precision bits to float32 values. */
export function halfToFloat(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) out[i] = sign * mantissa * 2 ** -24;
    else if (exponent === 31) out[i] = mantissa ? NaN : sign * Infinity;
    else out[i] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return out;
}

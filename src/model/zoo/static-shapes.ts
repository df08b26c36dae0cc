// Shapes of every value of a builder's graph worked out from the op definitions, without running it:
// the zoo counts parameters and MACs of full-size presets (hundreds of millions of weights) from a
// shapes-only graph whose initializers hold dims but no values. Covers the ops the builders emit; the
// batch dim is taken as 1. src/onnx/shapes.ts (which runs onnxruntime) is the general tool.
import type { Graph } from '../../onnx/graph.js';
import { valueInfoDims } from '../../onnx/graph.js';
import type { ShapeMap } from '../../onnx/shapes.js';
import { DataType } from '../../onnx/proto.js';
import type { NodeProto, AttributeProto } from '../../onnx/proto.js';

function attr(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name);
}
const ints = (node: NodeProto, name: string, fallback: number[]): number[] => attr(node, name)?.ints?.map(Number) ?? fallback;
const int = (node: NodeProto, name: string, fallback: number): number => {
  const a = attr(node, name);
  return a?.i === undefined || a.i === null ? fallback : Number(a.i);
};

function broadcast(a: number[], b: number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    out.push(x === 1 ? y : x);
  }
  return out;
}

const normAxis = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

/** Static dims (batch = 1) of every value; throws on an op it does not know. */
export function staticShapes(graph: Graph): ShapeMap {
  const dims = new Map<string, number[]>();
  const values = new Map<string, number[]>();
  for (const [name, t] of graph.initializers) {
    dims.set(name, [...t.dims]);
    if (t.dataType === DataType.INT64 && t.data.length === t.dims.reduce((a, b) => a * b, 1)) values.set(name, Array.from(t.data as BigInt64Array, Number));
  }
  for (const input of graph.inputs) dims.set(input.name ?? '', valueInfoDims(input).map((d) => d ?? 1));
  const get = (name: string) => {
    const d = dims.get(name);
    if (!d) throw new Error(`static shapes: no shape for ${name}`);
    return d;
  };
  for (const node of graph.nodes) {
    const inputs = node.input ?? [];
    const x = inputs[0] ? get(inputs[0]) : [];
    const out = node.output?.[0] ?? '';
    let y: number[];
    switch (node.opType) {
      case 'Conv':
      case 'MaxPool':
      case 'AveragePool': {
        const kernel = node.opType === 'Conv' ? get(inputs[1]).slice(2) : ints(node, 'kernel_shape', []);
        const strides = ints(node, 'strides', kernel.map(() => 1));
        const pads = ints(node, 'pads', [...kernel, ...kernel].map(() => 0));
        const channels = node.opType === 'Conv' ? get(inputs[1])[0] : x[1];
        y = [x[0], channels, ...kernel.map((k, i) => Math.floor((x[2 + i] + pads[i] + pads[i + kernel.length] - k) / strides[i]) + 1)];
        break;
      }
      case 'GlobalAveragePool':
      case 'GlobalMaxPool':
        y = [x[0], x[1], ...x.slice(2).map(() => 1)];
        break;
      case 'Flatten': {
        const axis = normAxis(int(node, 'axis', 1), x.length);
        const prod = (d: number[]) => d.reduce((a, b) => a * b, 1);
        y = [prod(x.slice(0, axis)), prod(x.slice(axis))];
        break;
      }
      case 'Gemm': {
        const w = get(inputs[1]);
        y = [x[0], int(node, 'transB', 0) ? w[0] : w[1]];
        break;
      }
      case 'MatMul': {
        const w = get(inputs[1]);
        y = [...broadcast(x.slice(0, -2), w.slice(0, -2)), x[x.length - 2], w[w.length - 1]];
        if (w.length === 1 || x.length === 1) throw new Error('static shapes: MatMul with a vector operand');
        break;
      }
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div':
      case 'Pow':
        y = broadcast(x, get(inputs[1]));
        break;
      case 'Transpose': {
        const perm = ints(node, 'perm', x.map((_, i) => x.length - 1 - i));
        y = perm.map((p) => x[p]);
        break;
      }
      case 'Reshape': {
        const target = values.get(inputs[1]);
        if (!target) throw new Error(`static shapes: Reshape ${out} target is not constant`);
        y = target.map((d, i) => (d === 0 ? x[i] : d));
        const known = y.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
        const total = x.reduce((a, b) => a * b, 1);
        y = y.map((d) => (d === -1 ? total / known : d));
        break;
      }
      case 'Concat': {
        const axis = normAxis(int(node, 'axis', 0), x.length);
        y = [...x];
        y[axis] = inputs.reduce((a, n) => a + get(n)[axis], 0);
        const parts = inputs.map((n) => values.get(n));
        if (parts.every((p) => p !== undefined)) values.set(out, parts.flatMap((p) => p!));
        break;
      }
      case 'Split': {
        const axis = normAxis(int(node, 'axis', 0), x.length);
        const sizes = inputs[1] ? values.get(inputs[1])! : (node.output ?? []).map(() => x[axis] / (node.output ?? []).length);
        (node.output ?? []).forEach((o, i) => dims.set(o, x.map((d, j) => (j === axis ? sizes[i] : d))));
        continue;
      }
      case 'Shape':
        y = [x.length];
        values.set(out, x);
        break;
      case 'Slice': {
        const [starts, ends] = [values.get(inputs[1])!, values.get(inputs[2])!];
        const axes = inputs[3] ? values.get(inputs[3])! : starts.map((_, i) => i);
        y = [...x];
        axes.forEach((a, i) => {
          const ax = normAxis(a, x.length);
          const clamp = (v: number) => Math.max(0, Math.min(x[ax], v < 0 ? v + x[ax] : v));
          y[ax] = Math.max(0, clamp(ends[i]) - clamp(starts[i]));
        });
        const v = values.get(inputs[0]);
        if (v && axes.length === 1 && x.length === 1) values.set(out, v.slice(starts[0], Math.min(ends[0], v.length)));
        break;
      }
      case 'ConstantOfShape':
        y = values.get(inputs[0])!;
        break;
      case 'Expand':
        y = broadcast(x, values.get(inputs[1])!);
        break;
      case 'Gather': {
        const axis = normAxis(int(node, 'axis', 0), x.length);
        y = [...x.slice(0, axis), ...get(inputs[1]), ...x.slice(axis + 1)];
        break;
      }
      case 'Squeeze': {
        const axes = values.get(inputs[1])!.map((a) => normAxis(a, x.length));
        y = x.filter((_, i) => !axes.includes(i));
        break;
      }
      case 'Unsqueeze': {
        const axes = values.get(inputs[1])!;
        y = [...x];
        for (const a of axes.map((a) => normAxis(a, x.length + axes.length)).sort((p, q) => p - q)) y.splice(a, 0, 1);
        break;
      }
      case 'ReduceMean': {
        const axes = (inputs[1] ? values.get(inputs[1])! : ints(node, 'axes', [])).map((a) => normAxis(a, x.length));
        const keep = int(node, 'keepdims', 1);
        y = keep ? x.map((d, i) => (axes.includes(i) ? 1 : d)) : x.filter((_, i) => !axes.includes(i));
        break;
      }
      case 'BatchNormalization':
      case 'LayerNormalization':
      case 'Relu':
      case 'Clip':
      case 'Sigmoid':
      case 'HardSigmoid':
      case 'HardSwish':
      case 'Erf':
      case 'Sqrt':
      case 'Softmax':
      case 'Identity':
      case 'Dropout':
        y = x;
        break;
      default:
        throw new Error(`static shapes: op ${node.opType} is not covered`);
    }
    dims.set(out, y);
  }
  const shapes: ShapeMap = new Map();
  for (const [name, d] of dims) shapes.set(name, { dims: d, dataType: graph.initializers.get(name)?.dataType ?? DataType.FLOAT });
  return shapes;
}

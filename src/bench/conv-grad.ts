// `npm run bench -- conv-grad`: the Conv rule's weight-gradient and input-gradient forms timed on every
// convolution shape of ResNet-18 (and ViT-S/16's patch embedding) at 224², run alternately in one process so
// load affects them alike; prints each form's best time, the ratio to the correlation Conv (weights) and to
// ConvTranspose (inputs), and the forms the rule chooses (`weightGradientForm`, `inputGradientForm` in
// src/autodiff/rules/conv.ts). Flags: --batch N (default 8), --repeats N (default 3), --threads N (ORT threads, default: all cores),
// --layers TEXT (only the layers whose name contains TEXT, e.g. '/2').
import { DataType } from '../onnx/proto.js';
import { Graph } from '../onnx/graph.js';
import { makeNode, makeValueInfo } from '../onnx/build.js';
import { createSession, tensor, type OrtSession, type OrtTensor } from '../onnx/runtime.js';
import { VjpContext } from '../autodiff/context.js';
import { INPUT_GRADIENT_FORMS, WEIGHT_GRADIENT_FORMS, inputGradientForm, inputGradientPhases, weightGradientForm, type ConvGeometry, type InputGradientForm, type WeightGradientForm } from '../autodiff/rules/conv.js';
import { flag, option } from './_timing.js';
import { RobustartError } from '../errors.js';

export interface ConvShape {
  readonly layer: string;
  /** How many convolutions of this shape the network has. */
  readonly count: number;
  readonly cIn: number;
  readonly cOut: number;
  readonly kernel: number;
  readonly stride: number;
  readonly size: number;
}

export const SHAPES: readonly ConvShape[] = [
  { layer: 'resnet18 stem 7×7/2', count: 1, cIn: 3, cOut: 64, kernel: 7, stride: 2, size: 224 },
  { layer: 'resnet18 layer1 3×3', count: 4, cIn: 64, cOut: 64, kernel: 3, stride: 1, size: 56 },
  { layer: 'resnet18 layer2 3×3/2', count: 1, cIn: 64, cOut: 128, kernel: 3, stride: 2, size: 56 },
  { layer: 'resnet18 layer2 3×3', count: 3, cIn: 128, cOut: 128, kernel: 3, stride: 1, size: 28 },
  { layer: 'resnet18 layer2 1×1/2', count: 1, cIn: 64, cOut: 128, kernel: 1, stride: 2, size: 56 },
  { layer: 'resnet18 layer3 3×3/2', count: 1, cIn: 128, cOut: 256, kernel: 3, stride: 2, size: 28 },
  { layer: 'resnet18 layer3 3×3', count: 3, cIn: 256, cOut: 256, kernel: 3, stride: 1, size: 14 },
  { layer: 'resnet18 layer3 1×1/2', count: 1, cIn: 128, cOut: 256, kernel: 1, stride: 2, size: 28 },
  { layer: 'resnet18 layer4 3×3/2', count: 1, cIn: 256, cOut: 512, kernel: 3, stride: 2, size: 14 },
  { layer: 'resnet18 layer4 3×3', count: 3, cIn: 512, cOut: 512, kernel: 3, stride: 1, size: 7 },
  { layer: 'resnet18 layer4 1×1/2', count: 1, cIn: 256, cOut: 512, kernel: 1, stride: 2, size: 14 },
  { layer: 'vit-s16 patch 16×16/16', count: 1, cIn: 3, cOut: 384, kernel: 16, stride: 16, size: 224 },
];

export function geometry(s: ConvShape): ConvGeometry {
  const pad = s.kernel === 16 ? 0 : Math.floor(s.kernel / 2);
  const out = Math.floor((s.size + 2 * pad - s.kernel) / s.stride) + 1;
  return { spatial: 2, kernel: [s.kernel, s.kernel], strides: [s.stride, s.stride], dilations: [1, 1], pads: [pad, pad, pad, pad], inputSize: [s.size, s.size], outputSize: [out, out] };
}

type Form = WeightGradientForm | `dX ${InputGradientForm}` | 'forward';

/** A graph from (x, dy) to dW or from (dy, w) to dX in one form, or the forward Conv (x, w) → y as the yardstick. */
function benchGraph(s: ConvShape, g: ConvGeometry, form: Form): Graph {
  const wDims = [s.cOut, s.cIn, s.kernel, s.kernel];
  const xDims = [null, s.cIn, s.size, s.size];
  if (form === 'forward') {
    const graph = new Graph({ inputs: [makeValueInfo('x', ['N', s.cIn, s.size, s.size]), makeValueInfo('w', wDims)] });
    graph.nodes.push(makeNode('Conv', ['x', 'w'], ['y'], { kernel_shape: g.kernel, strides: g.strides, pads: g.pads }));
    graph.outputs = [{ name: 'y' }];
    return graph;
  }
  const graph = new Graph({ inputs: [makeValueInfo('x', ['N', s.cIn, s.size, s.size]), makeValueInfo('dy', ['N', s.cOut, ...g.outputSize]), makeValueInfo('w', wDims)] });
  const shapes = new Map([
    ['x', { dims: xDims, dataType: DataType.FLOAT }],
    ['dy', { dims: [null, s.cOut, ...g.outputSize], dataType: DataType.FLOAT }],
    ['w', { dims: wDims, dataType: DataType.FLOAT }],
  ]);
  const ctx = new VjpContext(graph, shapes);
  const out = form.startsWith('dX ')
    ? INPUT_GRADIENT_FORMS[form.slice(3) as InputGradientForm](ctx, 'dy', 'w', wDims, 1, g, xDims, DataType.FLOAT)
    : WEIGHT_GRADIENT_FORMS[form as WeightGradientForm](ctx, 'x', 'dy', wDims, 1, g, DataType.FLOAT);
  graph.outputs = [{ name: out }];
  graph.pruneToOutputs();
  return graph;
}

const COLUMNS = ['forward', 'correlation', 'pointwise', 'taps', 'dX transposed', 'dX phases', 'dX flipped'] as const;

export async function run(args: string[]): Promise<void> {
  const batch = flag(args, 'batch', 8);
  const repeats = flag(args, 'repeats', 3);
  const threads = flag(args, 'threads', 0);
  const only = option(args, 'layers', '');
  console.log(`conv-grad bench: weight and input gradients at batch ${batch}, best of ${repeats} alternated runs, onnxruntime CPU, ${threads || 'default'} threads; ms per convolution`);
  console.log(`(forward: the forward Conv of the same shape with the weight as an input, as in a training graph)`);
  console.log(`layer                      ×  ${COLUMNS.map((c) => c.padStart(14)).join('')}  dW form  dW/forward  dX form  dX/forward`);
  const totals = new Map<string, number>();
  for (const s of layersNamed(SHAPES, only)) {
    const g = geometry(s);
    const dxForm = inputGradientForm(g);
    const forms: Form[] = ['forward', 'correlation', ...(s.kernel === 1 ? ['pointwise' as const] : ['taps' as const]), 'dX transposed', ...(inputGradientPhases(g) ? ['dX phases' as const] : []), ...(dxForm === 'flipped' ? ['dX flipped' as const] : [])];
    const sessions: OrtSession[] = [];
    for (const form of forms) sessions.push(await createSession(benchGraph(s, g, form), { threads }, `${form} bench graph`));
    const feeds: Record<string, OrtTensor> = {
      x: tensor('float32', randoms(batch * s.cIn * s.size * s.size, 7919), [batch, s.cIn, s.size, s.size]),
      dy: tensor('float32', randoms(batch * s.cOut * g.outputSize[0] * g.outputSize[1], 104729), [batch, s.cOut, ...g.outputSize]),
      w: tensor('float32', randoms(s.cOut * s.cIn * s.kernel * s.kernel, 31), [s.cOut, s.cIn, s.kernel, s.kernel]),
    };
    const best = forms.map(() => Infinity);
    for (let r = 0; r <= repeats; r++) {
      for (const [k, session] of sessions.entries()) {
        const wanted = Object.fromEntries(session.inputNames.map((n) => [n, feeds[n]]));
        const start = process.hrtime.bigint();
        await session.run(wanted);
        if (r > 0) best[k] = Math.min(best[k], Number(process.hrtime.bigint() - start) / 1e6);
      }
    }
    for (const session of sessions) await session.release();
    const ms = new Map<string, number>(forms.map((f, k) => [f, best[k]]));
    const chosen = weightGradientForm(1, g);
    ms.set('chosen', ms.get(chosen)!);
    ms.set('dX chosen', ms.get(`dX ${dxForm}`)!);
    for (const [form, t] of ms) totals.set(form, (totals.get(form) ?? 0) + s.count * t);
    const cells = COLUMNS.map((c) => (ms.has(c) ? ms.get(c)!.toFixed(1) : '—').padStart(14)).join('');
    const versus = (t: number) => (t / ms.get('forward')!).toFixed(2).padStart(10);
    console.log(`${s.layer.padEnd(26)} ${s.count}  ${cells}  ${chosen.padStart(7)}  ${versus(ms.get(chosen)!)}  ${dxForm.padStart(10)} ${versus(ms.get('dX chosen')!)}`);
  }
  const total = (k: string) => totals.get(k)!.toFixed(0);
  const ratio = (a: string, b: string) => (totals.get(a)! / totals.get(b)!).toFixed(2);
  console.log(`all layers × count: forward ${total('forward')} ms; weight gradients: correlation ${total('correlation')} ms, chosen forms ${total('chosen')} ms (${ratio('chosen', 'correlation')}× correlation, ${ratio('chosen', 'forward')}× forward)`);
  console.log(`input gradients: ConvTranspose everywhere ${total('dX transposed')} ms, chosen forms ${total('dX chosen')} ms (${ratio('dX chosen', 'dX transposed')}× ConvTranspose, ${ratio('dX chosen', 'forward')}× forward)`);
}

/** Deterministic values in [-0.5, 0.5) for a bench's inputs (no generator needed: only their cost matters). */
export function randoms(n: number, prime: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => ((i * prime) % 997) / 997 - 0.5);
}

/** The layers of `shapes` whose name contains `text` (--layers); none is an error naming the layers there are. */
export function layersNamed(shapes: readonly ConvShape[], text: string): readonly ConvShape[] {
  const chosen = shapes.filter((shape) => shape.layer.includes(text));
  if (chosen.length === 0) throw new RobustartError(`--layers ${text} names no layer; pass part of a layer's name: ${shapes.map((shape) => shape.layer).join(', ')}`);
  return chosen;
}

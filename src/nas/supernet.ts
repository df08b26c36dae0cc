// The network of a search space, built two ways from one description so that parameter names agree:
// - the supernet: every dimension at its largest, with the subnet chosen at run time by graph inputs —
//   channel masks after each BN + activation (a zeroed channel then contributes what a sliced-away one
//   does: nothing), kernel masks on conv weights (a k×k kernel centred in the largest one, padding
//   kmax//2, equals the k×k conv with padding k//2), mid-channel masks for the expand ratio, and a gate
//   on each residual branch beyond the chosen depth (the block becomes the identity);
// - a subnet: the same layers at the chosen sizes, without masks, whose weights are slices of the
//   supernet's (leading channels, first blocks, centred kernel crops; src/nas/extract.ts).
// Both mirror BigNAS-style residual networks: block 0 of every stage has a 1×1 projection shortcut (so
// a subnet's shortcut never adds tensors of different widths), later blocks an identity shortcut.
import { ModelBuilder } from '../model/builders/graph-builder.js';
import { DataType } from '../onnx/proto.js';
import { makeValueInfo } from '../onnx/build.js';
import type { Graph } from '../onnx/graph.js';
import { midChannels, largestChoices, dimensions, checkChoices, type SearchSpace, type Choices } from './space.js';

/** Sizes of every layer for one choice of the dimensions. */
export interface NetworkLayout {
  readonly resolution: number;
  readonly stem: { readonly kernel: number; readonly width: number };
  readonly stages: readonly {
    readonly width: number;
    readonly depth: number;
    readonly kernel: number;
    /** Input width and mid channels of each block present. */
    readonly blocks: readonly { readonly input: number; readonly mid: number }[];
  }[];
}

export function networkLayout(space: SearchSpace, choices: Choices): NetworkLayout {
  let input = choices['stem.width'];
  const stages = space.stages.map((_, i) => {
    const at = `stage${i + 1}`;
    const width = choices[`${at}.width`];
    const depth = choices[`${at}.depth`];
    const blocks = Array.from({ length: depth }, (_, j) => {
      const blockInput = j === 0 ? input : width;
      return { input: blockInput, mid: midChannels(choices[`${at}.expand`], space.block === 'resnet' ? width : blockInput) };
    });
    input = width;
    return { width, depth, kernel: choices[`${at}.kernel`], blocks };
  });
  return { resolution: choices.resolution, stem: { kernel: choices['stem.kernel'], width: choices['stem.width'] }, stages };
}

/** A graph input the supernet reads to select a subnet. */
export interface SubnetInput {
  readonly name: string;
  readonly kind: 'channels' | 'kernel' | 'gate';
  /** Channels or kernel side of the supernet at this point (1 for a gate). */
  readonly size: number;
  /** The active channels, kernel side, or 1/0 (block on/off) for a subnet. */
  active(layout: NetworkLayout): number;
}

export interface BuildOptions {
  readonly seed?: number;
  readonly initialize?: boolean;
  readonly shapesOnly?: boolean;
  /** Input side (default: the subnet's resolution, or the largest for the supernet). */
  readonly resolution?: number;
  /**
   * Drop-path on the residual branches for training graphs: block i of the B blocks of the largest
   * network gets rate·i/(B − 1) (timm resnet.py make_blocks), inverted blocks without a shortcut none.
   */
  readonly dropPath?: number;
}

export interface Supernet {
  readonly graph: Graph;
  /** The selection inputs, in graph-input order after the image. */
  readonly selectors: readonly SubnetInput[];
}

const INPUT = 'input';
const LOGITS = 'logits';

/** The supernet graph: largest weights, selection inputs (see SubnetInput). */
export function buildSupernet(space: SearchSpace, options: BuildOptions = {}): Supernet {
  const largest = largestChoices(space);
  const selectors: SubnetInput[] = [];
  const graph = emit(space, networkLayout(space, largest), options.resolution ?? largest.resolution, options, selectors);
  return { graph, selectors };
}

/** A subnet as a standalone graph (weights freshly initialised; extraction copies the supernet's slices in). */
export function buildSubnet(space: SearchSpace, choices: Choices, options: BuildOptions = {}): Graph {
  checkChoices(space, choices);
  return emit(space, networkLayout(space, choices), options.resolution ?? choices.resolution, options, undefined);
}

/** Values of the supernet's selection inputs that make it compute the subnet `choices`. */
export function selectionFeeds(space: SearchSpace, selectors: readonly SubnetInput[], choices: Choices): Map<string, { dims: number[]; data: Float32Array }> {
  checkChoices(space, choices);
  const layout = networkLayout(space, choices);
  const feeds = new Map<string, { dims: number[]; data: Float32Array }>();
  for (const s of selectors) {
    const active = s.active(layout);
    if (s.kind === 'gate') feeds.set(s.name, { dims: [1, 1, 1, 1], data: Float32Array.of(active) });
    else if (s.kind === 'channels') feeds.set(s.name, { dims: [1, s.size, 1, 1], data: Float32Array.from({ length: s.size }, (_, c) => (c < active ? 1 : 0)) });
    else {
      const data = new Float32Array(s.size * s.size);
      const lo = (s.size - active) / 2;
      for (let y = lo; y < lo + active; y++) for (let x = lo; x < lo + active; x++) data[y * s.size + x] = 1;
      feeds.set(s.name, { dims: [1, 1, s.size, s.size], data });
    }
  }
  return feeds;
}

/**
 * Emits the network for `layout`. With `selectors` (the supernet) it adds the selection inputs and
 * records them; `layout` is then the largest subnet's.
 */
function emit(space: SearchSpace, layout: NetworkLayout, resolution: number, options: BuildOptions, selectors: SubnetInput[] | undefined): Graph {
  const b = new ModelBuilder(options.seed ?? 0, options.initialize ?? true, 17, options.shapesOnly ?? false, true);
  const relu = space.block === 'resnet' ? (x: string) => b.relu(x) : (x: string) => b.relu6(x);
  const selector = (input: SubnetInput): string | undefined => {
    if (!selectors) return undefined;
    selectors.push(input);
    const dims = input.kind === 'channels' ? [1, input.size, 1, 1] : input.kind === 'kernel' ? [1, 1, input.size, input.size] : [1, 1, 1, 1];
    b.graph.inputs.push(makeValueInfo(input.name, dims, DataType.FLOAT));
    return input.name;
  };
  const masked = (x: string, mask: string | undefined) => (mask ? b.op('Mul', [x, mask]) : x);
  /** A k×k conv (Kaiming-normal, fan_out) whose weight a kernel mask may crop. */
  const conv = (x: string, cin: number, cout: number, kernel: number, name: string, o: { stride?: number; groups?: number; kernelMask?: string } = {}) => {
    const groups = o.groups ?? 1;
    const std = Math.sqrt(2 / ((cout / groups) * kernel * kernel));
    const w = b.param('conv_w', [cout, cin / groups, kernel, kernel], (r) => r.normal(0, std), `${name}.weight`);
    const pad = Math.floor(kernel / 2);
    const stride = o.stride ?? 1;
    return b.op('Conv', [x, masked(w, o.kernelMask)], { kernel_shape: [kernel, kernel], strides: [stride, stride], pads: [pad, pad, pad, pad], group: groups });
  };
  const bn = (x: string, channels: number, name: string) => b.batchNorm(x, channels, { name });

  let x = b.input(INPUT, ['N', space.channels, resolution, resolution]);
  // Stem.
  const stemKernel = selector({ name: 'kernel.stem', kind: 'kernel', size: layout.stem.kernel, active: (l) => l.stem.kernel });
  const stemMask = selector({ name: 'channels.stem', kind: 'channels', size: layout.stem.width, active: (l) => l.stem.width });
  x = masked(relu(bn(conv(x, space.channels, layout.stem.width, layout.stem.kernel, 'stem.conv', { stride: space.stem.stride, kernelMask: stemKernel }), layout.stem.width, 'stem.bn')), stemMask);
  if (space.stem.pool) x = b.maxPool(x, 3, 2, 1);
  let channels = layout.stem.width;
  const totalBlocks = layout.stages.reduce((sum, st) => sum + st.blocks.length, 0);
  let blockId = 0;
  const dropPath = (y: string) => {
    const rate = totalBlocks > 1 ? ((options.dropPath ?? 0) * blockId) / (totalBlocks - 1) : 0;
    return b.dropPath(y, rate, 4);
  };
  const minDepth = (i: number) => dimensions(space).find((d) => d.name === `stage${i + 1}.depth`)!.values[0];
  layout.stages.forEach((stage, i) => {
    const at = `stages.${i}`;
    const stride = space.stages[i].stride;
    const kernelMask = selector({ name: `kernel.stage${i + 1}`, kind: 'kernel', size: stage.kernel, active: (l) => l.stages[i].kernel });
    const widthMask = selector({ name: `channels.stage${i + 1}`, kind: 'channels', size: stage.width, active: (l) => l.stages[i].width });
    stage.blocks.forEach((block, j) => {
      const name = `${at}.${j}`;
      const s = j === 0 ? stride : 1;
      const midMask = selector({ name: `channels.stage${i + 1}.${j}.mid`, kind: 'channels', size: block.mid, active: (l) => l.stages[i].blocks[j]?.mid ?? block.mid });
      const gate = j >= minDepth(i) ? selector({ name: `gate.stage${i + 1}.${j}`, kind: 'gate', size: 1, active: (l) => (j < l.stages[i].depth ? 1 : 0) }) : undefined;
      let y: string;
      if (space.block === 'resnet') {
        y = masked(relu(bn(conv(x, channels, block.mid, stage.kernel, `${name}.conv1`, { stride: s, kernelMask }), block.mid, `${name}.bn1`)), midMask);
        y = bn(conv(y, block.mid, stage.width, stage.kernel, `${name}.conv2`, { kernelMask }), stage.width, `${name}.bn2`);
        const shortcut = j === 0 ? bn(conv(x, channels, stage.width, 1, `${name}.downsample.conv`, { stride: s }), stage.width, `${name}.downsample.bn`) : x;
        // With the gate at 0 the block is relu(x) = x: x is a block output, already ≥ 0 and masked.
        x = masked(b.relu(b.op('Add', [masked(dropPath(y), gate), shortcut])), widthMask);
      } else {
        y = masked(relu(bn(conv(x, channels, block.mid, 1, `${name}.expand.conv`), block.mid, `${name}.expand.bn`)), midMask);
        y = masked(relu(bn(conv(y, block.mid, block.mid, stage.kernel, `${name}.depthwise.conv`, { stride: s, groups: block.mid, kernelMask }), block.mid, `${name}.depthwise.bn`)), midMask);
        y = masked(bn(conv(y, block.mid, stage.width, 1, `${name}.project.conv`), stage.width, `${name}.project.bn`), widthMask);
        // Linear bottleneck: block 0 changes width or resolution and has no shortcut.
        x = j === 0 ? y : b.op('Add', [x, masked(dropPath(y), gate)]);
      }
      blockId++;
      channels = stage.width;
    });
  });
  x = b.dense(b.globalAveragePool(x), channels, space.classes, { name: 'fc' });
  b.output(x, LOGITS, space.classes);
  return b.graph;
}

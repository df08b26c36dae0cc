// RegNetX (Radosavovic et al. 2020) as torchvision builds it: 3×3/2 stem to 32 channels, four stages
// of X blocks (1×1 conv, 3×3 group conv of fixed group width with the stage's stride, 1×1 conv,
// projection shortcut when shape changes), pool, linear. Stage widths and depths come from the
// paper's quantized linear rule (depth d, w0, wa, wm, group width g), as torchvision's
// BlockParams.from_init_params computes it in float32.
import { z, lazyValue, type Zod } from '../../util/native.js';
import { ModelBuilder, imageMetadata, type ImageModelConfig } from './graph-builder.js';
import type { Graph } from '../../onnx/graph.js';
import { makeDivisible, scaleWidth, type Architecture } from '../zoo/registry.js';

export interface RegNetStages {
  readonly depths: number[];
  readonly widths: number[];
  readonly groupWidths: number[];
}

/** torch.round: halves go to the even neighbour (RegNetX-1.6GF's 180/8 = 22.5 quantizes to 176, not 184). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Per-stage depths, widths and group widths from the RegNet design-space parameters (bottleneck ratio 1). */
export function regnetStages(depth: number, w0: number, wa: number, wm: number, groupWidth: number): RegNetStages {
  const f = Math.fround;
  const QUANT = 8;
  const blockWidths: number[] = [];
  for (let i = 0; i < depth; i++) {
    // torch: widths_cont = arange(depth) * w_a + w_0 and the log ratio, all float32.
    const cont = f(f(i * f(wa)) + w0);
    const capacity = roundHalfEven(f(f(Math.log(f(cont / w0))) / f(Math.log(wm))));
    blockWidths.push(roundHalfEven(f(f(w0 * f(Math.pow(wm, capacity))) / QUANT)) * QUANT);
  }
  const depths: number[] = [];
  const widths: number[] = [];
  for (const bw of blockWidths) {
    if (widths.length && widths[widths.length - 1] === bw) depths[depths.length - 1]++;
    else (widths.push(bw), depths.push(1));
  }
  // torchvision _adjust_widths_groups_compatibilty with bottleneck multiplier 1.
  const groupWidths = widths.map((w) => Math.min(groupWidth, w));
  return { depths, widths: widths.map((w, i) => makeDivisible(w, groupWidths[i])), groupWidths };
}

export interface RegNetConfig extends ImageModelConfig, RegNetStages {
  readonly stemWidth?: number;
  readonly stemStride?: number;
}

export function buildRegNet(config: RegNetConfig): Graph {
  const b = ModelBuilder.for(config);
  const [c, h, w] = config.inputSize;
  let channels = config.stemWidth ?? 32;
  let x = b.input('input', ['N', c, h, w]);
  x = b.relu(b.batchNorm(b.conv(x, c, channels, 3, { stride: config.stemStride ?? 2, name: 'stem.0' }), channels, { name: 'stem.1' }));
  config.depths.forEach((depth, s) => {
    const out = config.widths[s];
    const groups = out / config.groupWidths[s];
    for (let i = 0; i < depth; i++) {
      const at = `trunk_output.block${s + 1}.block${s + 1}-${i}`;
      const stride = i === 0 ? 2 : 1;
      let y = b.relu(b.batchNorm(b.conv(x, channels, out, 1, { pad: 0, name: `${at}.f.a.0` }), out, { name: `${at}.f.a.1` }));
      y = b.relu(b.batchNorm(b.conv(y, out, out, 3, { stride, groups, name: `${at}.f.b.0` }), out, { name: `${at}.f.b.1` }));
      y = b.batchNorm(b.conv(y, out, out, 1, { pad: 0, name: `${at}.f.c.0` }), out, { name: `${at}.f.c.1` });
      // torchvision registers the projection before f; names, not order, carry the mapping.
      const shortcut = channels !== out || stride !== 1 ? b.batchNorm(b.conv(x, channels, out, 1, { stride, pad: 0, name: `${at}.proj.0` }), out, { name: `${at}.proj.1` }) : x;
      x = b.relu(b.op('Add', [shortcut, y]));
      channels = out;
    }
  });
  b.output(b.dense(b.globalAveragePool(x), channels, config.numClasses, { name: 'fc' }), 'logits', config.numClasses);
  return b.finish(imageMetadata(config, 'CNN', `regnetx-${config.widths.join('-')}`));
}

const schema = lazyValue(() =>
  z.object({
    depth: z.number().int().positive(),
    w0: z.number().int().positive().multipleOf(8),
    wa: z.number().nonnegative(),
    wm: z.number().gt(1),
    groupWidth: z.number().int().positive(),
    stemWidth: z.number().int().positive().default(32),
    stemStride: z.number().int().positive().default(2),
  }),
);
type Options = Zod.infer<typeof schema>;

// Design-space parameters from torchvision regnet.py (400MF–3.2GF) and pycls RegNetX-6.4GF (timm regnetx_064).
const preset = (reference: string, depth: number, w0: number, wa: number, wm: number, groupWidth: number) => ({
  options: { depth, w0, wa, wm, groupWidth, stemWidth: 32, stemStride: 2 },
  resolution: 224,
  reference,
});

export const regnetArchitecture: Architecture<Options> = {
  family: 'CNN',
  description: 'RegNetX (torchvision regnet.py)',
  schema,
  presets: {
    regnet_x_400mf: preset('torchvision:regnet_x_400mf', 22, 24, 24.48, 2.54, 16),
    regnet_x_800mf: preset('torchvision:regnet_x_800mf', 16, 56, 35.73, 2.28, 16),
    regnet_x_1_6gf: preset('torchvision:regnet_x_1_6gf', 18, 80, 34.01, 2.25, 24),
    regnet_x_3_2gf: preset('torchvision:regnet_x_3_2gf', 25, 88, 26.31, 2.25, 48),
    regnet_x_6_4gf: preset('pycls:RegNetX-6.4GF (timm regnetx_064)', 17, 184, 60.83, 2.07, 56),
    'small-regnet_x': { options: { depth: 6, w0: 8, wa: 8, wm: 2, groupWidth: 8, stemWidth: 8, stemStride: 1 }, resolution: 32, classes: 10, small: true },
  },
  build: (o, s) => {
    const stages = regnetStages(Math.max(1, Math.round(o.depth * s.depth)), o.w0, o.wa, o.wm, o.groupWidth);
    const widths = stages.widths.map((w, i) => (s.width === 1 ? w : makeDivisible(scaleWidth(w, s.width), stages.groupWidths[i])));
    return buildRegNet({ ...s, ...stages, widths, stemWidth: o.stemWidth, stemStride: o.stemStride });
  },
};

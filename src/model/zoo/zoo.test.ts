// The zoo's catalogue against the reference implementations: every size RobustART lists is a preset,
// and each preset's parameter count equals the reference model's exactly and its MACs are within 1%
// (fixtures/zoo/reference-counts.json, written by tools/zoo-reference.py from torchvision 0.14 and
// the timm/RepVGG module definitions). Counts come from shapes-only builds; on the small presets they
// are checked against the materialised graph and onnxruntime's shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { presetEntries, buildPreset, parameterCount, macCount, summarizePreset, registerArchitecture, getArchitecture, findPreset } from './index.js';
import { countMacs } from '../complexity.js';
import { regnetStages } from '../builders/regnet.js';
import { RobustartError } from '../../errors.js';

const REFERENCE = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'zoo', 'reference-counts.json'), 'utf8')) as Record<string, { params: number; macs: number; resolution: number }>;

/** The sizes of RobustART's model list (the benchmark's 47 configs, ConvNeXt and AlexNet). */
const ROBUSTART_PRESETS = [
  'resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'resnext50_32x4d', 'resnext101_32x8d', 'wide_resnet50_2', 'wide_resnet101_2',
  'densenet121', 'densenet169', 'densenet201',
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `efficientnet_b${i}`),
  'mobilenet_v2_x0_5', 'mobilenet_v2_x0_75', 'mobilenet_v2', 'mobilenet_v2_x1_4',
  'mobilenet_v3_large_x0_35', 'mobilenet_v3_large_x0_5', 'mobilenet_v3_large_x0_75', 'mobilenet_v3_large', 'mobilenet_v3_large_x1_4',
  'regnet_x_400mf', 'regnet_x_800mf', 'regnet_x_1_6gf', 'regnet_x_3_2gf', 'regnet_x_6_4gf',
  'repvgg_a0', 'repvgg_b3',
  'shufflenet_v2_x0_5', 'shufflenet_v2_x1_0', 'shufflenet_v2_x1_5', 'shufflenet_v2_x2_0',
  'vit_b_16', 'vit_b_32', 'deit_tiny_patch16_224', 'deit_small_patch16_224', 'deit_base_patch16_224',
  'mixer_b16_224', 'mixer_l16_224',
  'convnext_tiny', 'convnext_base',
  'alexnet',
];

test('every model of RobustART\'s list is a preset, with a reference count', () => {
  const names = new Set(presetEntries().map((e) => e.name));
  for (const name of ROBUSTART_PRESETS) {
    assert.ok(names.has(name), `${name} is not a preset`);
    assert.ok(REFERENCE[name], `${name} has no reference count`);
  }
  assert.equal(presetEntries().filter((e) => !e.preset.small).length, ROBUSTART_PRESETS.length);
});

test('full-size presets: parameters equal the reference exactly, MACs within 1%', () => {
  for (const name of ROBUSTART_PRESETS) {
    const ref = REFERENCE[name];
    const s = summarizePreset(name);
    assert.equal(s.resolution, ref.resolution, `${name} resolution`);
    assert.equal(s.parameters, ref.params, `${name} parameters`);
    assert.ok(Math.abs(s.macs - ref.macs) <= 0.01 * ref.macs, `${name} MACs ${s.macs} vs ${ref.macs}`);
  }
});

test('small presets: counts from the shapes-only build equal the materialised graph and onnxruntime shapes', async () => {
  for (const entry of presetEntries().filter((e) => e.preset.small)) {
    const sketch = buildPreset(entry.name, { shapesOnly: true });
    const graph = buildPreset(entry.name);
    assert.equal(parameterCount(sketch), parameterCount(graph), entry.name);
    assert.ok([...graph.initializers.values()].every((t) => t.data.length === t.dims.reduce((a, b) => a * b, 1)), `${entry.name}: every initializer holds its values`);
    assert.equal(macCount(sketch), await countMacs(graph.toModel()), `${entry.name} MACs`);
  }
});

test('width, depth, resolution and classes rescale a preset', () => {
  const base = summarizePreset('resnet18');
  assert.ok(summarizePreset('resnet18', { width: 0.5 }).parameters < base.parameters / 3);
  assert.ok(summarizePreset('resnet18', { depth: 2 }).parameters > base.parameters * 1.5);
  const r = summarizePreset('resnet18', { resolution: 112, classes: 10 });
  assert.equal(r.resolution, 112);
  assert.equal(r.parameters, base.parameters - 513 * 990);
  // A quarter of the pixels: about a quarter of the MACs (the last stage rounds 3.5² up to 4²).
  assert.ok(r.macs > base.macs / 4 && r.macs < base.macs / 3.5, `${r.macs} vs ${base.macs}`);
});

test('RegNet stage widths and depths follow torchvision (BlockParams.from_init_params)', () => {
  // torchvision 0.14 regnet_x_400mf and regnet_x_1_6gf; 1.6GF rounds a half to even (22.5 → 22).
  assert.deepEqual(regnetStages(22, 24, 24.48, 2.54, 16), { depths: [1, 2, 7, 12], widths: [32, 64, 160, 400], groupWidths: [16, 16, 16, 16] });
  assert.deepEqual(regnetStages(18, 80, 34.01, 2.25, 24), { depths: [2, 4, 10, 2], widths: [72, 168, 408, 912], groupWidths: [24, 24, 24, 24] });
});

test('a user registers an architecture and builds its presets; bad names and options are one-line errors', () => {
  const resnet = getArchitecture('resnet');
  registerArchitecture('my-resnet', { ...resnet, presets: { 'my-resnet-tiny': { options: { ...(findPreset('small-resnet').preset.options as object) }, resolution: 32, classes: 3 } } } as never);
  assert.equal(JSON.parse(buildPreset('my-resnet-tiny').metadata.num_classes), 3);
  assert.throws(() => registerArchitecture('my-resnet', resnet), RobustartError);
  assert.throws(() => buildPreset('no-such-model'), /^RobustartError: unknown model no-such-model/);
  assert.throws(() => buildPreset('resnet18', { options: { layers: [] } }), /options of resnet18: layers/);
  assert.throws(() => buildPreset('resnet18', { width: -1 }), /width of resnet18 must be a positive number/);
  assert.throws(() => buildPreset('vit_b_16', { resolution: 100 }), /not a whole number of 16-pixel patches/);
});

test('RepVGG deploy-time models have the paper\'s parameter and MAC counts', () => {
  // Ding et al. 2021, Table 4 (deploy-time, two decimals as printed): A0 8.30M params, 1.4 G MACs; B3 110.96M, 26.2 G.
  const deploy = (name: string) => buildPreset(name, { shapesOnly: true, options: { mode: 'deploy' } });
  assert.equal(Math.floor(parameterCount(deploy('repvgg_a0')) / 1e4) / 100, 8.3);
  assert.equal((macCount(deploy('repvgg_a0')) / 1e9).toFixed(1), '1.4');
  assert.equal((parameterCount(deploy('repvgg_b3')) / 1e6).toFixed(2), '110.96');
  assert.equal((macCount(deploy('repvgg_b3')) / 1e9).toFixed(1), '26.2');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadExperiment, parseExperiment, applyOverrides, PGD_TRAIN_REL_STEPSIZE } from './config.js';
import { trainerSettings, buildModel } from './experiment.js';
import { tempDir } from '../testing/fixtures.js';
import { RobustartError } from '../errors.js';

const CONFIGS = fileURLToPath(new URL('../../configs/', import.meta.url));
const minimal = { epochs: 1, batch_size: 8, model: { builder: 'small-cnn' }, optimizer: { kind: 'sgd' }, schedule: { base_lr: 0.1 } };

test('every example config in configs/ validates and builds its model (weights left at zero: shapes only)', () => {
  const files = ['fashion', 'imagenet'].flatMap((d) => readdirSync(join(CONFIGS, d)).filter((f) => f.endsWith('.yaml')).map((f) => join(d, f)));
  assert.ok(files.length >= 8, files.join(', '));
  for (const file of files) {
    const config = loadExperiment(join(CONFIGS, file));
    if ('builder' in config.model) assert.ok(buildModel(config, 10, false).graph.nodes.length > 0, file);
  }
});

test('a config trains a model-zoo preset: built at the data input size and class count, family from the zoo', () => {
  const config = parseExperiment({ ...minimal, model: { zoo: 'small-mobilenet_v2' }, data: { input_size: [3, 28, 28] } });
  const { graph, family, architecture } = buildModel(config, 7, false);
  assert.equal(architecture, 'small-mobilenet_v2');
  assert.equal(family, 'CNN');
  assert.deepEqual(JSON.parse(graph.metadata.input_size), [3, 28, 28]);
  assert.equal(JSON.parse(graph.metadata.num_classes), 7);
  const vit = buildModel(parseExperiment({ ...minimal, model: { zoo: 'small-vit', width: 0.5 } }), 10, false);
  assert.equal(vit.family, 'ViT');
  assert.throws(() => buildModel(parseExperiment({ ...minimal, model: { zoo: 'no-such-net' } }), 10, false), RobustartError);
  assert.throws(() => parseExperiment({ ...minimal, model: { zoo: 'small-vit', colour: 'red' } }), RobustartError);
});

test('defaults fill a minimal config; techniques are off unless switched on', () => {
  const c = parseExperiment(minimal);
  assert.equal(c.seed, 0);
  assert.deepEqual(c.data.input_size, [3, 32, 32]);
  assert.equal(c.techniques.label_smoothing, 0);
  assert.equal(c.techniques.ema, null);
  assert.equal(c.transforms.hflip, 0.5);
  const s = trainerSettings(c, { mean: [0, 0, 0], std: [1, 1, 1] });
  assert.equal(s.mix, undefined);
  assert.equal(s.adversarial, undefined);
  assert.deepEqual(s.schedule, { baseLr: 0.1, warmupLr: 0.1, minLr: 0, warmupEpochs: 0 });
});

test('--set overrides reach nested fields with YAML-typed values', () => {
  const raw = applyOverrides(minimal, ['techniques.label_smoothing=0.1', 'techniques.adversarial={eps: 0.1, steps: 3}', 'data.input_size=[3,16,16]', 'seed=4']);
  const c = parseExperiment(raw);
  assert.equal(c.techniques.label_smoothing, 0.1);
  assert.equal(c.seed, 4);
  assert.deepEqual(c.data.input_size, [3, 16, 16]);
  const s = trainerSettings(c, { mean: [0, 0, 0], std: [1, 1, 1] });
  assert.equal(s.adversarial!.stepSize, 0.1 * PGD_TRAIN_REL_STEPSIZE);
  assert.equal(s.adversarial!.mode, 'clean-adversarial');
  assert.equal((minimal as Record<string, unknown>).seed, undefined, 'the input is not modified');
});

test('bad configs are one-line errors naming the field', () => {
  assert.throws(() => parseExperiment({ ...minimal, optimizer: { kind: 'lamb' } }), (e: Error) => e instanceof RobustartError && /optimizer/.test(e.message));
  assert.throws(() => parseExperiment({ ...minimal, epochs: 0 }), /epochs/);
  assert.throws(() => parseExperiment({ ...minimal, techniques: { label_smothing: 0.1 } }), /techniques/);
  assert.throws(() => applyOverrides(minimal, ['epochs']), /key=value/);
  const dir = tempDir();
  writeFileSync(join(dir, 'bad.yaml'), 'epochs: [1\n');
  assert.throws(() => loadExperiment(join(dir, 'bad.yaml')), (e: Error) => e instanceof RobustartError && !e.message.includes('\n'));
  assert.throws(() => loadExperiment(join(dir, 'missing.yaml')), /cannot read/);
  assert.throws(() => trainerSettings(parseExperiment({ ...minimal, techniques: { frozen: ['('] } }), { mean: [0, 0, 0], std: [1, 1, 1] }), /frozen/);
});

test('relative paths resolve against the config file', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'e.yaml'), 'epochs: 1\nbatch_size: 2\nmodel: { onnx: m.onnx }\noptimizer: { kind: adamw }\nschedule: { base_lr: 0.001 }\ndata: { train: { kind: csv, path: train.csv } }\n');
  const c = loadExperiment(join(dir, 'e.yaml'));
  assert.deepEqual(c.model, { onnx: join(dir, 'm.onnx') });
  assert.deepEqual(c.data.train, { kind: 'csv', path: join(dir, 'train.csv') });
  assert.equal(c.optimizer.kind === 'adamw' && c.optimizer.no_wd, true, 'AdamW recipes default to no_wd');
});

test('ablation configs change one thing from their base (base chains deep-merge; another optimizer kind replaces)', () => {
  const baseline = loadExperiment(join(CONFIGS, 'fashion', 'baseline.yaml'));
  const emaOff = loadExperiment(join(CONFIGS, 'fashion', 'ema-off.yaml'));
  assert.equal(baseline.techniques.ema?.decay, 0.999);
  assert.deepEqual({ ...emaOff, name: baseline.name, techniques: { ...emaOff.techniques, ema: baseline.techniques.ema } }, baseline);
  const adamw = loadExperiment(join(CONFIGS, 'imagenet', 'resnet50-adamw.yaml'));
  assert.deepEqual(adamw.optimizer, { kind: 'adamw', betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.05, no_wd: true, clip_grad_norm: null });
  assert.equal(adamw.schedule.warmup_epochs, 2, 'unchanged fields come from the base');
});

test('techniques.drop_path sets a zoo model\'s stochastic depth (0: none, rising to the rate over the blocks); techniques.dropout its own dropout', () => {
  const build = (techniques: Record<string, unknown>, model: Record<string, unknown> = { zoo: 'small-vit' }) => buildModel(parseExperiment({ ...minimal, model, techniques }), 10, false).graph;
  const ratios = (g: ReturnType<typeof build>) => g.nodes.filter((n) => n.opType === 'Dropout').map((n) => (g.initializers.get(n.input![1])!.data as Float32Array)[0]);
  assert.deepEqual(ratios(build({ drop_path: 0 })), [], 'rate 0 builds no drop-path nodes');
  assert.ok(ratios(build({})).length > 0, 'null keeps the preset rate (small-vit: 0.1)');
  const rising = ratios(build({ drop_path: 0.3 }));
  assert.ok(Math.abs(Math.max(...rising) - 0.3) < 1e-7 && Math.min(...rising) > 0, `${rising}`);
  assert.throws(() => build({ drop_path: 0.1 }, { builder: 'small-cnn' }), /drop-path/);
  assert.doesNotThrow(() => build({ drop_path: 0 }, { builder: 'small-cnn' }));
  const efficientnet = parseExperiment({ ...minimal, model: { zoo: 'small-efficientnet' }, techniques: { dropout: 0.3, drop_path: 0 } });
  assert.ok(ratios(buildModel(efficientnet, 10, false).graph).some((r) => Math.abs(r - 0.3) < 1e-7));
  assert.equal(trainerSettings(efficientnet, { mean: [0, 0, 0], std: [1, 1, 1] }).dropRate, 0, 'no second dropout on the head');
  assert.equal(trainerSettings(parseExperiment({ ...minimal, techniques: { dropout: 0.3 } }), { mean: [0, 0, 0], std: [1, 1, 1] }).dropRate, 0.3);
});

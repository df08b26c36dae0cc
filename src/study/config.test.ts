import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { runKey } from '../train/config.js';
import { studyCells } from './cells.js';
import { trainingCells } from './training.js';
import { join } from 'node:path';
import { loadStudy, parseStudy } from './config.js';
import { RobustartError } from '../errors.js';
import { tempDir } from '../testing/fixtures.js';

const minimal = { name: 's', models: [{ name: 'm', onnx: 'm.onnx' }], datasets: [{ name: 'd', path: 'data' }], suites: [{ suite: 'clean' }] };

test('a study resolves paths against its folder and fills defaults', () => {
  const study = parseStudy(minimal, '/studies');
  assert.equal(study.models[0].onnx, '/studies/m.onnx');
  assert.equal(study.datasets[0].path, '/studies/data');
  assert.equal(study.seed, 0);
  assert.equal(study.models[0].family, 'unknown');
  assert.equal(study.models[0].technique, 'baseline');
  assert.equal(study.suites[0].name, 'clean');
});

test('bad studies are one-line errors naming the field', () => {
  const cases: [unknown, RegExp][] = [
    [{ ...minimal, models: [] }, /models/],
    [{ ...minimal, suites: [{ suite: 'nope' }] }, /unknown suite 'nope'/],
    [{ ...minimal, models: [{ name: 'm' }] }, /exactly one of onnx/],
    [{ ...minimal, models: [{ name: 'm', onnx: 'a.onnx' }, { name: 'm', onnx: 'b.onnx' }] }, /model name m appears twice/],
    [{ ...minimal, seed: -1 }, /seed/],
    [{ ...minimal, colour: 'red' }, /colour|unrecognized/i],
    [{ ...minimal, transfer: { sources: ['x'] } }, /transfer.sources: x is not a model of this study/],
    [{ ...minimal, transfer: { eps: 'big' } }, /transfer.eps: epsilon 'big' is not/],
    // A suite's options are checked against its schema when the study is read, not cell by cell once it runs.
    [{ ...minimal, suites: [{ suite: 'natural', options: { severity: '1,3' } }] }, /^study.yaml: suites.natural: suite natural: option severity .*options are corruptions, severities/],
    [{ ...minimal, suites: [{ suite: 'natural', name: 'nat', options: { severities: '7' } }] }, /^study.yaml: suites.nat: suite natural: option severities '7' is not allowed/],
    [{ ...minimal, suites: [{ suite: 'adversarial', options: { attacks: 'fgsm:linf', eps: 'abc' } }] }, /^study.yaml: suites.adversarial: .*epsilon 'abc' is not a non-negative number/],
    [{ ...minimal, suites: [{ suite: 'adversarial', options: { protocol: 'paper' } }] }, /^study.yaml: suites.adversarial: .*protocol/],
    [{ ...minimal, models: [{ name: 'r', zoo: 'small-resnet' }] }, /needs a training config/],
    [{ ...minimal, models: [{ name: 'r', onnx: 'm.onnx', training: 'base.yaml' }] }, /training applies to a zoo preset/],
    [{ ...minimal, models: [{ name: 'r', onnx: 'm.onnx', set: { epochs: 1 } }] }, /set changes a training config/],
    [{ ...minimal, models: [{ name: 'r', zoo: 'small-resnet', training: { epochs: 1 } }] }, /model r: .*study.yaml#models.r.training: (batch_size|optimizer|schedule)/],
    [{ ...minimal, models: [{ name: 'r', zoo: 'small-resnet', training: 'missing.yaml' }] }, /model r: cannot read experiment config/],
  ];
  for (const [raw, message] of cases) {
    assert.throws(() => parseStudy(raw, '/x', 'study.yaml'), (err: unknown) => err instanceof RobustartError && message.test(err.message) && !err.message.includes('\n'), String(message));
  }
});

test('loadStudy reads YAML and reports a missing file or bad YAML clearly', () => {
  const dir = tempDir();
  const path = join(dir, 'study.yaml');
  writeFileSync(path, 'name: s\nmodels:\n  - {name: m, onnx: m.onnx, family: CNN}\ndatasets:\n  - {name: d, path: data, limit: 8}\nsuites:\n  - {suite: natural, options: {corruptions: fog}}\n');
  const study = loadStudy(path);
  assert.equal(study.models[0].onnx, join(dir, 'm.onnx'));
  assert.equal(study.datasets[0].limit, 8);
  assert.deepEqual(study.suites[0].options, { corruptions: 'fog' });
  assert.throws(() => loadStudy(join(dir, 'none.yaml')), /study file not found/);
  writeFileSync(path, 'name: [unclosed');
  // The parser's first line names the place; its code frame (after a colon) stays out of the one-line message.
  assert.throws(() => loadStudy(path), (err: unknown) => err instanceof RobustartError && /not valid YAML: .*line \d+, column \d+$/.test(err.message));
});

test('a zoo model resolves its training config (file or inline, with set) and is identified by its recipe', () => {
  const dir = tempDir();
  const recipe = { name: 'base', epochs: 2, batch_size: 8, model: { builder: 'small-cnn' }, optimizer: { kind: 'sgd' }, schedule: { base_lr: 0.1 }, data: { train: { kind: 'imagefolder', path: 'train' } } };
  writeFileSync(join(dir, 'base.yaml'), stringify(recipe));
  const study = parseStudy({
    ...minimal,
    models: [
      { name: 'plain', zoo: 'small-resnet', training: 'base.yaml' },
      { name: 'at', zoo: 'small-resnet', training: 'base.yaml', set: { 'techniques.adversarial': { eps: 0.03, steps: 2 }, 'model.width': 0.5 } },
      { name: 'inline', zoo: 'small-vit', training: { base: 'base.yaml', techniques: { mixup: {} } } },
    ],
  }, dir, join(dir, 'study.yaml'));
  const [plain, at, inline] = study.models.map((m) => m.experiment!);
  // The preset replaces the config's model, the study model's name names the training run, `set` changes fields.
  assert.deepEqual(plain.model, { zoo: 'small-resnet', options: {} });
  assert.equal(plain.name, 'plain');
  assert.equal(plain.epochs, 2);
  assert.equal(plain.techniques.adversarial, null);
  assert.deepEqual({ eps: at.techniques.adversarial?.eps, steps: at.techniques.adversarial?.steps, width: 'zoo' in at.model ? at.model.width : undefined }, { eps: 0.03, steps: 2, width: 0.5 });
  assert.deepEqual(inline.model, { zoo: 'small-vit', options: {} });
  assert.equal(inline.techniques.mixup?.mixup_alpha, 0.2);
  // Relative paths of the config resolve against its own folder, and an inline base against the study's.
  assert.deepEqual(plain.data.train, { kind: 'imagefolder', path: join(dir, 'train') });
  assert.deepEqual(inline.data.train, { kind: 'imagefolder', path: join(dir, 'train') });
  // One training cell per zoo model, keyed by the recipe; the evaluation cells of different recipes differ.
  const training = trainingCells(study);
  assert.deepEqual(training.map((c) => [c.model.name, c.key]), [['plain', runKey(plain)], ['at', runKey(at)], ['inline', runKey(inline)]]);
  assert.equal(new Set(training.map((c) => c.cell)).size, 3);
  assert.equal(new Set(studyCells(study).map((c) => c.cell)).size, 3);
  const again = parseStudy({ ...minimal, models: [{ name: 'plain', zoo: 'small-resnet', training: 'base.yaml', set: { epochs: 2 } }] }, dir, join(dir, 'study.yaml'));
  assert.equal(trainingCells(again)[0].cell, training[0].cell, 'setting a field to its value is the same recipe');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
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
    [{ ...minimal, models: [{ name: 'r', zoo: 'resnet18', training: { technique: 'pgd-at' } }] }, /not available yet/],
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
  assert.throws(() => loadStudy(path), /not valid YAML/);
});

// The bundled adversarially trained demo model: resolvable by name, and its metadata records how it was
// trained (the experiment config robustart train resolved), so a leaderboard row can say so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolveModel } from '../model/resolve.js';
import { packagePath } from '../util/paths.js';
import { decodeModel } from '../onnx/proto.js';
import { Graph } from '../onnx/graph.js';
import { parseExperiment } from './config.js';

test('fashion-cnn-at is bundled, carries its PGD-AT config (ε 0.1) and its training record', () => {
  const model = resolveModel('fashion-cnn-at');
  assert.equal(model.inputName, 'input');
  const graph = Graph.fromModel(decodeModel(readFileSync(packagePath('demo/model/fashion-cnn-at.onnx'))));
  const training = JSON.parse(graph.metadata!.training);
  const config = parseExperiment(training.config);
  assert.equal(config.techniques.adversarial?.eps, 0.1);
  assert.equal(config.techniques.adversarial?.mode, 'clean-adversarial');
  const record = JSON.parse(readFileSync(packagePath('demo/model/fashion-cnn-at.training.json'), 'utf8'));
  assert.equal(record.history.length, config.epochs);
  assert.equal(record.testAccuracy, training.test_top1);
});

// The invariants every attack must keep on any model, shared by the attack tests.
import assert from 'node:assert/strict';
import type { Attack, AttackResult } from '../attack.js';
import { argmax, indexStreams } from '../attack.js';
import type { DifferentiableClassifier } from '../../../model/differentiable.js';
import { perturbationNorms } from '../threat.js';

/**
 * Runs the attack twice with the same seed and checks the ball, the box, determinism, the success bookkeeping, and that
 * a sample's result does not depend on the rest of the batch (the first samples attacked alone give the same rows).
 */
export async function checkAttackInvariants(
  model: DifferentiableClassifier, attack: Attack, images: Float32Array, labels: Int32Array, batch: number, { seed = 11, tolerance = 1e-5 } = {},
): Promise<AttackResult> {
  const result = await attack.run(images, labels, batch, indexStreams(seed, attack.name, batch));
  const again = await attack.run(images, labels, batch, indexStreams(seed, attack.name, batch));
  assert.deepEqual(again.adversarial, result.adversarial, `${attack.name}: same seed, different images`);
  assert.deepEqual(again.success, result.success, `${attack.name}: same seed, different success`);
  assert.deepEqual(again.queries, result.queries, `${attack.name}: same seed, different query counts`);
  const k = Math.max(1, batch >> 2), size = images.length / batch;
  const alone = await attack.run(images.subarray(0, k * size), labels.subarray(0, k), k, indexStreams(seed, attack.name, batch).slice(0, k));
  assert.deepEqual(alone.adversarial, result.adversarial.subarray(0, k * size), `${attack.name}: a sample's result depends on the other samples of its batch`);
  assert.deepEqual(alone.queries, result.queries.subarray(0, k), `${attack.name}: a sample's query count depends on the other samples of its batch`);
  assert.equal(result.adversarial.length, images.length);
  for (const v of result.adversarial) assert.ok(v >= 0 && v <= 1, `${attack.name}: pixel ${v} outside [0,1]`);
  const norms = perturbationNorms(images, result.adversarial, batch, attack.norm);
  if (attack.eps !== undefined) {
    for (const n of norms) assert.ok(n <= attack.eps * (1 + tolerance) + tolerance, `${attack.name}: ‖δ‖ = ${n} > ε = ${attack.eps}`);
  }
  norms.forEach((n, i) => assert.ok(Math.abs(n - result.norms[i]) <= 1e-5 * Math.max(1, n), `${attack.name}: reported norm ${result.norms[i]} ≠ ${n}`));
  const logits = await model.logits(result.adversarial, batch);
  for (let i = 0; i < batch; i++) {
    const predicted = argmax(logits, i, model.numClasses);
    const expected = result.targets ? predicted === result.targets[i] : predicted !== labels[i];
    assert.equal(result.success[i], expected ? 1 : 0, `${attack.name}: sample ${i} success ${result.success[i]} but prediction ${predicted}, label ${labels[i]}`);
  }
  for (const q of result.queries) assert.ok(q >= 0);
  return result;
}

export function successCount(result: AttackResult): number {
  return result.success.reduce((a, b) => a + b, 0);
}

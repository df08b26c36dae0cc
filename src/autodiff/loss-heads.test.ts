// Every loss head through the DifferentiableClassifier: values against the formulas of
// shared/spec/adversarial.md computed here in float64, gradients against central differences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makeValueInfo } from '../onnx/build.js';
import { Graph } from '../onnx/graph.js';
import { createDifferentiableClassifier } from './classifier.js';
import { LOSS_KINDS } from './loss-heads.js';
import type { LossSpec } from '../model/differentiable.js';
import { Rng } from '../util/rng.js';

const K = 6;
const N = 4;

/** A "model" whose logits are its input pixels: [N, K, 1, 1] -> [N, K], so d loss/d x = d loss/d z. */
function identityModel(): Graph {
  const g = new Graph({ opset: 17 });
  g.inputs = [makeValueInfo('x', ['N', K, 1, 1])];
  g.nodes = [makeNode('Flatten', ['x'], ['logits'], { axis: 1 })];
  g.outputs = [makeValueInfo('logits', ['N', K])];
  return g;
}

function reference(z: number[], y: number, t: number, spec: LossSpec): number {
  const sorted = [...z].sort((a, b) => b - a);
  const maxOther = Math.max(...z.filter((_, j) => j !== y));
  const lse = Math.log(z.reduce((s, v) => s + Math.exp(v), 0));
  switch (spec.kind) {
    case 'ce':
      return lse - z[y];
    case 'ce-targeted':
      return lse - z[t];
    case 'cw':
      return Math.min(maxOther - z[y], spec.kappa ?? Infinity);
    case 'dlr':
      return -(z[y] - maxOther) / (sorted[0] - sorted[2] + 1e-12);
    case 'dlr-targeted':
      return -(z[y] - z[t]) / (sorted[0] - (sorted[2] + sorted[3]) / 2 + 1e-12);
    case 'logit':
      return z[t];
  }
}

const rng = new Rng(7);
const logits = Float32Array.from({ length: N * K }, () => rng.normal(0, 3));
const labels = Int32Array.from({ length: N }, (_, i) => (i * 5) % K);
const targets = Int32Array.from({ length: N }, (_, i) => (i * 5 + 2) % K);

for (const kind of LOSS_KINDS) {
  const specs: LossSpec[] = kind === 'cw' ? [{ kind, targets }, { kind, targets, kappa: 0.5 }] : [{ kind, targets }];
  for (const spec of specs) {
    test(`loss head ${kind}${spec.kappa !== undefined ? ` (kappa ${spec.kappa})` : ''}: per-sample values and gradients`, async () => {
      const model = await createDifferentiableClassifier(identityModel());
      const r = await model.lossAndGradient(logits, N, labels, spec);
      assert.deepEqual(Array.from(r.logits), Array.from(logits));
      for (let n = 0; n < N; n++) {
        const z = Array.from(logits.subarray(n * K, n * K + K));
        const expected = reference(z, labels[n], targets[n], spec);
        assert.ok(Math.abs(r.loss[n] - expected) <= 1e-5 * Math.max(1, Math.abs(expected)), `sample ${n}: loss ${r.loss[n]} vs ${expected}`);
        for (let j = 0; j < K; j++) {
          const h = 1e-3;
          const plus = [...z];
          plus[j] += h;
          const minus = [...z];
          minus[j] -= h;
          const fd = (reference(plus, labels[n], targets[n], spec) - reference(minus, labels[n], targets[n], spec)) / (2 * h);
          const g = r.gradient[n * K + j];
          assert.ok(Math.abs(g - fd) <= 1e-4 * Math.max(1, Math.abs(fd)), `sample ${n} class ${j}: gradient ${g} vs finite difference ${fd}`);
        }
      }
      await model.release();
    });
  }
}

test('loss heads reject out-of-range labels and missing targets with a clear error', async () => {
  const model = await createDifferentiableClassifier(identityModel());
  await assert.rejects(model.lossAndGradient(logits, N, Int32Array.of(0, 1, 2, K), { kind: 'ce' }), /labels\[3\] = 6 is not a class index/);
  await assert.rejects(model.lossAndGradient(logits, N, labels, { kind: 'logit' }), /needs one target class per sample/);
  await model.release();
});

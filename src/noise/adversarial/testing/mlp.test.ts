// The test classifier's analytic input gradients agree with central finite differences for every loss head.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LossKind } from '../../../model/differentiable.js';
import { makeTinyTask } from './dataset.js';

test('tiny task: the trained MLP classifies held-out samples', async () => {
  const { model, test: data } = makeTinyTask();
  const logits = await model.logits(data.images, data.count);
  let correct = 0;
  for (let n = 0; n < data.count; n++) {
    const row = Array.from(logits.subarray(n * 10, n * 10 + 10));
    if (row.indexOf(Math.max(...row)) === data.labels[n]) correct++;
  }
  assert.ok(correct / data.count >= 0.9, `accuracy ${correct / data.count}`);
});

test('MLP gradients match finite differences for every loss head', async () => {
  const { model, test: data } = makeTinyTask({ trainCount: 40, epochs: 20 });
  const size = model.size;
  const batch = 3;
  const x = data.images.slice(0, batch * size);
  const labels = data.labels.slice(0, batch);
  const targets = Int32Array.from(labels, (y) => (y + 3) % 10);
  const kinds: LossKind[] = ['ce', 'ce-targeted', 'cw', 'dlr', 'dlr-targeted', 'logit'];
  for (const kind of kinds) {
    const spec = { kind, targets };
    const { gradient, loss } = await model.lossAndGradient(x, batch, labels, spec);
    assert.equal(loss.length, batch);
    const h = 1e-3;
    for (const i of [0, 17, size + 5, 2 * size + 63]) {
      const plus = x.slice(); plus[i] += h;
      const minus = x.slice(); minus[i] -= h;
      const n = Math.floor(i / size);
      const lp = (await model.lossAndGradient(plus, batch, labels, spec)).loss[n];
      const lm = (await model.lossAndGradient(minus, batch, labels, spec)).loss[n];
      const numeric = (lp - lm) / (2 * h);
      assert.ok(Math.abs(numeric - gradient[i]) <= 2e-3 * Math.max(1, Math.abs(numeric)), `${kind}[${i}]: analytic ${gradient[i]} numeric ${numeric}`);
    }
  }
});

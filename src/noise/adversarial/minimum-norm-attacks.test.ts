// C&W-L2, DDN, DeepFool and FAB(-T): invariants, a budget turns them into ε-bounded attacks, and their minimal norms
// are consistent with the ε-bounded attacks on the same points.
import { test } from 'node:test';
import { indexStreams } from './attack.js';
import assert from 'node:assert/strict';
import { Rng } from '../../util/rng.js';
import { makeTinyTask } from './testing/dataset.js';
import { checkAttackInvariants, successCount } from './testing/invariants.js';
import { CarliniWagnerL2 } from './cw.js';
import { DDN } from './ddn.js';
import { DeepFool } from './deepfool.js';
import { FAB } from './fab.js';
import { APGD } from './apgd.js';
import type { Attack } from './attack.js';

const { model, test: data } = makeTinyTask();
const images = data.images.slice(0, 20 * model.size), labels = data.labels.slice(0, 20), count = 20;

const minimumNorm = (eps?: number): Attack[] => [
  new CarliniWagnerL2(model, { eps, binarySteps: 4, steps: 30, learningRate: 0.05, initialConst: 1 }),
  new DDN(model, { eps, steps: 30 }),
  new DeepFool(model, { eps }),
  new DeepFool(model, { eps: eps === undefined ? undefined : eps / 8, norm: 'linf' }),
  new FAB(model, { eps, norm: 'l2', steps: 15 }),
  new FAB(model, { eps: eps === undefined ? undefined : eps / 8, norm: 'linf', steps: 15, targeted: true, targetClasses: 3 }),
  new FAB(model, { eps: eps === undefined ? undefined : eps * 4, norm: 'l1', steps: 15, restarts: 2 }),
];

test('minimum-norm attacks without a budget find an adversarial for every point of this small model', async () => {
  for (const attack of minimumNorm()) {
    const r = await checkAttackInvariants(model, attack, images, labels, count);
    assert.equal(successCount(r), count, `${attack.name}/${attack.norm}`);
  }
});

test('with a budget, minimum-norm attacks are ε-bounded and honest about success', async () => {
  for (const attack of minimumNorm(0.5)) {
    const r = await checkAttackInvariants(model, attack, images, labels, count);
    assert.ok(successCount(r) > 0 && successCount(r) < count, `${attack.name}: ${successCount(r)}`);
  }
});

test('targeted C&W and DDN reach the requested class', async () => {
  const targets = Int32Array.from(labels, (y) => (y + 5) % 10);
  for (const attack of [new CarliniWagnerL2(model, { targeted: true, binarySteps: 4, steps: 40, learningRate: 0.05, initialConst: 1 }), new DDN(model, { targeted: true, steps: 40 })]) {
    const r = await attack.run(images, labels, count, indexStreams(1, 'test', count), { targets });
    assert.deepEqual(r.targets, targets);
    assert.ok(successCount(r) >= count * 0.9, `${attack.name}: ${successCount(r)}`);
  }
});

test('FAB-L∞ minimal norms agree with APGD at the same ε: APGD cannot fool a point whose minimal norm FAB finds far larger', async () => {
  const fab = await new FAB(model, { norm: 'linf', steps: 30 }).run(images, labels, count, indexStreams(1, 'test', count));
  const eps = 0.08;
  const apgd = await new APGD(model, { eps, steps: 30 }).run(images, labels, count, indexStreams(1, 'test', count));
  for (let i = 0; i < count; i++) if (apgd.success[i]) assert.ok(fab.norms[i] <= 2 * eps, `sample ${i}: FAB ${fab.norms[i]} but APGD fooled it at ${eps}`);
  const fooledByFab = Array.from(fab.norms).filter((n) => n <= eps).length;
  assert.ok(Math.abs(fooledByFab - successCount(apgd)) <= count / 4, `FAB ${fooledByFab} vs APGD ${successCount(apgd)}`);
});

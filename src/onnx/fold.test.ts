import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldBatchNormIntoConv } from './fold.js';
import { buildResNet } from '../model/builders/resnet.js';
import { createSession, tensor } from './runtime.js';
import { Rng } from '../util/rng.js';

test('folding BatchNormalization into the Conv before it keeps the function and drops every BN', async () => {
  const graph = buildResNet({ inputSize: [3, 16, 16], numClasses: 4, block: 'basic', layers: [1, 1], width: 4, stem: 'cifar', seed: 3 });
  // Non-trivial statistics, so the fold has something to do.
  const rng = new Rng(1);
  for (const [name, t] of graph.initializers) {
    if (/^bn_(scale|bias|mean)/.test(name)) t.data.forEach((_, i, a) => ((a as Float32Array)[i] = rng.uniformIn(-1, 1) + (name.startsWith('bn_scale') ? 1.5 : 0)));
    if (name.startsWith('bn_var')) t.data.forEach((_, i, a) => ((a as Float32Array)[i] = rng.uniformIn(0.5, 2)));
  }
  const folded = graph.clone();
  const bnCount = graph.nodes.filter((n) => n.opType === 'BatchNormalization').length;
  assert.equal(foldBatchNormIntoConv(folded), bnCount);
  assert.equal(folded.nodes.filter((n) => n.opType === 'BatchNormalization').length, 0);
  const kept = graph.clone();
  const keepName = [...graph.initializers.keys()].find((k) => k.startsWith('bn_scale'))!;
  assert.equal(foldBatchNormIntoConv(kept, new Set([keepName])), bnCount - 1, 'a BN whose parameter is kept stays');
  const x = tensor('float32', Float32Array.from({ length: 2 * 3 * 256 }, () => rng.uniform()), [2, 3, 16, 16]);
  const a = (await (await createSession(graph)).run({ input: x })).logits.data as Float32Array;
  const b = (await (await createSession(folded)).run({ input: x })).logits.data as Float32Array;
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-4 * Math.max(1, Math.abs(a[i])), `logit ${i}: ${a[i]} vs ${b[i]}`);
});

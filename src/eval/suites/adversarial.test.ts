// The adversarial suite through the real evaluation spine on the bundled demo model: records, AR, WCAR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolveModel } from '../../model/resolve.js';
import { OnnxClassifier } from '../../model/classifier.js';
import { loadDataset, limitSamples } from '../../data/dataset.js';
import { packagePath } from '../../util/paths.js';
import { ResultStore } from '../../store/store.js';
import { evaluate } from '../evaluate.js';
import { tempDir } from '../../testing/fixtures.js';
import { adversarialSettings, adversarialSuite, protocolIds, selectProtocolSubset } from './adversarial.js';
import { PROTOCOLS, type ProtocolSubset } from '../../noise/adversarial/protocols.js';
import { RobustartError } from '../../errors.js';

test('adversarial suite: stored per-sample records, AR per condition and WCAR per budget', async () => {
  const dir = tempDir('robustart-adv-suite-');
  const store = new ResultStore(join(dir, 'results.sqlite'));
  try {
    const model = resolveModel('fashion-cnn');
    const classifier = await OnnxClassifier.create(model);
    const dataset = loadDataset(packagePath('demo/data/fashion-mnist'));
    const samples = limitSamples(dataset, 6, 1);
    const result = await evaluate({
      model, classifier, dataset, samples, store, suite: adversarialSuite, seed: 0, batchSize: 6,
      suiteOptions: { attacks: 'fgsm:linf,pgd:linf,ddn:l2', steps: 3 },
    });
    const names = [...result.perCondition.keys()];
    assert.ok(names.includes('clean') && names.includes('pgd/linf/4/255') && names.includes('ddn/l2/0.5'));
    const records = store.records(result.run.id, 'pgd/linf/4/255');
    assert.equal(records.length, 6);
    assert.equal(records[0].extra?.attack, 'pgd');
    const summary = adversarialSuite.summarize(result.perCondition, { model, classifier, dataset, seed: 0, options: {} },
      new Map(names.map((n) => [n, store.records(result.run.id, n)])));
    for (const eps of ['0.5/255', '1/255', '2/255', '4/255']) {
      const wcar = summary[`wcar/linf/${eps}`]!;
      assert.ok(wcar <= summary[`ar/pgd/linf/${eps}`]! && wcar <= summary[`ar/fgsm/linf/${eps}`]!);
    }
    // Both conventions are stored, named apart: AR among clean-correct samples, robust accuracy over all.
    const stored = new Set(store.metrics(result.run.id).filter((m) => m.noise === '*').map((m) => m.name));
    for (const key of ['ar/pgd/linf/4/255', 'robust_accuracy/pgd/linf/4/255', 'wcar/linf/4/255', 'worst_robust_accuracy/linf/4/255', 'clean_accuracy']) assert.ok(stored.has(key), key);
    assert.ok(summary['robust_accuracy/pgd/linf/4/255']! <= summary.clean_accuracy!);
    const cleanOk = new Map(store.records(result.run.id, 'clean').map((r) => [r.sampleId, r.top5![0] === r.label]));
    const kept = records.filter((r) => cleanOk.get(r.sampleId) && r.top5![0] === r.label).length;
    assert.equal(summary['ar/pgd/linf/4/255'], kept / [...cleanOk.values()].filter(Boolean).length);

    // A protocol's resolved settings are what the run stores; its name is part of the run's identity.
    const quick = await evaluate({ model, classifier, dataset, samples: samples.slice(0, 3), store, suite: adversarialSuite, seed: 0, batchSize: 3, suiteOptions: { protocol: 'quick', steps: 1 } });
    const plain = await evaluate({ model, classifier, dataset, samples: samples.slice(0, 3), store, suite: adversarialSuite, seed: 0, batchSize: 3, suiteOptions: { attacks: 'pgd:linf,fgsm:linf', eps: '2/255', steps: 1 } });
    assert.notEqual(quick.run.id, plain.run.id);
    const config = quick.run.config as { suiteOptions: { protocol: string; quick: boolean; plans: { attack: string; options?: { steps?: number } }[] } };
    assert.equal(config.suiteOptions.protocol, 'quick');
    assert.equal(config.suiteOptions.quick, true);
    assert.deepEqual(config.suiteOptions.plans.map((p) => [p.attack, p.options?.steps]), [['pgd', 1], ['fgsm', 1]]);
    assert.equal(quick.suiteMetrics.quick_protocol, 1);
    assert.equal(plain.suiteMetrics.quick_protocol, undefined);
    assert.deepEqual([...quick.perCondition.keys()], [...plain.perCondition.keys()]);
    await classifier.dispose();
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('suite options resolve once: a protocol plus explicit fields; resolved settings pass through unchanged', () => {
  const fromSuite = adversarialSettings({ protocol: 'quick', steps: '2', eps: '1/255' });
  assert.equal(fromSuite.quick, true);
  assert.deepEqual(fromSuite.plans.map((p) => [p.attack, p.epsilons, p.options?.steps]), [['pgd', [1 / 255], 2], ['fgsm', [1 / 255], 2]]);
  assert.deepEqual(adversarialSettings({ ...fromSuite }), fromSuite, 'resolved settings pass through unchanged');
  assert.throws(() => adversarialSettings({ protocol: 'quick', steps: '0' }), /steps is 0; it must be a positive integer/);
});

test('robustbench subset: the shipped list has the 5,000 ids; a folder missing some is a one-line error with the count and the folder', () => {
  const subset = PROTOCOLS.robustbench.subset as Extract<ProtocolSubset, { kind: 'ids' }>;
  const ids = protocolIds(subset);
  assert.equal(ids.length, 5000);
  assert.equal(new Set(ids).size, 5000);
  assert.match(ids[0], /^n\d{8}\/ILSVRC2012_val_\d{8}\.JPEG$/);
  // An ImageNet-style folder holding the first three listed images plus one unlisted image.
  const dir = tempDir('robustart-robustbench-');
  const root = join(dir, 'val');
  for (const id of [...ids.slice(0, 3), 'n01440764/ILSVRC2012_val_99999999.JPEG']) {
    mkdirSync(join(root, id.split('/')[0]), { recursive: true });
    writeFileSync(join(root, id), 'x');
  }
  const dataset = loadDataset(root);
  assert.throws(() => selectProtocolSubset(dataset, subset), (err: Error) =>
    err instanceof RobustartError && !err.message.includes('\n') && err.message.startsWith(`4997 of the protocol's 5000 ImageNet validation images are missing from ${root} `));
  // With every listed image present the subset is exactly the list, in its order.
  const list = join(dir, 'ids.txt');
  writeFileSync(list, `${ids[2]}\n${ids[0]}\n`);
  assert.deepEqual(selectProtocolSubset(dataset, { kind: 'ids', file: list, count: 2 }).samples.map((s) => s.id), [ids[2], ids[0]]);
  rmSync(dir, { recursive: true, force: true });
});

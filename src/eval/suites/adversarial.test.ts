// The adversarial suite through the real evaluation spine on the bundled demo model: records, AR, WCAR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { resolveModel } from '../../model/resolve.js';
import { OnnxClassifier } from '../../model/classifier.js';
import { loadDataset, limitSamples } from '../../data/dataset.js';
import { packagePath } from '../../util/paths.js';
import { ResultStore } from '../../store/store.js';
import { evaluate } from '../evaluate.js';
import { tempDir } from '../../testing/fixtures.js';
import { adversarialSuite } from './adversarial.js';

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
    assert.ok(summary['ar/pgd/linf/4/255']! <= result.perCondition.get('clean')!.top1);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

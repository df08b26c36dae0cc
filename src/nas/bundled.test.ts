import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packagePath } from '../util/paths.js';
import { ResultStore } from '../store/store.js';
import { StudyState } from '../study/state.js';
import { loadSpace, spaceHash } from './space.js';
import { loadSupernet } from './supernet-file.js';
import { sampleSubnets } from './sample.js';
import { NAS_DEMO } from '../cli/commands/nas.js';

test('the bundled NAS demo: its supernet belongs to its space, and its store holds the 200 drawn subnets', () => {
  const space = loadSpace(packagePath(NAS_DEMO.space));
  const supernet = loadSupernet(packagePath(NAS_DEMO.supernet), space);
  assert.equal(supernet.normalization.mean.length, 3);
  const store = new ResultStore(packagePath(NAS_DEMO.store), { mustExist: true });
  try {
    const drawn = sampleSubnets(space, 200, 0);
    const registered = new Map(store.listModels().map((m) => [m.name, m]));
    for (const s of drawn) {
      const entry = registered.get(s.name);
      assert.ok(entry, `${s.name} is registered`);
      assert.deepEqual(entry.metadata.nas, { space: space.name, spaceHash: spaceHash(space), choices: s.choices, params: s.params, macs: s.macs, supernet: supernet.sha256 });
    }
    const study = new StudyState(store).study('nas-fashion-tiny');
    assert.equal(study?.models.length, 200);
    assert.equal(store.listRuns().filter((r) => r.status === 'finished').length, 600);
  } finally {
    store.close();
  }
});

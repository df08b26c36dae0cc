import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tempDir, writeImageFolder, writeTinyClassifier } from '../testing/fixtures.js';
import { runEvaluation } from './run.js';

test('an evaluation stops when its signal aborts, and the same call resumes it', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  await writeImageFolder(join(dir, 'data'), ['a', 'b', 'c'], 2);
  const model = writeTinyClassifier(join(dir, 'tiny.onnx'), { numClasses: 3 });
  const common = { model, data: join(dir, 'data'), store: join(dir, 'r.db'), batchSize: 1, workers: 1 };
  const controller = new AbortController();
  let seen = 0;
  await assert.rejects(
    runEvaluation({ ...common, signal: controller.signal, onProgress: (p) => ((seen = p.done), p.done === 2 && controller.abort()) }),
    { name: 'AbortError' },
  );
  assert.equal(seen, 2);
  const resumed = await runEvaluation(common);
  assert.equal(resumed.evaluatedNow, 4, 'only the samples not recorded before the abort');
  assert.equal(resumed.perCondition.get('clean')!.count, 6);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStudy } from './config.js';
import { runStudy } from './runner.js';
import { studyStatus } from './cells.js';
import { StudyState } from './state.js';
import { transferMatrix } from './leaderboard.js';
import { writeTestStudy, TEST_MODELS } from './testing.js';
import { ResultStore } from '../store/store.js';
import { tempDir } from '../testing/fixtures.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

test('a study with a transfer section runs one transfer cell per source: the run `robustart transfer` makes, read back as the matrix', async () => {
  const dir = tempDir();
  const path = await writeTestStudy(dir, { models: 3, suites: [{ suite: 'clean' }], extra: { transfer: { sources: ['cnn-base', 'cnn-mix'], eps: '4/255,8/255' } } });
  const study = loadStudy(path);
  const db = join(dir, 'results.db');
  const store = new ResultStore(db);
  try {
    const first = await runStudy(study, { store });
    assert.equal(first.evaluated, 3 + 2, 'three clean cells and two transfer cells');
    const status = studyStatus(study, new StudyState(store), (id) => store.getRun(id)?.status === 'finished').filter((c) => c.suite === 'transfer');
    assert.deepEqual(status.map((c) => [c.model, c.status]), [['cnn-base', 'done'], ['cnn-mix', 'done']]);

    const matrix = transferMatrix(study, store);
    const targets = TEST_MODELS.slice(0, 3).map((m) => m.name);
    assert.equal(matrix.length, 2 * targets.length * 2, 'sources x targets x budgets');
    assert.deepEqual([...new Set(matrix.map((c) => c.condition))].sort(), ['fgsm/linf/4/255', 'fgsm/linf/8/255']);
    for (const c of matrix) assert.ok(c.robustAccuracy !== null && c.robustAccuracy >= 0 && c.robustAccuracy <= 1);

    // The same transfer through the CLI (same models, data, seed and budgets) is the same stored run, with the same numbers.
    const models = targets.map((n) => join(dir, `${n}.onnx`)).join(',');
    const cli = spawnSync(process.execPath, [CLI, 'transfer', '--sources', join(dir, 'cnn-base.onnx'), '--targets', models, '--data', join(dir, 'images'), '--eps', '4/255,8/255', '--seed', String(study.seed), '--store', join(dir, 'cli.db'), '--json'], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    const out = JSON.parse(cli.stdout) as { runs: Record<string, string>; cells: { target: string; condition: string; ar: number | null; robustAccuracy: number }[] };
    assert.equal(out.runs['cnn-base'], status[0].runId);
    for (const c of out.cells) {
      const mine = matrix.find((m) => m.source === 'cnn-base' && m.target === c.target && m.condition === c.condition)!;
      assert.deepEqual([mine.ar, mine.robustAccuracy], [c.ar, c.robustAccuracy], `${c.target} ${c.condition}`);
    }

    const second = await runStudy(study, { store });
    assert.equal(second.evaluated, 0, 'a finished study runs no transfer again');
  } finally {
    store.close();
  }
});

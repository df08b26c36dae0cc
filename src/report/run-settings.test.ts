// A stored run states the settings that produced its numbers: the adversarial protocol (or none), the options, and
// every attack's resolved settings (steps, step size, random start, restarts), in the CLI's run output, in
// `robustart results show` (a real process) and in the HTML run report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runEvaluation } from '../eval/run.js';
import { evaluationText } from '../cli/commands/eval.js';
import { ResultStore, type RunEntry } from '../store/store.js';
import { tempDir } from '../testing/fixtures.js';
import { packagePath } from '../util/paths.js';
import { loadDataset } from '../data/dataset.js';
import { renderRunReport } from './html.js';
import { runSettings } from './run-settings.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const DATA = packagePath('demo/data/fashion-mnist');

test('an adversarial run records and shows each attack\'s resolved settings and its protocol', { timeout: 120_000 }, async () => {
  const dir = tempDir('robustart-run-settings-');
  const storePath = join(dir, 'results.db');
  try {
    const result = await runEvaluation({
      model: 'fashion-cnn', data: DATA, suite: 'adversarial', limit: 4, workers: 0, store: storePath,
      suiteOptions: { attacks: 'pgd:linf,fgsm:linf', eps: '2/255', steps: 2 },
    });
    const lines = runSettings(result.run);
    assert.deepEqual(lines.map((l) => l.label), ['protocol', 'pgd/linf/2/255', 'fgsm/linf/2/255']);
    assert.match(lines[0].text, /^none/);
    // PGD's step size is the attack's default 2.5·ε/steps, which the user never typed: the run must say it.
    const pgd = lines[1].text;
    assert.match(pgd, /(^|, )steps 2(,|$)/);
    assert.match(pgd, new RegExp(`step size ${+((2.5 * 2) / 255 / 2).toPrecision(4)}`));
    assert.match(pgd, /random start true/);
    assert.match(pgd, /restarts 1/);
    assert.match(lines[2].text, /step size 2\/255/);

    const text = evaluationText(result);
    assert.match(text, /settings:\n {2}protocol +none/);
    assert.ok(text.includes(pgd), 'the eval output lists the same settings');

    const shown = spawnSync(process.execPath, [CLI, 'results', 'show', result.run.id, '--store', storePath], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /\n {2}settings\n {4}protocol +none/);
    assert.ok(shown.stdout.includes(pgd), shown.stdout);

    const store = new ResultStore(storePath);
    try {
      const html = await renderRunReport({ store, runId: result.run.id, dataset: loadDataset(DATA), metadata: result.model.metadata, gridSize: 2 });
      assert.match(html, /<h2>Settings<\/h2>/);
      assert.ok(html.includes(`<td>pgd/linf/2/255</td><td class="setting">${pgd}</td>`));
    } finally {
      store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runs stored before settings were recorded show their protocol, subset and explicit plan options', () => {
  const run = {
    id: 'r', suite: 'adversarial', modelName: 'm', modelSha256: 'f', datasetFingerprint: 'd', seed: 0, versions: {}, status: 'finished',
    createdAt: '', updatedAt: '', summary: { conditionMeta: {} },
    config: {
      suiteOptions: {
        protocol: 'quick', quick: true, headline: 'ar', subset: { kind: 'seeded', count: 500, seed: 0 },
        plans: [{ attack: 'pgd', norm: 'linf', epsilons: [2 / 255], options: { steps: 10 } }, { attack: 'fgsm', norm: 'linf', epsilons: [2 / 255] }],
      },
    },
  } satisfies RunEntry;
  assert.deepEqual(runSettings(run), [
    { label: 'protocol', text: 'quick (QUICK smoke run: not comparable, never ranked); its subset: 500 samples drawn with seed 0' },
    { label: 'pgd linf', text: 'ε 2/255; steps 10, other settings the attack\'s defaults' },
    { label: 'fgsm linf', text: 'ε 2/255; settings the attack\'s defaults' },
  ]);
  const transfer = { ...run, suite: 'transfer', config: { protocol: 'robustart-paper', plans: [{ attack: 'fgsm', norm: 'linf', epsilons: [0.5 / 255, 8 / 255] }] } };
  assert.deepEqual(runSettings(transfer), [
    { label: 'protocol', text: 'robustart-paper' },
    { label: 'fgsm linf', text: 'ε 0.5/255, 8/255; settings the attack\'s defaults' },
  ]);
  const natural = { ...run, suite: 'natural', config: { suiteOptions: { corruptions: 'fog', severities: '1,3', frost: 'photographs' } } };
  assert.deepEqual(runSettings(natural), [{ label: 'options', text: 'corruptions fog, severities 1,3, frost photographs' }]);
});

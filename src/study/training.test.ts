import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { loadStudy } from './config.js';
import { runStudy } from './runner.js';
import { studyStatus } from './cells.js';
import { StudyState } from './state.js';
import { buildLeaderboard } from './leaderboard.js';
import { trainedModelPath, trainingCells } from './training.js';
import { writeTestStudy } from './testing.js';
import { ResultStore } from '../store/store.js';
import { tempDir } from '../testing/fixtures.js';

test('a zoo model trains once as its own cell, then is evaluated; a failed training fails only its model, and a rerun trains nothing', async () => {
  const dir = tempDir();
  const path = await writeTestStudy(dir, { models: 1, suites: [{ suite: 'clean' }, { suite: 'adversarial', options: { attacks: 'fgsm:linf', eps: '4/255' } }] });
  // One epoch over the study's own 9 images at 16 px (the study's zoo preset replaces the recipe's model): seconds.
  const recipe = { name: 'tiny', epochs: 1, batch_size: 4, model: { builder: 'small-cnn' }, data: { train: { kind: 'imagefolder', path: 'images' }, test: { kind: 'imagefolder', path: 'images' }, input_size: [3, 16, 16] }, optimizer: { kind: 'adamw' }, schedule: { base_lr: 0.001 } };
  writeFileSync(join(dir, 'tiny.yaml'), stringify(recipe));
  const raw = parse(readFileSync(path, 'utf8'));
  raw.models.push({ name: 'mixer', zoo: 'small-mixer', training: 'tiny.yaml', family: 'Mixer', technique: 'baseline' });
  raw.models.push({ name: 'mixer-at', zoo: 'small-mixer', training: 'tiny.yaml', set: { 'techniques.adversarial': { eps: 0.03, steps: 1 } }, family: 'Mixer', technique: 'pgd-at' });
  raw.models.push({ name: 'no-such', zoo: 'no-such-preset', training: 'tiny.yaml', family: 'Mixer' });
  writeFileSync(path, stringify(raw));
  const study = loadStudy(path);
  const store = new ResultStore(join(dir, 'results.db'));
  const modelsDir = join(dir, 'trained');
  try {
    const events: string[] = [];
    const first = await runStudy(study, { store, modelsDir, onCell: (e) => events.push(`${e.model} ${e.suite} ${e.outcome}`) });
    assert.equal(first.trained, 2);
    assert.equal(first.evaluated, 3 * 2);
    assert.equal(first.failed, 1 + 2, 'the broken preset fails its training cell and its two evaluation cells');
    // Training cells come first; each model is then evaluated from its trained file.
    assert.deepEqual(events.slice(0, 3), ['mixer train done', 'mixer-at train done', 'no-such train failed']);

    const state = new StudyState(store);
    const status = studyStatus(study, state, (id) => store.getRun(id)?.status === 'finished');
    const trainRows = status.filter((c) => c.suite === 'train');
    assert.deepEqual(trainRows.map((c) => [c.model, c.status]), [['mixer', 'done'], ['mixer-at', 'done'], ['no-such', 'failed']]);
    assert.match(trainRows[2].reason!, /no-such-preset/);
    assert.ok(status.filter((c) => c.model === 'no-such' && c.suite !== 'train').every((c) => c.status === 'failed' && /^training failed: .*no-such-preset/.test(c.reason!)));
    // The training curves are an ordinary stored run; the evaluations ran on the trained file.
    const trainRun = store.getRun(trainRows[0].runId!)!;
    assert.equal(trainRun.suite, 'train');
    assert.equal(trainRun.modelName, 'mixer');
    const [mixerCell, atCell] = trainingCells(study);
    const trained = trainedModelPath(modelsDir, mixerCell);
    assert.ok(existsSync(trained) && existsSync(trainedModelPath(modelsDir, atCell)));
    const cleanRun = store.getRun(status.find((c) => c.model === 'mixer' && c.suite === 'clean')!.runId!)!;
    assert.equal(cleanRun.modelSha256, state.models(study.name).find((m) => m.name === 'mixer')!.sha256);
    const adversarialOf = (runId: string) => (store.getRun(runId)!.config.techniques as { adversarial: { eps: number } | null }).adversarial;
    assert.equal(adversarialOf(trainRows[0].runId!), null);
    assert.equal(adversarialOf(trainRows[1].runId!)?.eps, 0.03, 'set: reaches the trained recipe');
    const board = buildLeaderboard(study, store);
    assert.ok(board.rows.find((r) => r.name === 'mixer')!.parameters! > 0);

    // A rerun trains and evaluates nothing, even without the model files (every evaluation cell is done).
    rmSync(trained);
    const second = await runStudy(study, { store, modelsDir });
    assert.deepEqual({ trained: second.trained, evaluated: second.evaluated, failed: second.failed }, { trained: 0, evaluated: 0, failed: 3 });
    assert.ok(!existsSync(trained));
  } finally {
    store.close();
  }
});

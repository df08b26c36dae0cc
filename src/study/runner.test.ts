import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { stringify, parse } from 'yaml';
import { loadStudy } from './config.js';
import { runStudy } from './runner.js';
import { studyStatus } from './cells.js';
import { StudyState } from './state.js';
import { buildLeaderboard, modelDetail, robustAccuracyFromRecords, techniqueDeltas } from './leaderboard.js';
import { writeTestStudy, TEST_MODELS } from './testing.js';
import { ResultStore } from '../store/store.js';
import { tempDir } from '../testing/fixtures.js';
import { leaderboardCsv } from './export.js';

test('a study evaluates every cell once, keeps going past a failed cell, and a rerun evaluates nothing', async () => {
  const dir = tempDir();
  const path = await writeTestStudy(dir);
  // One broken model: its cells fail with the loader's one-line reason, the others are evaluated.
  const raw = parse(readFileSync(path, 'utf8'));
  raw.models.push({ name: 'broken', onnx: 'missing.onnx', family: 'CNN', technique: 'baseline' });
  writeFileSync(path, stringify(raw));
  const study = loadStudy(path);
  const store = new ResultStore(join(dir, 'results.db'));
  try {
    const progress: number[] = [];
    const first = await runStudy(study, { store, onProgress: (p) => progress.push(p.done / p.total) });
    const cells = (TEST_MODELS.length + 1) * 4;
    assert.deepEqual({ ...first, storePath: undefined }, { cells, alreadyDone: 0, runningElsewhere: 0, evaluated: TEST_MODELS.length * 4, trained: 0, failed: 4, storePath: undefined });
    assert.ok(progress.every((v, i) => i === 0 || v >= progress[i - 1]), 'study progress never goes back');
    assert.equal(progress.at(-1), 1);

    const state = new StudyState(store);
    const status = studyStatus(study, state, (id) => store.getRun(id)?.status === 'finished');
    assert.equal(status.filter((c) => c.status === 'done').length, TEST_MODELS.length * 4);
    const failed = status.filter((c) => c.status === 'failed');
    assert.equal(failed.length, 4);
    assert.ok(failed.every((c) => c.model === 'broken' && /model file not found/.test(c.reason!) && !c.reason!.includes('\n')));

    // Each done cell is an ordinary stored run with one record per sample and condition.
    for (const c of status.filter((s) => s.status === 'done')) {
      const run = store.getRun(c.runId!)!;
      assert.equal(run.status, 'finished');
      const conditions = Number(run.summary!.conditions);
      assert.equal(store.records(run.id).length, conditions * 9);
    }

    const attemptsBefore = state.cells(study.name).map((c) => [c.cell, c.attempts, c.finishedAt]);
    const second = await runStudy(study, { store });
    assert.equal(second.evaluated, 0);
    assert.equal(second.alreadyDone, TEST_MODELS.length * 4);
    assert.equal(second.failed, 4, 'failed cells are retried and fail again');
    const attemptsAfter = new Map(state.cells(study.name).map((c) => [c.cell, [c.cell, c.attempts, c.finishedAt]]));
    for (const [cell, attempts, finishedAt] of attemptsBefore) {
      const row = state.cell(study.name, String(cell))!;
      if (row.model !== 'broken') assert.deepEqual(attemptsAfter.get(String(cell)), [cell, attempts, finishedAt], 'a done cell is not evaluated again');
    }
  } finally {
    store.close();
  }
});

test('the leaderboard reads every metric from the stored runs', async () => {
  const dir = tempDir();
  const study = loadStudy(await writeTestStudy(dir));
  const store = new ResultStore(join(dir, 'results.db'));
  try {
    await runStudy(study, { store });
    const board = buildLeaderboard(study, store);
    assert.deepEqual(board.rows.map((r) => r.name).sort(), TEST_MODELS.map((m) => m.name).sort());
    const keys = board.columns.map((c) => c.key);
    for (const key of ['clean_top1', 'mCE', 'relative_mCE', 'nsd', 'worst_top1', 'ar/fgsm/linf/4/255', 'wcar/linf/4/255', 'robust_accuracy/linf/4/255']) assert.ok(keys.includes(key), key);
    for (const row of board.rows) {
      const clean = store.metrics(row.runs.clean).find((m) => m.noise === 'clean' && m.name === 'top1')!.value;
      assert.equal(row.metrics.clean_top1, clean);
      const adversarial = store.getRun(row.runs.adversarial)!;
      const summary = adversarial.summary!.suiteMetrics as Record<string, number>;
      // Every summary field flows through, under its suite entry and (for headline fields) its own name.
      for (const [k, v] of Object.entries(summary)) assert.equal(row.metrics[`adversarial/${k}`], v);
      assert.equal(row.metrics['ar/fgsm/linf/4/255'], summary['ar/fgsm/linf/4/255']);
      assert.ok(row.parameters! > 0 && row.macs! >= 0);
      assert.equal(row.cellsDone, 4);
      assert.ok(row.worstSystem && row.worstSystem.includes('+'));
      // Robust accuracy never exceeds clean accuracy or the accuracy under any single attack of its budget.
      const ra = row.metrics['robust_accuracy/linf/4/255']!;
      assert.ok(ra <= row.metrics.clean_top1! + 1e-12 && ra <= row.metrics['ar/fgsm/linf/4/255']! + 1e-12);
    }
    const deltas = techniqueDeltas(board);
    assert.equal(deltas.length, 2);
    for (const d of deltas) {
      const variant = board.rows.find((r) => r.name === d.model)!;
      const base = board.rows.find((r) => r.name === d.baseline)!;
      assert.equal(base.architecture, variant.architecture);
      assert.equal(d.deltas.clean_top1, variant.metrics.clean_top1! - base.metrics.clean_top1!);
    }
    const detail = modelDetail(study, store, board, 'cnn-base')!;
    assert.equal(detail.arCurves.length, 4);
    assert.equal(detail.corruptions.length, 5);
    assert.equal(detail.system.length, 4);
    assert.ok(detail.calibration && detail.calibration.bins.length > 0);
    const csv = leaderboardCsv(board).trim().split('\n');
    assert.equal(csv.length, 1 + TEST_MODELS.length);
    assert.ok(csv[0].startsWith('name,family,technique,architecture,parameters,macs,clean_top1'));

    // The stored study knows its cells without the model files (a shipped results store is read elsewhere).
    for (const m of TEST_MODELS) rmSync(join(dir, `${m.name}.onnx`));
    const stored = new StudyState(store).study(study.name)!;
    assert.ok(buildLeaderboard(stored, store).rows.every((r) => r.cellsDone === 4));
  } finally {
    store.close();
  }
});

test('robust accuracy counts a sample only when it is right clean and under every attack of the budget', () => {
  const rec = (noise: string, sampleId: string, predicted: number) => ({ noise, sampleId, label: 0, status: 'ok' as const, top5: [predicted] });
  const records = [
    rec('clean', 'a', 0), rec('clean', 'b', 0), rec('clean', 'c', 1), rec('clean', 'd', 0),
    rec('pgd/linf/4/255', 'a', 0), rec('pgd/linf/4/255', 'b', 0), rec('pgd/linf/4/255', 'c', 0), rec('pgd/linf/4/255', 'd', 1),
    rec('fgsm/linf/4/255', 'a', 0), rec('fgsm/linf/4/255', 'b', 2), rec('fgsm/linf/4/255', 'c', 0), rec('fgsm/linf/4/255', 'd', 0),
    rec('pgd/l2/0.5', 'a', 0), rec('pgd/l2/0.5', 'b', 0), rec('pgd/l2/0.5', 'c', 0), rec('pgd/l2/0.5', 'd', 0),
  ];
  // a: robust; b: fooled by fgsm; c: wrong clean (not counted even though the attacks "fix" it); d: fooled by pgd.
  assert.deepEqual(robustAccuracyFromRecords(records), { 'robust_accuracy/linf/4/255': 0.25, 'robust_accuracy/l2/0.5': 0.75 });
});

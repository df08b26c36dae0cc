// A study killed mid-way (SIGKILL, no chance to clean up) resumes where it stopped: no cell is evaluated twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadStudy } from './config.js';
import { studyStatus } from './cells.js';
import { StudyState } from './state.js';
import { writeTestStudy } from './testing.js';
import { ResultStore } from '../store/store.js';
import { tempDir } from '../testing/fixtures.js';
import { exited, waitUntil } from '../testing/wait.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

function studyRun(yaml: string, store: string): { child: ChildProcess; stdout: () => string; exit: Promise<{ code: number | null; signal: string | null; stdout: string }> } {
  const child = spawn(process.execPath, [CLI, 'study', 'run', yaml, '--store', store], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.resume();
  return { child, stdout: () => stdout, exit: new Promise((done) => child.on('exit', (code, signal) => done({ code, signal, stdout }))) };
}

test('a study killed with SIGKILL mid-way resumes and computes every cell exactly once', async () => {
  const dir = tempDir();
  const yaml = await writeTestStudy(dir, { suites: [{ suite: 'clean' }, { suite: 'system', options: { decoders: 'sharp,jpegjs', resizers: 'pil-bilinear,cv2-linear' } }, { suite: 'natural', options: { corruptions: 'gaussian_noise,shot_noise', severities: '1-3' } }] });
  const dbPath = join(dir, 'results.db');
  const study = loadStudy(yaml);
  const store = new ResultStore(dbPath);
  const state = new StudyState(store);
  const first = studyRun(yaml, dbPath);
  try {
    // Kill as soon as the first cell is stored, while the others are still to do.
    const runFinished = (id: string) => store.getRun(id)?.status === 'finished';
    let sawRunning = false;
    await waitUntil('a first cell to be done', () => {
      sawRunning ||= studyStatus(study, state, runFinished).some((c) => c.status === 'running');
      return state.cells(study.name).some((c) => c.state === 'done');
    }, { hopeless: exited(first.child, () => first.stdout()) });
    assert.ok(sawRunning, 'status shows the cell the live process is evaluating as running');
    first.child.kill('SIGKILL');
    const killed = await first.exit;
    assert.equal(killed.signal, 'SIGKILL', 'the study was still running when killed');

    const afterKill = studyStatus(study, state, runFinished);
    const doneBefore = state.cells(study.name).filter((c) => c.state === 'done');
    assert.ok(doneBefore.length >= 1 && doneBefore.length < afterKill.length);
    assert.ok(afterKill.every((c) => c.status !== 'running'), 'a killed process leaves no cell running');
    assert.ok(afterKill.every((c) => c.status === 'done' || c.status === 'missing'));

    const second = studyRun(yaml, dbPath);
    const resumed = await second.exit;
    assert.equal(resumed.code, 0, resumed.stdout);
    assert.match(resumed.stdout, new RegExp(`${doneBefore.length} already done`));

    const cells = state.cells(study.name);
    assert.equal(cells.length, afterKill.length);
    for (const before of doneBefore) {
      const now = cells.find((c) => c.cell === before.cell)!;
      assert.equal(now.attempts, 1, 'a cell done before the kill is not evaluated again');
      assert.equal(now.finishedAt, before.finishedAt);
    }
    // Only the cell the kill interrupted was started twice.
    assert.ok(cells.filter((c) => c.attempts === 2).length <= 1);
    assert.ok(cells.every((c) => c.attempts <= 2));
    for (const c of studyStatus(study, state, runFinished)) {
      assert.equal(c.status, 'done');
      const run = store.getRun(c.runId!)!;
      // Every (condition, sample) has exactly one record: none lost to the kill, none doubled by the resume.
      assert.equal(store.records(run.id).length, Number(run.summary!.conditions) * Number(run.summary!.samples));
    }

    const third = await studyRun(yaml, dbPath).exit;
    assert.match(third.stdout, /0 evaluated now/);
  } finally {
    first.child.kill('SIGKILL'); // a no-op unless an assertion failed before the kill
    store.close();
  }
});

// robustart report at the CLI (real processes): a run that records no model file of its own (a transfer run: one
// source, several targets) is drawn with the model of its name when that is the same file, and is otherwise a
// one-line error naming the run and the remedy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../testing/fixtures.js';
import { packagePath } from '../../util/paths.js';

const CLI = fileURLToPath(new URL('../main.js', import.meta.url));
const DATA = packagePath('demo/data/fashion-mnist');

function cli(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 100_000 });
}

test('report draws a transfer run, and names the remedy when its model cannot be found', { timeout: 200_000 }, () => {
  const dir = tempDir('robustart-report-cli-');
  const store = join(dir, 'results.db');
  try {
    const model = join(dir, 'source.onnx');
    copyFileSync(packagePath('demo/model/fashion-cnn.onnx'), model);
    assert.equal(cli('models', 'add', 'my-source', model, '--store', store).status, 0);
    const transfer = cli('transfer', '--sources', 'my-source', '--targets', 'fashion-cnn-at', '--data', DATA, '--eps', '8/255', '--limit', '4', '--store', store, '--json');
    assert.equal(transfer.status, 0, transfer.stderr);
    const runId = (JSON.parse(transfer.stdout) as { runs: Record<string, string> }).runs['my-source'];
    assert.match(runId, /^[0-9a-f]{16}$/);

    const out = join(dir, 'transfer.html');
    const report = cli('report', runId, '--store', store, '--out', out);
    assert.equal(report.status, 0, report.stderr);
    assert.ok(existsSync(out));
    assert.match(readFileSync(out, 'utf8'), /robustart: my-source on /);

    assert.equal(cli('models', 'remove', 'my-source', '--store', store).status, 0);
    const missing = cli('report', runId, '--store', store, '--out', out);
    assert.equal(missing.status, 2, missing.stderr);
    assert.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
    assert.match(missing.stderr, new RegExp(`run ${runId} \\(suite transfer\\) records no model file.*robustart models add my-source`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attackCommand } from './attack.js';
import { runAttack } from '../../noise/adversarial/suite.js';
import { makeTinyTask } from '../../noise/adversarial/testing/dataset.js';
import { RobustartError } from '../../errors.js';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { rmSync } from 'node:fs';
import { tempDir } from '../../testing/fixtures.js';
import { ResultStore } from '../../store/store.js';
import { resolveModel } from '../../model/resolve.js';
import { packagePath } from '../../util/paths.js';

test('runAttack: AR per budget, success rates and masking checks from one call', async () => {
  const { model, test: data } = makeTinyTask();
  const report = await runAttack(model, { attack: 'pgd', norm: 'linf', epsilons: [0.05, 0.1] }, data.images, data.labels, { seed: 1, attackOptions: { steps: 10 } });
  assert.equal(report.runs.length, 2);
  assert.ok(report.cleanAccuracy >= 0.9);
  assert.ok(report.runs[1].summary.robustAccuracy <= report.runs[0].summary.robustAccuracy);
  assert.ok(report.runs[1].summary.robustAccuracy < report.cleanAccuracy);
  assert.deepEqual(report.flags, []);
  const ddn = await runAttack(model, { attack: 'ddn', norm: 'l2', epsilons: [] }, data.images, data.labels, { seed: 1, attackOptions: { steps: 20 } });
  assert.equal(ddn.runs.length, 1);
  assert.ok(ddn.runs[0].summary.medianNorm! > 0 && Number.isFinite(ddn.runs[0].summary.medianNorm!));
});

test('attack command: bad flags fail with one-line errors before any model is loaded', async () => {
  await assert.rejects(attackCommand.run({ attack: 'nope', model: 'm', data: 'd' }, []), /unknown attack 'nope'/);
  await assert.rejects(attackCommand.run({ model: 'm', data: 'd' }, []), /needs --attack NAME or --protocol NAME/);
  await assert.rejects(attackCommand.run({ protocol: 'paper', model: 'm', data: 'd' }, []), /unknown adversarial protocol 'paper'; choose one of robustart-paper, robustbench, quick/);
  await assert.rejects(attackCommand.run({ attack: 'pgd', model: 'm', data: 'd' }, []), /needs --eps/);
  await assert.rejects(attackCommand.run({ attack: 'pgd', norm: 'l3', eps: '1', model: 'm', data: 'd' }, []), RobustartError);
  await assert.rejects(attackCommand.run({ attack: 'pgd', eps: 'x/255', model: 'm', data: 'd' }, []), /epsilon 'x\/255'/);
});

async function captured(run: () => Promise<unknown>): Promise<string> {
  const write = process.stdout.write;
  let out = '';
  // The test runner reports through stdout in binary chunks: keep the command's text, pass the rest through.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (typeof chunk === 'string') { out += chunk; return true; }
    return (write as (c: Uint8Array, ...r: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    await run();
  } finally {
    process.stdout.write = write;
  }
  return out;
}

test('attack command: a registered model name via --store; JSON with AR and robust accuracy; records independent of --batch-size', { timeout: 120_000 }, async () => {
  const dir = tempDir('robustart-attack-cli-');
  const storePath = join(dir, 'results.sqlite');
  const store = new ResultStore(storePath);
  const cnn = resolveModel('fashion-cnn');
  store.putModel({ name: 'my-cnn', path: cnn.path, sha256: cnn.sha256, metadata: {}, parameters: null, macs: null });
  store.close();
  try {
    const flags = { model: 'my-cnn', store: storePath, data: packagePath('demo/data/fashion-mnist'), attack: 'pgd', eps: '2/255,8/255', steps: '3', limit: '9', json: true };
    type Out = { model: string; protocol: string | null; runs: { eps: number; ar: number; robustAccuracy: number }[]; samples: unknown[] };
    const a = JSON.parse(await captured(() => attackCommand.run({ ...flags, 'batch-size': '2' }, []))) as Out;
    const b = JSON.parse(await captured(() => attackCommand.run({ ...flags, 'batch-size': '9' }, []))) as Out;
    assert.equal(a.model, 'my-cnn');
    assert.equal(a.protocol, null);
    assert.deepEqual(a.runs.map((r) => r.eps), [2 / 255, 8 / 255]);
    assert.ok(a.runs.every((r) => typeof r.ar === 'number' && typeof r.robustAccuracy === 'number'));
    assert.deepEqual(b.samples, a.samples);
    const quick = await captured(() => attackCommand.run({ ...flags, attack: undefined, eps: undefined, protocol: 'quick', json: false }, []));
    assert.match(quick, /protocol quick \(QUICK smoke run: not comparable, never ranked\)/);
    assert.match(quick, /pgd linf\s+2\/255/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('attack command: the text output states every setting each attack ran with, defaults included', { timeout: 120_000 }, () => {
  const cli = fileURLToPath(new URL('../main.js', import.meta.url));
  const dir = tempDir('robustart-attack-settings-');
  try {
    const run = spawnSync(process.execPath, [cli, 'attack', '--model', 'fashion-cnn', '--data', packagePath('demo/data/fashion-mnist'), '--attack', 'pgd', '--eps', '4/255',
      '--steps', '2', '--limit', '4'], { cwd: dir, encoding: 'utf8', timeout: 100_000 });
    assert.equal(run.status, 0, run.stderr);
    // The step size was not given: the output must say the default it used, 2.5·ε/steps = 5/255.
    assert.match(run.stdout, /\nsettings:\n {2}pgd linf 4\/255: steps 2, step size 5\/255, random start true, restarts 1,/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

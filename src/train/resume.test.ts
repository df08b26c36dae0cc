// Durability: a `robustart train` child process killed with SIGKILL after a checkpoint, then rerun with the
// same arguments, ends with exactly the weights of an unbroken run at the same seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir, halvesFolder, killChildAfterRename, initializerValues } from '../testing/fixtures.js';
import { loadCheckpoint } from './checkpoint.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

test('a training run killed after a checkpoint resumes to the same final weights as an unbroken run', { timeout: 300_000 }, async () => {
  const dir = tempDir();
  await halvesFolder(join(dir, 'data'), 160);
  const config = {
    name: 'resume-check', seed: 7, epochs: 5, batch_size: 8, threads: 1,
    model: { builder: 'small-cnn', options: { widths: [4], hidden: 0 } },
    data: { train: { kind: 'imagefolder', path: 'data' }, test: { kind: 'imagefolder', path: 'data' }, input_size: [3, 8, 8], crop_pct: 1 },
    transforms: { hflip: 0, random_resized_crop: { scale: [0.5, 1] } },
    optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true, weight_decay: 1e-4 },
    schedule: { base_lr: 0.01, warmup_lr: 0.05, warmup_epochs: 1 },
    techniques: { label_smoothing: 0.1, ema: { decay: 0.9 }, mixup: { mixup_alpha: 0.2, cutmix_alpha: 1.0 } },
  };
  writeFileSync(join(dir, 'exp.json'), JSON.stringify(config));
  const run = (out: string) => [CLI, 'train', '--config', join(dir, 'exp.json'), '--out', join(dir, out), '--store', join(dir, 'results.db')];

  const unbroken = spawnSync(process.execPath, run('unbroken.onnx'), { encoding: 'utf8' });
  assert.equal(unbroken.status, 0, unbroken.stderr);

  const checkpoint = join(dir, 'killed.onnx.ckpt');
  const killed = await killChildAfterRename(run('killed.onnx'), checkpoint);
  assert.equal(killed.signal, 'SIGKILL', `the run was killed, not finished: ${killed.stderr.slice(-2000)}`);
  const saved = loadCheckpoint(checkpoint)!;
  assert.ok(saved.epoch >= 1 && saved.epoch < config.epochs, `killed after epoch ${saved.epoch}`);
  assert.ok(!existsSync(join(dir, 'killed.onnx')));

  const resumed = spawnSync(process.execPath, run('killed.onnx'), { encoding: 'utf8' });
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stdout, /resuming after epoch \d/);
  const record = JSON.parse(readFileSync(join(dir, 'killed.training.json'), 'utf8'));
  assert.equal(record.resumedFrom, saved.epoch);
  assert.equal(record.history.length, config.epochs);
  assert.deepEqual(initializerValues(join(dir, 'killed.onnx')), initializerValues(join(dir, 'unbroken.onnx')));
  assert.ok(record.testAccuracy > 0.9, `test accuracy ${record.testAccuracy}`);
});

// Every command exits by itself when its work is done: each suite, a rerun with nothing left to do, and the error
// paths of the natural suite, each in a child process that must end within a bound. ROBUSTART_DEBUG makes the CLI
// say when its last-resort exit timer had to end a process a handle kept alive, so a leak fails here too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suites } from '../eval/suites/index.js';
import { tempDir, writeImageFolder, writeTinyClassifier } from '../testing/fixtures.js';

const CLI = fileURLToPath(new URL('./main.js', import.meta.url));
const BOUND_MS = 60_000;

const dir = tempDir();
const model = writeTinyClassifier(join(dir, 'm.onnx'), { numClasses: 2, inputSize: 8 });
const data = join(dir, 'data');
const ready = writeImageFolder(data, ['a', 'b'], 1, 12);

function runCli(args: string[]) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: BOUND_MS, env: { ...process.env, ROBUSTART_DEBUG: '1' } });
  return { status: r.status, signal: r.signal, stderr: r.stderr, seconds: (Date.now() - started) / 1000 };
}

function assertExits(args: string[], expected: number): void {
  const r = runCli(args);
  assert.notEqual(r.signal, 'SIGTERM', `still running after ${BOUND_MS / 1000} s: robustart ${args.join(' ')}`);
  assert.doesNotMatch(r.stderr, /handle was still open/, `kept alive by an open handle: robustart ${args.join(' ')}`);
  assert.equal(r.status, expected, `robustart ${args.join(' ')}: ${r.stderr}`);
}

/** The quickest options of each suite; suites that need a dataset of their own end in a clear error, which must exit too. */
const QUICK: Record<string, { args: string[]; status: number }> = {
  clean: { args: [], status: 0 },
  natural: { args: ['--corruptions', 'brightness', '--severities', '1'], status: 0 },
  system: { args: ['--decoders', 'sharp,jpegjs', '--resizers', 'pil-bilinear'], status: 0 },
  adversarial: { args: ['--attacks', 'fgsm:linf', '--steps', '1'], status: 0 },
};

for (const suite of suites) {
  test(`eval --suite ${suite.name} exits when done, and again on a rerun with nothing to do`, async () => {
    await ready;
    const store = join(dir, `${suite.name}.db`);
    const quick = QUICK[suite.name] ?? { args: [], status: 2 };
    const args = ['eval', '--model', model, '--data', data, '--suite', suite.name, '--store', store, '--limit', '2', '--workers', '1', '--json', ...quick.args];
    assertExits(args, quick.status);
    assertExits(args, quick.status);
  });
}

test('eval --suite natural exits after each rejected option and with --imagenet-c', async () => {
  await ready;
  const base = ['eval', '--model', model, '--data', data, '--suite', 'natural', '--store', join(dir, 'errors.db'), '--limit', '2'];
  assertExits([...base, '--corruptions', 'foo'], 2);
  assertExits([...base, '--severities', '9'], 2);
  assertExits([...base, '--severities', '0-2'], 2);
  const tree = join(dir, 'imagenet-c');
  mkdirSync(join(tree, 'brightness', '1'), { recursive: true });
  assertExits([...base, '--imagenet-c', tree], 2);
});

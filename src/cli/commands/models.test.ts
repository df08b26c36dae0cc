import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Graph } from '../../onnx/graph.js';
import { makeNode, makeValueInfo } from '../../onnx/build.js';
import { encodeModel } from '../../onnx/proto.js';
import { SETUP_PROCESS_MIN_BYTES } from '../../onnx/setup-process.js';
import { tempDir } from '../../testing/fixtures.js';
import { waitUntil } from '../../testing/wait.js';
import { alive, childrenOf } from '../../testing/child-processes.js';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const STOP_SETUP_CHILD = new URL('../../testing/stop-setup-child.js', import.meta.url).href;

test('models show counts a large model\'s MACs without a set-up child process (a one-shot command)', async () => {
  const dir = tempDir();
  // 3x32x32 pixels -> 3000 classes through one Gemm: 9.2 M weights, above the set-up threshold.
  const [features, classes] = [3 * 32 * 32, 3000];
  const graph = new Graph({
    nodes: [makeNode('Flatten', ['input'], ['flat'], { axis: 1 }), makeNode('MatMul', ['flat', 'weight'], ['logits'])],
    inputs: [makeValueInfo('input', ['N', 3, 32, 32])],
    outputs: [makeValueInfo('logits', ['N', classes])],
    initializers: new Map([['weight', { dims: [features, classes], dataType: 1, data: new Float32Array(features * classes) }]]),
  });
  assert.ok(features * classes * 4 > SETUP_PROCESS_MIN_BYTES);
  const path = join(dir, 'wide.onnx');
  writeFileSync(path, encodeModel(graph.toModel()));
  // A set-up child would stop itself as it starts (the preload): the command either ends, or has a stopped child.
  const cli = spawn(process.execPath, ['--import', STOP_SETUP_CHILD, MAIN, 'models', 'show', path, '--json', '--store', join(dir, 'r.db')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  cli.stdout!.on('data', (d) => (stdout += d));
  cli.stderr!.on('data', (d) => (stderr += d));
  const closed = once(cli, 'close');
  let stopped: number | undefined;
  try {
    await waitUntil('the command to end or start a set-up child', () => cli.exitCode !== null || (stopped = childrenOf(cli.pid!).find((c) => c.state === 'T')?.pid) !== undefined);
    assert.equal(stopped, undefined, 'no set-up child process was started');
    await closed;
    assert.equal(cli.exitCode, 0, stderr);
    assert.equal(JSON.parse(stdout).macs, features * classes);
  } finally {
    cli.kill('SIGKILL');
    if (stopped !== undefined && alive(stopped)) process.kill(stopped, 'SIGKILL');
  }
});

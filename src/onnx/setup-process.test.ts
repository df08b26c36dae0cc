import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSmallCnn } from '../model/builders/cnn.js';
import { buildViT } from '../model/builders/vit.js';
import { makeNode, makeValueInfo } from './build.js';
import { Graph } from './graph.js';
import { discoverShapes, weightBytes } from './shapes.js';
import { SETUP_PROCESS_MIN_BYTES, graphTransfer, inheritedExecArgv, receiveGraph } from './setup-process.js';
import { DataType, encodeModel } from './proto.js';
import { RobustartError } from '../errors.js';
import { tempDir } from '../testing/fixtures.js';
import { waitUntil } from '../testing/wait.js';
import { alive, childrenOf } from '../testing/child-processes.js';

const CHILD = { setupProcessAboveBytes: -1 }; // every model, even one without weights
const HERE = { setupProcessAboveBytes: Infinity };

test('shapes found in a child process are byte-identical to those found in this process', async () => {
  const models = [
    buildSmallCnn({ inputSize: [3, 12, 12], numClasses: 4, widths: [4, 8], hidden: 8, seed: 3 }),
    // Attention merges the batch with the heads (per-image dims) and leaves shape arithmetic with recorded values.
    buildViT({ inputSize: [3, 16, 16], numClasses: 3, patchSize: 8, dim: 16, depth: 1, heads: 2, seed: 1 }),
  ];
  for (const graph of models) {
    const here = await discoverShapes(graph, HERE);
    const apart = await discoverShapes(graph, CHILD);
    assert.ok([...here.values()].some((s) => s.dims.includes(null)), 'the batch is dynamic');
    assert.equal(JSON.stringify([...apart]), JSON.stringify([...here]));
    assert.deepEqual(apart, here);
  }
  assert.ok([...(await discoverShapes(models[1], HERE)).values()].some((s) => s.perImage || s.value), 'the ViT has per-image dims or recorded values');
});

test('a graph sent to a child arrives whole: structure, weights of every array type in their order, and the extra data', () => {
  const graph = buildSmallCnn({ inputSize: [3, 8, 8], numClasses: 3, widths: [4], hidden: 4, seed: 2 });
  const shared = new ArrayBuffer(64); // a weight that is a view into a larger buffer, at an offset
  graph.initializers.set('steps', { dims: [2], dataType: DataType.INT64, data: new BigInt64Array(shared, 8, 2).fill(-3n) });
  graph.initializers.set('axes', { dims: [3], dataType: DataType.INT32, data: Int32Array.of(0, -1, 2) });
  graph.initializers.set('mask', { dims: [2], dataType: DataType.BOOL, data: Buffer.of(1, 0) }); // a Buffer arrives as a Uint8Array
  graph.initializers.set('scale', { dims: [], dataType: DataType.DOUBLE, data: Float64Array.of(0.1) });
  const chunks = graphTransfer(graph, [['x', { dims: [null, 3], dataType: 1 }]]);
  const weights = [...graph.initializers.values()].map((t) => t.data);
  assert.ok(weights.every((w) => chunks.some((c) => c.buffer === w.buffer)), 'the weights are sent as views of their arrays, not copies');
  const { graph: received, extra } = receiveGraph(Buffer.concat(chunks));
  assert.ok(Buffer.from(encodeModel(received.toModel())).equals(encodeModel(graph.toModel())));
  assert.deepEqual([...received.initializers.values()].map((t) => t.data.constructor.name), weights.map((w) => (w instanceof Buffer ? 'Uint8Array' : w.constructor.name)));
  assert.deepEqual(received.initializers.get('steps')!.data, BigInt64Array.of(-3n, -3n));
  assert.deepEqual(extra, [['x', { dims: [null, 3], dataType: 1 }]]);
});

test('the child-process threshold is 32 MiB of weights and small models stay in this process', () => {
  assert.equal(SETUP_PROCESS_MIN_BYTES, 32 * 2 ** 20);
  const graph = buildSmallCnn({ inputSize: [3, 12, 12], numClasses: 4, widths: [4, 8], hidden: 8, seed: 3 });
  const expected = [...graph.initializers.values()].reduce((n, t) => n + t.data.length * t.data.BYTES_PER_ELEMENT, 0);
  assert.equal(weightBytes(graph), expected);
  assert.ok(weightBytes(graph) < SETUP_PROCESS_MIN_BYTES);
});

test('the child keeps the parent\'s Node flags but not code to evaluate (node -e), the test runner\'s or a debugger\'s', () => {
  assert.deepEqual(inheritedExecArgv(['--max-old-space-size=900', '-e', 'run()', '--enable-source-maps']), ['--max-old-space-size=900', '--enable-source-maps']);
  for (const code of [['-p', 'x'], ['-pe', 'x'], ['--eval', 'x'], ['--print', 'x'], ['--eval=x'], ['--print=x']]) assert.deepEqual(inheritedExecArgv(['--no-warnings', ...code]), ['--no-warnings'], code.join(' '));
  assert.deepEqual(inheritedExecArgv(['--test-reporter=spec', '--inspect=9229', '--import', 'tsx']), ['--import', 'tsx']);
});

test('a child that fails gives a one-line RobustartError naming the model and the cause', async () => {
  const dynamic = new Graph({ nodes: [makeNode('Relu', ['x'], ['y'])], inputs: [makeValueInfo('x', ['N', 3, 'H', 8])], outputs: [makeValueInfo('y', ['N', 3, 'H', 8])] });
  await assert.rejects(discoverShapes(dynamic, CHILD, "model 'tall'"), (err: Error) => {
    assert.ok(err instanceof RobustartError);
    assert.match(err.message, /^shape discovery of model 'tall': model input 'x' has a dynamic dim at axis 2; .*re-export/);
    assert.ok(!err.message.includes('\n'), err.message);
    return true;
  });
  const unknownOp = new Graph({ nodes: [makeNode('NoSuchOp', ['x'], ['y'])], inputs: [makeValueInfo('x', ['N', 4])], outputs: [makeValueInfo('y', ['N', 4])] });
  await assert.rejects(discoverShapes(unknownOp, CHILD, "model 'odd'"), (err: Error) => {
    assert.ok(err instanceof RobustartError);
    assert.match(err.message, /^shape discovery of model 'odd': onnxruntime could not load .*NoSuchOp/);
    assert.ok(!err.message.includes('\n'), err.message);
    return true;
  });
});

/**
 * A process that discovers a small model's shapes in a child process, the child stopped as it starts (the
 * stop-setup-child preload): resolves once the child is stopped, with both processes and the parent's standard error.
 */
async function parentWithStoppedChild(dir: string) {
  const script = join(dir, 'discover.mjs');
  const shapes = new URL('./shapes.js', import.meta.url).href, cnn = new URL('../model/builders/cnn.js', import.meta.url).href;
  writeFileSync(script, [
    `import { discoverShapes } from ${JSON.stringify(shapes)};`,
    `import { buildSmallCnn } from ${JSON.stringify(cnn)};`,
    `const graph = buildSmallCnn({ inputSize: [3, 8, 8], numClasses: 3, widths: [4], hidden: 4, seed: 2 });`,
    `try { await discoverShapes(graph, { setupProcessAboveBytes: -1 }, "model 'small'"); console.error('found'); } catch (err) { console.error(err.message); }`,
  ].join('\n'));
  const hook = new URL('../testing/stop-setup-child.js', import.meta.url).href;
  const parent = spawn(process.execPath, ['--import', hook, script], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  parent.stderr!.on('data', (d) => (stderr += d));
  const closed = once(parent, 'close');
  let child: number | undefined;
  await waitUntil('the set-up child to stop as it starts', () => (child = childrenOf(parent.pid!).find((c) => c.state === 'T')?.pid) !== undefined, {
    hopeless: () => (parent.exitCode !== null ? `its parent exited: ${stderr}` : undefined),
  });
  return { parent, child: child!, closed, stderr: () => stderr };
}

test('a child killed by a signal gives a one-line RobustartError naming the model and the signal', async () => {
  const { parent, child, closed, stderr } = await parentWithStoppedChild(tempDir());
  try {
    process.kill(child, 'SIGKILL');
    await closed;
    assert.equal(parent.exitCode, 0);
    const message = stderr().trim();
    assert.match(message, /^shape discovery of model 'small' stopped: its child process was killed by SIGKILL; if memory ran out/);
    assert.ok(!message.includes('\n'), message);
  } finally {
    parent.kill('SIGKILL');
    if (alive(child)) process.kill(child, 'SIGKILL');
  }
});

test('a killed parent leaves no child process running', async () => {
  const { parent, child, closed } = await parentWithStoppedChild(tempDir());
  try {
    parent.kill('SIGKILL');
    await closed;
    process.kill(child, 'SIGCONT');
    await waitUntil('the orphaned set-up child to exit', () => !alive(child));
  } finally {
    if (alive(child)) process.kill(child, 'SIGKILL');
  }
});

test('a child whose thread is blocked (as in an ORT run) still exits when its parent is killed', async () => {
  const dir = tempDir();
  const setup = new URL('./setup-process.js', import.meta.url).href;
  // The child starts the watch, says so, then blocks its thread for good: only the watch can end it.
  writeFileSync(join(dir, 'child.mjs'), [
    `import { once } from 'node:events';`,
    `import { exitWithParent } from ${JSON.stringify(setup)};`,
    `const watch = exitWithParent(process.ppid);`,
    `watch.ref(); // kept alive until it runs: unref'd, it would not hold the await below`,
    `await once(watch, 'online');`,
    `process.stdout.write(process.pid + '\\n', () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0));`,
  ].join('\n'));
  writeFileSync(join(dir, 'parent.mjs'), `import { spawn } from 'node:child_process'; spawn(process.execPath, [${JSON.stringify(join(dir, 'child.mjs'))}], { stdio: ['ignore', 'inherit', 'inherit'] }); setInterval(() => {}, 1000);`);
  const parent = spawn(process.execPath, [join(dir, 'parent.mjs')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  parent.stdout!.on('data', (d) => (stdout += d));
  parent.stderr!.on('data', (d) => (stderr += d));
  let child = 0;
  try {
    await waitUntil('the child to start watching its parent', () => (child = Number.parseInt(stdout, 10)) > 0, { hopeless: () => (parent.exitCode !== null ? `its parent exited: ${stderr}` : undefined) });
    parent.kill('SIGKILL');
    await waitUntil('the blocked child to exit after its parent', () => !alive(child));
  } finally {
    parent.kill('SIGKILL');
    if (child > 0 && alive(child)) process.kill(child, 'SIGKILL');
  }
});

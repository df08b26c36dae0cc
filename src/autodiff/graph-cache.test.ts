import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildSmallCnn } from '../model/builders/cnn.js';
import { decodeModel, encodeModel } from '../onnx/proto.js';
import { createSession, tensor } from '../onnx/runtime.js';
import { createGradientSession } from './session.js';
import { createDifferentiableClassifier } from './classifier.js';
import { buildGradientGraph, prepareModel } from './gradient.js';
import { GraphCache, graphCacheFor, modelContentHash } from './graph-cache.js';
import { tempDir } from '../testing/fixtures.js';

const graph = () => buildSmallCnn({ inputSize: [3, 12, 12], numClasses: 4, widths: [4, 8], hidden: 8, seed: 11 });
const batch = 2;
const input = Float32Array.from({ length: batch * 3 * 12 * 12 }, (_, i) => (Math.sin(i * 0.7) + 1) / 2);
const labels = Int32Array.of(1, 3);

async function inputGradient(options: { graphCache: string | false; setupProcessAboveBytes?: number }, loss: 'ce' | 'dlr' = 'ce') {
  const session = await createGradientSession(encodeModel(graph().toModel()), { loss }, options);
  const out = await session.run({ input, batch, labels });
  await session.dispose();
  return { loss: out.loss, gradient: out.gradients.get('input')! };
}

test('gradients are bit-identical without the cache, cold (filling it) and warm (read from it)', async () => {
  const dir = tempDir();
  const none = await inputGradient({ graphCache: false });
  assert.equal(readdirSync(dir).length, 0);
  const cold = await inputGradient({ graphCache: dir });
  assert.equal(readdirSync(dir).length, 2, 'shape discovery and the ce backward graph are stored');
  const prepared = await prepareModel(encodeModel(graph().toModel()), { session: { graphCache: dir } });
  const key = { inputName: prepared.inputName, logitsName: prepared.logitsName, loss: 'ce', input: true, parameters: [], extraOutputs: [], executionProvider: 'cpu' };
  assert.equal(new GraphCache(dir).gradientGraph(prepared.modelHash!, key)?.optimized, true, 'on the CPU the graph is stored as ORT optimised it');
  const warm = await inputGradient({ graphCache: dir });
  for (const got of [cold, warm]) {
    assert.deepEqual(got.gradient, none.gradient);
    assert.deepEqual(got.loss, none.loss);
  }
  // The classifier (what attacks use) reads the same entries and gives the same gradient.
  const classifier = await createDifferentiableClassifier(graph(), { graphCache: dir });
  assert.deepEqual((await classifier.lossAndGradient(input, batch, labels, { kind: 'ce' })).gradient, none.gradient);
  await classifier.dispose();
  assert.equal(readdirSync(dir).length, 3, 'and its forward graph');
});

test('set-up steps in child processes give byte-identical shapes and graphs, and bit-identical gradients and logits', async () => {
  const apart = { setupProcessAboveBytes: -1 }, here = { setupProcessAboveBytes: Infinity }; // every model / none
  const none = await inputGradient({ graphCache: false, ...here });
  const saved = process.env.TMPDIR;
  const scratchRoot = tempDir();
  try {
    process.env.TMPDIR = scratchRoot;
    // Folders a killed build left behind: one of a process that has exited (removed), one of a live process (kept).
    const orphan = `robustart-graph-${spawnSync(process.execPath, ['-e', '']).pid}-x`, live = `robustart-graph-${process.ppid}-x`;
    for (const f of [orphan, live]) mkdirSync(join(scratchRoot, f));
    assert.deepEqual(await inputGradient({ graphCache: false, ...apart }), none, 'cache off: shapes found and graph optimised by children');
    // (A process that loads onnxruntime leaves its own empty mat-debug-PID.log there: the children's are not ours.)
    assert.deepEqual(readdirSync(scratchRoot).filter((f) => f.startsWith('robustart-')), [live], 'the temporary graph folder and the orphaned one are removed');
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  const dirs = { apart: tempDir(), here: tempDir() };
  assert.deepEqual(await inputGradient({ graphCache: dirs.apart, ...apart }), none, 'cold: shapes found and graph optimised by children');
  assert.deepEqual(await inputGradient({ graphCache: dirs.here, ...here }), none);
  const logits = async (options: { graphCache: string | false; setupProcessAboveBytes: number }) => {
    const classifier = await createDifferentiableClassifier(graph(), options);
    const out = await classifier.logits(input, batch);
    await classifier.dispose();
    return out;
  };
  assert.deepEqual(await logits({ graphCache: dirs.apart, ...apart }), await logits({ graphCache: false, ...here }));
  // The entries the children wrote are those this process writes: the same shapes, the same optimised graphs.
  const prepared = await prepareModel(encodeModel(graph().toModel()), { session: { graphCache: dirs.here } });
  const hash = prepared.modelHash!;
  const key = { inputName: prepared.inputName, logitsName: prepared.logitsName, loss: 'ce', input: true, parameters: [], extraOutputs: [], executionProvider: 'cpu' };
  await logits({ graphCache: dirs.here, ...here });
  const caches = { apart: new GraphCache(dirs.apart), here: new GraphCache(dirs.here) };
  assert.equal(JSON.stringify([...caches.apart.shapes(hash)!]), JSON.stringify([...caches.here.shapes(hash)!]));
  const computed = (model: Uint8Array) => {
    const g = decodeModel(model).graph!; // ORT numbers the nodes it inserts from a counter: names may differ, what is computed may not
    return { ops: g.node!.map((n) => `${n.domain ?? ''}:${n.opType}:${(n.input ?? []).join(',')}`), initializers: new Map(g.initializer!.map((t) => [t.name!, t])) };
  };
  const stored = (cache: GraphCache) => [cache.gradientGraph(hash, key)!, cache.forwardGraph(hash, { inputName: key.inputName, logitsName: key.logitsName, executionProvider: 'cpu' })!];
  const [fromChildren, fromHere] = [stored(caches.apart), stored(caches.here)];
  for (let i = 0; i < 2; i++) {
    assert.equal(fromChildren[i].optimized, true);
    assert.deepEqual(computed(fromChildren[i].model), computed(fromHere[i].model));
  }
  // A graph built apart is read back from the cache's entry: ORT's optimised graph, fused operators and all.
  const session = await createGradientSession(encodeModel(graph().toModel()), { loss: 'ce' }, { graphCache: dirs.apart, ...apart });
  try {
    const nodes = session.gradientGraph.graph.nodes;
    assert.ok(nodes.some((n) => n.domain === 'com.microsoft'), 'ORT fused some operators');
    assert.equal(nodes.length, decodeModel(fromChildren[0].model).graph!.node!.length);
  } finally {
    await session.dispose();
  }
});

test("without the cache a backward graph built apart is read from the child's file, kept until its session is disposed", async () => {
  const apart = { graphCache: false as const, setupProcessAboveBytes: -1 };
  const saved = process.env.TMPDIR;
  const scratchRoot = tempDir();
  const scratch = () => readdirSync(scratchRoot).filter((f) => f.startsWith('robustart-'));
  try {
    process.env.TMPDIR = scratchRoot;
    const session = await createGradientSession(encodeModel(graph().toModel()), { loss: 'ce' }, apart);
    try {
      assert.equal(scratch().length, 1, 'the folder of the file the graph is read from');
      const nodes = session.gradientGraph.graph.nodes;
      assert.ok(nodes.some((n) => n.domain === 'com.microsoft'), "the graph as ORT optimised it, fused operators and all");
    } finally {
      await session.dispose();
    }
    assert.deepEqual(scratch(), [], 'removed with the session');
    const late = await createGradientSession(encodeModel(graph().toModel()), { loss: 'ce' }, apart);
    await late.dispose();
    assert.throws(() => late.gradientGraph.graph, /removed with its session; read the gradient graph before disposing/);
    // A classifier never reads its backward graph: nothing is kept for it.
    const classifier = await createDifferentiableClassifier(graph(), apart);
    try {
      await classifier.lossAndGradient(input, batch, labels, { kind: 'ce' });
      assert.deepEqual(scratch(), []);
    } finally {
      await classifier.dispose();
    }
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
});

test("a classifier's forward session is cached too, with bit-identical logits", async () => {
  const dir = tempDir();
  const logits = async (graphCache: string | false) => {
    const classifier = await createDifferentiableClassifier(graph(), { graphCache });
    const out = await classifier.logits(input, batch);
    await classifier.dispose();
    return out;
  };
  const none = await logits(false);
  const cold = await logits(dir);
  const prepared = await prepareModel(encodeModel(graph().toModel()), { session: { graphCache: dir } });
  const stored = new GraphCache(dir).forwardGraph(prepared.modelHash!, { inputName: prepared.inputName, logitsName: prepared.logitsName, executionProvider: 'cpu' });
  assert.equal(stored?.optimized, true, 'on the CPU the forward graph is stored as ORT optimised it');
  assert.deepEqual(cold, none);
  assert.deepEqual(await logits(dir), none);
  assert.equal(readdirSync(dir).length, 2, 'shapes and the forward graph; no backward graph until a gradient is asked for');
});

test('without the cache nothing is written, and gradients are those of the built graph in one session', async () => {
  const saved = process.env.TMPDIR;
  const scratchRoot = tempDir();
  try {
    process.env.TMPDIR = scratchRoot;
    const got = await inputGradient({ graphCache: false });
    assert.deepEqual(readdirSync(scratchRoot), [], 'no scratch file is left');
    // The reference: the built graph optimised and run by one session, as ORT does by default.
    const prepared = await prepareModel(encodeModel(graph().toModel()), { session: { graphCache: false } });
    const built = await buildGradientGraph(prepared, { loss: 'ce' });
    const session = await createSession(built.graph, {}, 'gradient graph');
    const out = await session.run({ input: tensor('float32', input, [batch, 3, 12, 12]), labels: tensor('int64', BigInt64Array.from(labels, BigInt), [batch]) });
    await session.release();
    assert.deepEqual(got.gradient, out[built.gradients.get('input')!].data);
    assert.deepEqual(got.loss, out[built.lossName].data);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
});

test('a session that does not pack weights writes the graph a packing one writes (ops, order and initializers)', async () => {
  const dir = tempDir();
  const prepared = await prepareModel(encodeModel(graph().toModel()), { session: { graphCache: false } });
  const built = encodeModel((await buildGradientGraph(prepared, { loss: 'ce' })).graph.toModel());
  const optimised = async (prepack: boolean) => {
    const path = join(dir, `prepack-${prepack}.onnx`);
    await (await createSession(built, {}, 'gradient graph', { saveOptimizedTo: path, prepack })).release();
    const g = decodeModel(readFileSync(path)).graph!;
    // ORT numbers the nodes it inserts from a counter: names may differ, what is computed may not.
    return { ops: g.node!.map((n) => `${n.domain ?? ''}:${n.opType}:${(n.input ?? []).join(',')}`), initializers: new Map(g.initializer!.map((t) => [t.name!, t])) };
  };
  const packed = await optimised(true);
  const unpacked = await optimised(false);
  assert.ok(packed.ops.some((op) => op.startsWith('com.microsoft.nchwc:')), 'the graph has NCHWc kernels, whose weights are packed');
  assert.deepEqual(unpacked.ops, packed.ops);
  assert.deepEqual(unpacked.initializers, packed.initializers);
});

test('a warm build reads the stored backward graph and shapes instead of building them', async () => {
  const dir = tempDir();
  const bytes = encodeModel(graph().toModel());
  const prepared = await prepareModel(bytes, { session: { graphCache: dir } });
  assert.equal(prepared.modelHash, modelContentHash(bytes));
  // Store the dlr graph under the ce key: a session that reads the cache then computes dlr's loss.
  const dlr = await buildGradientGraph(prepared, { loss: 'dlr' });
  const key = { inputName: prepared.inputName, logitsName: prepared.logitsName, loss: 'ce', input: true, parameters: [], extraOutputs: [], executionProvider: 'cpu' };
  new GraphCache(dir).putGradientGraph(prepared.modelHash!, key, { names: { inputName: dlr.inputName, logitsName: dlr.logitsName, lossName: dlr.lossName, gradients: [...dlr.gradients] }, model: encodeModel(dlr.graph.toModel()), optimized: false });
  const session = await createGradientSession(bytes, { loss: 'ce' }, { graphCache: dir });
  const out = await session.run({ input, batch, labels });
  const expected = await inputGradient({ graphCache: false }, 'dlr');
  assert.deepEqual(out.loss, expected.loss);
  assert.notDeepEqual(out.loss, (await inputGradient({ graphCache: false })).loss, 'dlr and ce losses differ');
  assert.equal(session.gradientGraph.graph.nodes.length, dlr.graph.nodes.length, 'the graph is decoded from the stored model');
  await session.dispose();
  // Stored shapes are what discovery finds.
  assert.deepEqual(new GraphCache(dir).shapes(prepared.modelHash!), (await prepareModel(bytes, { session: { graphCache: false } })).shapes);
});

test('a corrupt backward-graph entry is rebuilt, not trusted', async () => {
  const dir = tempDir();
  const clean = await inputGradient({ graphCache: false });
  await inputGradient({ graphCache: dir });
  const largest = readdirSync(dir).sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size)[0];
  writeFileSync(join(dir, largest), 'garbage');
  assert.deepEqual((await inputGradient({ graphCache: dir })).gradient, clean.gradient);
  assert.ok(statSync(join(dir, largest)).size > 1000, 'the entry is written again');
});

test('a cache directory that cannot be made leaves sessions working, uncached', async () => {
  const file = join(tempDir(), 'a-file');
  writeFileSync(file, 'x');
  assert.deepEqual((await inputGradient({ graphCache: join(file, 'cache') })).gradient, (await inputGradient({ graphCache: false })).gradient);
});

test('the cache directory comes from the option, else ROBUSTART_GRAPH_CACHE (off: none), else the user cache', () => {
  const saved = { env: process.env.ROBUSTART_GRAPH_CACHE, xdg: process.env.XDG_CACHE_HOME };
  try {
    process.env.XDG_CACHE_HOME = '/xdg';
    delete process.env.ROBUSTART_GRAPH_CACHE;
    assert.equal(graphCacheFor()?.dir, '/xdg/robustart/graphs');
    process.env.ROBUSTART_GRAPH_CACHE = '/elsewhere';
    assert.equal(graphCacheFor()?.dir, '/elsewhere');
    assert.equal(graphCacheFor({ graphCache: '/given' })?.dir, '/given');
    process.env.ROBUSTART_GRAPH_CACHE = 'off';
    assert.equal(graphCacheFor(), undefined);
    assert.equal(graphCacheFor({ graphCache: false }), undefined);
  } finally {
    for (const [name, value] of [['ROBUSTART_GRAPH_CACHE', saved.env], ['XDG_CACHE_HOME', saved.xdg]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});

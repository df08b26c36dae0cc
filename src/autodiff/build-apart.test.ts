import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSmallCnn } from '../model/builders/cnn.js';
import { buildViT } from '../model/builders/vit.js';
import { decodeModel, encodeModel } from '../onnx/proto.js';
import { optimizeToFile } from '../onnx/runtime.js';
import { buildGradientGraph, prepareModel } from './gradient.js';
import { buildInChildProcess, forwardGraphOf, gradientGraphNames } from './build-apart.js';
import { tempDir } from '../testing/fixtures.js';

const models = () => [
  buildSmallCnn({ inputSize: [3, 12, 12], numClasses: 4, widths: [4, 8], hidden: 8, seed: 3 }),
  // Attention: shapes with per-image dims and recorded values, which the backward rules read.
  buildViT({ inputSize: [3, 16, 16], numClasses: 3, patchSize: 8, dim: 16, depth: 1, heads: 2, seed: 1 }),
];
// The forward graph and a backward graph of each kind of model (a child per graph: about 1 s of CPU each).

/**
 * An optimised graph's bytes without the names of its nodes: the nodes ORT inserts (layout reorders) are named in an
 * order that varies from one optimisation to the next, in one process or two; nothing else does.
 */
function unnamed(bytes: Uint8Array): Uint8Array {
  const model = decodeModel(bytes);
  for (const node of model.graph!.node!) node.name = '';
  return encodeModel(model);
}

test("graphs built and optimised by a child process are byte-identical to those built and optimised in this process (but for ORT's node names)", async () => {
  const dir = tempDir();
  const plan = { memoryPattern: false };
  const [cnn, vit] = await Promise.all(models().map((graph) => prepareModel(graph, { session: { graphCache: false } })));
  for (const [m, prepared, loss] of [[0, cnn, undefined], [0, cnn, 'ce'], [1, vit, 'cw']] as const) {
    const label = `model ${m}, ${loss ?? 'forward'}`;
    const here = loss ? await buildGradientGraph(prepared, { loss, executionProvider: 'cpu' }) : undefined;
    const bytes = encodeModel((here ? here.graph : forwardGraphOf(prepared)).toModel());
    const [builtHere, optimizedHere, built, optimized] = ['a.onnx', 'a-opt.onnx', 'b.onnx', 'b-opt.onnx'].map((f) => join(dir, `${m}-${loss}-${f}`));
    const made = await buildInChildProcess(prepared, loss ? { loss, executionProvider: 'cpu' } : undefined, built, optimized, {}, plan, 'graph');
    assert.deepEqual(made, { names: here ? gradientGraphNames(here) : null, written: true, optimized: true }, label);
    assert.ok(Buffer.from(bytes).equals(readFileSync(built)), `${label}: the built graph`);
    writeFileSync(builtHere, bytes);
    await optimizeToFile(builtHere, optimizedHere, {}, plan, 'graph');
    assert.ok(Buffer.from(unnamed(readFileSync(optimizedHere))).equals(unnamed(readFileSync(optimized))), `${label}: the optimised graph`);
  }
});

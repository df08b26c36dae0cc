#!/usr/bin/env node
// Runs the natural-noise suite (ImageNet-C corruptions x severities on the fly) on a model and dataset and prints
// the mCE-style table. Usage (after `npm run build`):
//   node tools/natural-noise-table.mjs [--model fashion-cnn] [--data demo/data/fashion-mnist] [--limit 200]
//        [--store PATH] [--corruptions all] [--severities 1-5] [--imagenet-c DIR]
// It calls evaluate() with the suite object directly, so it works before the suite is registered for `eval`.
import { parseArgs } from 'node:util';
import { loadDataset, limitSamples } from '../dist/data/dataset.js';
import { OnnxClassifier } from '../dist/model/classifier.js';
import { resolveModel, defaultBatchSize } from '../dist/model/resolve.js';
import { ResultStore } from '../dist/store/store.js';
import { evaluate } from '../dist/eval/evaluate.js';
import { naturalSuite } from '../dist/eval/suites/natural.js';
import { packagePath } from '../dist/util/paths.js';
import { CORRUPTIONS } from '../dist/noise/natural/registry.js';

const { values } = parseArgs({ options: { model: { type: 'string' }, data: { type: 'string' }, limit: { type: 'string' }, store: { type: 'string' }, corruptions: { type: 'string' }, severities: { type: 'string' }, seed: { type: 'string' }, 'imagenet-c': { type: 'string' } } });
const store = new ResultStore(values.store ?? '.robustart/results.db');
const model = resolveModel(values.model ?? 'fashion-cnn', store);
const dataset = loadDataset(values.data ?? packagePath('demo/data/fashion-mnist'), model.metadata.labels);
const seed = Number(values.seed ?? 0);
const limit = values.limit ? Number(values.limit) : 200;
const samples = limitSamples(dataset, limit, seed);
const classifier = await OnnxClassifier.create(model, {});
const suiteOptions = { corruptions: values.corruptions ?? (values['imagenet-c'] ? 'main' : 'all'), severities: values.severities ?? '1-5', ...(values['imagenet-c'] ? { 'imagenet-c': values['imagenet-c'] } : {}) };
const start = performance.now();
const result = await evaluate({ model, classifier, dataset, samples, store, suite: naturalSuite, seed, batchSize: defaultBatchSize(model.metadata.input_size), config: { limit }, suiteOptions });
await classifier.dispose();
store.close();
const seconds = (performance.now() - start) / 1000;
const m = result.suiteMetrics;
const pct = (v) => (v === null || v === undefined || Number.isNaN(v) ? '   -  ' : `${(100 * v).toFixed(1).padStart(5)}%`);
process.stdout.write(`model ${model.name}, ${samples.length} samples of ${values.data ?? 'demo/data/fashion-mnist'}, input ${model.metadata.input_size.join('x')}, seed ${seed}, ${seconds.toFixed(1)} s\n`);
process.stdout.write(`clean error ${pct(m.clean_error)}   mCE ${pct(m.mCE)}   relative mCE ${pct(m.relative_mCE)}\n\n`);
process.stdout.write(`| corruption | err s1 | err s2 | err s3 | err s4 | err s5 | mean err | CE | rel. CE |\n|---|---|---|---|---|---|---|---|---|\n`);
for (const c of CORRUPTIONS) {
  const errs = [1, 2, 3, 4, 5].map((s) => result.perCondition.get(`${c.name}/${s}`)).map((x) => (x ? 1 - x.top1 : null));
  if (errs.every((e) => e === null)) continue;
  process.stdout.write(`| ${c.name}${c.extra ? ' (extra)' : ''} | ${errs.map(pct).join(' | ')} | ${pct(m[`mean_error/${c.name}`])} | ${pct(m[`CE/${c.name}`])} | ${pct(m[`relative_CE/${c.name}`])} |\n`);
}

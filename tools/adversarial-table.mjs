#!/usr/bin/env node
// Robust accuracy of every attack at three budgets per norm on a model and dataset (default: the bundled
// Fashion-MNIST CNN and demo data), as a markdown table. Run after `npm run build`:
//   node tools/adversarial-table.mjs [--limit 100] [--seed 0] [--only pgd,fgsm] [--norms linf,l2,l1] [--json out.json]
// Settings are the spec's defaults (shared/spec/adversarial.md); every run's settings go to the JSON.
import { writeFileSync } from 'node:fs';
import { resolveModel } from '../dist/model/resolve.js';
import { loadDataset, limitSamples } from '../dist/data/dataset.js';
import { createDifferentiableClassifier } from '../dist/autodiff/classifier.js';
import { loadImages } from '../dist/data/batch.js';
import { runAttack } from '../dist/noise/adversarial/suite.js';
import { formatEpsilon } from '../dist/noise/adversarial/masking.js';
import { worstCaseRobustness } from '../dist/metrics/adversarial.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const limit = Number(arg('limit', 100));
const seed = Number(arg('seed', 0));
const only = arg('only', '')?.split(',').filter(Boolean);
const norms = arg('norms', 'linf,l2,l1').split(',');
const budgets = { linf: [1 / 255, 2 / 255, 4 / 255], l2: [0.25, 0.5, 1.0], l1: [2, 4, 8] };
const plan = [
  ['fgsm', 'linf'], ['bim', 'linf'], ['pgd', 'linf'], ['mim', 'linf'], ['apgd-ce', 'linf'], ['apgd-dlr', 'linf'], ['apgd-t', 'linf'],
  ['fab-t', 'linf'], ['fab', 'linf'], ['deepfool', 'linf'], ['square', 'linf'], ['spsa', 'linf'], ['autoattack', 'linf'],
  ['pgd', 'l2'], ['mim', 'l2'], ['cw', 'l2'], ['ddn', 'l2'], ['deepfool', 'l2'], ['fab', 'l2'], ['apgd-ce', 'l2'], ['square', 'l2'], ['hsj', 'l2'], ['autoattack', 'l2'],
  ['pgd', 'l1'], ['fab', 'l1'],
].filter(([a, n]) => (!only?.length || only.includes(a)) && norms.includes(n));

const model = resolveModel(arg('model', 'fashion-cnn'));
const dataset = loadDataset(arg('data', 'demo/data/fashion-mnist'));
const samples = limitSamples(dataset, limit, seed);
const labels = Int32Array.from(samples, (s) => s.label);
const images = await loadImages(samples, model);
const classifier = await createDifferentiableClassifier(model.pixelModelBytes, { intraOpThreads: Number(arg('threads', 1)) });
const rows = [];
const results = [];
const robustByBudget = new Map();
let clean, cleanCorrect;
for (const [attack, norm] of plan) {
  const started = Date.now();
  const report = await runAttack(classifier, { attack, norm, epsilons: budgets[norm] }, images, labels, { seed, sampleIds: samples.map((s) => s.id) });
  const seconds = (Date.now() - started) / 1000;
  clean = report.cleanAccuracy;
  cleanCorrect = report.cleanCorrect;
  const cells = report.runs.map((r) => `${(100 * r.summary.robustAccuracy).toFixed(1)}`);
  const first = report.runs[0].summary;
  const extra = first.medianNorm !== undefined ? `median ‖δ‖ ${Number.isFinite(first.medianNorm) ? first.medianNorm.toPrecision(3) : '∞'}`
    : first.queriesPerSuccess !== undefined ? `queries/success ${report.runs.map((r) => Number.isFinite(r.summary.queriesPerSuccess) ? r.summary.queriesPerSuccess.toFixed(0) : '-').join(' / ')}` : '';
  rows.push(`| ${attack} | ${norm} | ${cells.join(' | ')} | ${seconds.toFixed(0)} | ${extra} | ${report.flags.map((f) => f.check).join(', ')} |`);
  report.runs.forEach((r) => {
    const key = `${norm}/${formatEpsilon(r.eps, norm)}`;
    robustByBudget.set(key, [...(robustByBudget.get(key) ?? []), r.robust]);
  });
  results.push({ attack, norm, seconds, flags: report.flags, runs: report.runs.map((r) => ({ eps: r.eps, settings: r.settings, ...r.summary })) });
  process.stderr.write(`${attack}/${norm}: ${cells.join(' ')} (${seconds.toFixed(0)} s)\n`);
}
await classifier.release();
const header = (norm) => budgets[norm].map((e) => `ε=${formatEpsilon(e, norm)}`);
let out = `${model.name}, ${samples.length} samples (seed ${seed}), clean accuracy ${(100 * clean).toFixed(1)}%\n\n`;
out += `robust accuracy (%) at the three budgets of each norm — L∞: ${header('linf').join(', ')}; L2: ${header('l2').join(', ')}; L1: ${header('l1').join(', ')}\n\n`;
out += '| attack | norm | ε₁ | ε₂ | ε₃ | seconds | notes (at ε₁ for norms/queries) | masking flags |\n|---|---|---|---|---|---|---|---|\n';
out += `${rows.join('\n')}\n\nworst-case robust accuracy (every attack above at that budget): ${[...robustByBudget].map(([k, v]) => `${k} ${(100 * worstCaseRobustness(v, cleanCorrect).robustAccuracy).toFixed(1)}%`).join(', ')}\n`;
process.stdout.write(out);
const json = arg('json', undefined);
if (json) writeFileSync(json, JSON.stringify({ model: model.name, sha256: model.sha256, samples: samples.length, seed, cleanAccuracy: clean, results }, null, 1));

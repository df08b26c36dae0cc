#!/usr/bin/env node
// Writes docs/zoo-parity.md: for every full-size preset, parameters and MACs from the zoo's builders
// against the reference counts (fixtures/zoo/reference-counts.json, tools/zoo-reference.py), and for
// every family the forward error of the reduced reference model (fixtures/zoo/parity). Run after
// `npm run build`: node tools/zoo-parity-table.mjs
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { presetEntries, summarizePreset, loadWeights } from '../dist/model/zoo/index.js';
import { readParityFixture, fixtureGraph, logitsOf, relativeError, ZOO_PARITY_FIXTURES } from '../dist/testing/zoo-fixtures.js';

const reference = JSON.parse(readFileSync(new URL('../fixtures/zoo/reference-counts.json', import.meta.url), 'utf8'));
const forward = new Map();
for (const family of readdirSync(ZOO_PARITY_FIXTURES).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''))) {
  const f = readParityFixture(family);
  forward.set(family, relativeError(await logitsOf(loadWeights(fixtureGraph(f), f.weights), f.input), f.logits.data));
}
const lines = [
  '# Model zoo: parity with the reference implementations',
  '',
  'Made by `node tools/zoo-parity-table.mjs` (after `npm run build`). Reference parameters and MACs come from',
  '`tools/zoo-reference.py` (torchvision 0.14; DeiT as torchvision\'s VisionTransformer at DeiT\'s dims; Mixer and',
  'RepVGG from module definitions following timm and the official RepVGG code; RegNetX-6.4GF from pycls\' design',
  'parameters). MACs: convolutions, linear layers and attention products, one per multiply-add (fvcore\'s',
  'convention for weighted ops). Forward error: max |robustart − reference| / max |reference| over the logits of a',
  'reduced-width model of the family (fixtures/zoo/parity), weights loaded by state-dict name.',
  '',
  '| preset | family | reference | params (robustart) | params (reference) | MACs (robustart) | MACs (reference) | forward error (family) |',
  '|---|---|---|---:|---:|---:|---:|---:|',
];
for (const e of presetEntries().filter((x) => !x.preset.small)) {
  const s = summarizePreset(e.name);
  const r = reference[e.name];
  lines.push(`| ${e.name} | ${e.family} | ${e.preset.reference ?? ''} | ${s.parameters.toLocaleString('en')} | ${r ? r.params.toLocaleString('en') : '—'} | ${(s.macs / 1e9).toFixed(3)} G | ${r ? `${(r.macs / 1e9).toFixed(3)} G` : '—'} | ${forward.get(e.architecture)?.toExponential(1) ?? '—'} |`);
}
lines.push('', '## Small presets (3×32×32, 10 classes)', '', '| preset | architecture | params | MACs |', '|---|---|---:|---:|');
for (const e of presetEntries().filter((x) => x.preset.small)) {
  const s = summarizePreset(e.name);
  lines.push(`| ${e.name} | ${e.architecture} | ${s.parameters.toLocaleString('en')} | ${(s.macs / 1e6).toFixed(2)} M |`);
}
writeFileSync(new URL('../docs/zoo-parity.md', import.meta.url), `${lines.join('\n')}\n`);
console.log('wrote docs/zoo-parity.md');

// Every registered VJP rule has a finite-difference case: the op type appears as a node in one of
// this folder's rule tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { providerVariants, supportedOps } from '../registry.js';
import '../backward.js';

test('every registered VJP rule has a finite-difference test', () => {
  const dir = dirname(fileURLToPath(import.meta.url));
  const sources = readdirSync(dir)
    .filter((f) => f.endsWith('.test.js') && !f.startsWith('coverage'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
  const tested = new Set([...sources.matchAll(/makeNode\((?:'|")([A-Za-z]+)(?:'|")|makeNode\((op)\b/g)].map((m) => m[1]).filter(Boolean));
  // Ops tested through a loop variable (for (const op of [...]) makeNode(op, ...)).
  for (const m of sources.matchAll(/for \(const op of \[([^\]]+)\]\)/g)) for (const name of m[1].matchAll(/'([A-Za-z]+)'/g)) tested.add(name[1]);
  for (const m of sources.matchAll(/(?:unary|pool|reduce|one|binary)\('([A-Za-z]+)'/g)) tested.add(m[1]);
  for (const m of sources.matchAll(/pick\(\[([^\]]+)\]\)/g)) for (const name of m[1].matchAll(/'([A-Z][A-Za-z]+)'/g)) tested.add(name[1]);
  const missing = supportedOps().filter((op) => !tested.has(op));
  assert.deepEqual(missing, [], `VJP rules without a finite-difference test: ${missing.join(', ')}`);
});

test('every execution-provider-specific VJP rule has a finite-difference test (run on CPU with executionProvider set)', () => {
  const dir = dirname(fileURLToPath(import.meta.url));
  const sources = readdirSync(dir)
    .filter((f) => f.endsWith('.test.js') && !f.startsWith('coverage'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
  const variants = providerVariants();
  assert.ok(variants.some((v) => v.opType === 'MaxPool' && v.executionProvider === 'webgpu'), 'MaxPool has a WebGPU rule');
  const missing = variants.filter(({ opType, executionProvider }) => {
    // A helper that sets `executionProvider: '<ep>'` on a gradient case, used by an assertGradient call on the op.
    const helper = [...sources.matchAll(new RegExp(`const (\\w+) = [^\\n]*'${opType}'[^\\n]*executionProvider: '${executionProvider}'`, 'g'))].map((m) => m[1]);
    const direct = new RegExp(`assertGradient\\(\\{[^\\n]*makeNode\\('${opType}'[^\\n]*executionProvider: '${executionProvider}'`).test(sources);
    return !direct && !helper.some((h) => new RegExp(`assertGradient\\(${h}\\(`).test(sources));
  });
  assert.deepEqual(missing, [], `provider-specific VJP rules without a finite-difference test: ${missing.map((v) => `${v.opType} on ${v.executionProvider}`).join(', ')}`);
});

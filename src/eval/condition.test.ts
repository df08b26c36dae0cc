import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLEAN, type ConditionMeta } from './condition.js';
import { corruptionSummary, naturalConditions } from './suites/natural.js';
import { systemConditions } from './suites/system.js';
import { imagenetASuite } from './suites/imagenet-variants.js';
import type { SuiteContext } from './suite.js';

test('conditions carry what they are as structured metadata, matching their names', async () => {
  assert.deepEqual(CLEAN.meta, { kind: 'clean' });
  const natural = naturalConditions({ corruptions: 'fog,contrast', severities: '2,5', 'imagenet-p': true, perturbations: 'gaussian_noise' }, 0);
  const corruptions = natural.filter((c) => c.meta?.kind === 'corruption');
  assert.deepEqual(corruptions.map((c) => c.meta), [
    { kind: 'corruption', corruption: 'fog', severity: 2 },
    { kind: 'corruption', corruption: 'fog', severity: 5 },
    { kind: 'corruption', corruption: 'contrast', severity: 2 },
    { kind: 'corruption', corruption: 'contrast', severity: 5 },
  ]);
  assert.deepEqual(corruptions.map((c) => c.name), ['fog/2', 'fog/5', 'contrast/2', 'contrast/5']);
  const frames = natural.filter((c) => c.meta?.kind === 'perturbation');
  assert.ok(frames.length > 1);
  assert.ok(frames.every((c) => c.meta?.kind === 'perturbation' && c.meta.perturbation === 'gaussian_noise'));
  assert.equal(natural.length, 1 + corruptions.length + frames.length, 'every natural condition has its meta');

  const system = systemConditions({ decoders: 'sharp,jpegjs', resizers: 'pil-bilinear' });
  assert.deepEqual(system.map((c) => c.meta), [
    { kind: 'system', decoder: 'sharp', resizer: 'pil-bilinear' },
    { kind: 'system', decoder: 'jpegjs', resizer: 'pil-bilinear' },
  ]);

  const context = { model: { name: 'm', metadata: { num_classes: 1000 } }, options: {} } as unknown as SuiteContext;
  const [subset] = await imagenetASuite.conditions(context);
  assert.deepEqual(subset.meta, { kind: 'subset', subset: 'imagenet-a' });
});

test('the natural summary reads corruption and severity from the conditions\' meta, not their names', () => {
  const top1 = new Map([['clean', 0.9], ['haze, strong', 0.5], ['haze, mild', 0.7]]);
  const meta = new Map<string, ConditionMeta>([
    ['clean', { kind: 'clean' }],
    ['haze, strong', { kind: 'corruption', corruption: 'fog', severity: 5 }],
    ['haze, mild', { kind: 'corruption', corruption: 'fog', severity: 1 }],
  ]);
  const summary = corruptionSummary(top1, meta);
  assert.ok(Math.abs(summary['mean_error/fog']! - 0.4) < 1e-12, JSON.stringify(summary));
  assert.equal(corruptionSummary(top1)['mean_error/fog'], undefined, 'names alone say nothing here');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionMetasOf, robustAccuracyFromRecords } from './leaderboard.js';
import { conditionName } from '../noise/adversarial/conditions.js';
import type { ConditionMeta } from '../eval/condition.js';
import type { RunEntry } from '../store/store.js';

const run = (summary: Record<string, unknown> | null) => ({ summary }) as RunEntry;

test("a run's stored condition metas are read as stored; a run stored before them gets the built-in suites' names read back", () => {
  const metas: Record<string, ConditionMeta> = {
    clean: { kind: 'clean' },
    [conditionName('pgd', 'linf', 4 / 255)]: { kind: 'adversarial', attack: 'pgd', norm: 'linf', eps: 4 / 255 },
    [conditionName('ddn', 'l2', null)]: { kind: 'adversarial', attack: 'ddn', norm: 'l2', eps: null },
    'fog/3': { kind: 'corruption', corruption: 'fog', severity: 3 },
    'pil+pil-bilinear': { kind: 'system', decoder: 'pil', resizer: 'pil-bilinear' },
  };
  const custom = { 'my attack at 0.03': { kind: 'adversarial', attack: 'mine', norm: 'linf', eps: 0.03 } } as const;
  assert.deepEqual(conditionMetasOf(run({ conditionMeta: custom }), ['my attack at 0.03']), custom);
  assert.deepEqual(conditionMetasOf(run({ conditions: 5 }), Object.keys(metas)), metas);
  assert.deepEqual(conditionMetasOf(run(null), ['an outside condition']), {});
});

test('robust accuracy groups conditions by the budget their metas give, whatever their names', () => {
  const rec = (noise: string, sampleId: string, predicted: number) => ({ noise, sampleId, label: 0, status: 'ok' as const, top5: [predicted] });
  const records = [rec('clean', 'a', 0), rec('clean', 'b', 0), rec('first', 'a', 0), rec('first', 'b', 1), rec('second', 'a', 0), rec('second', 'b', 0)];
  const metas: Record<string, ConditionMeta> = {
    clean: { kind: 'clean' },
    first: { kind: 'adversarial', attack: 'a1', norm: 'linf', eps: 8 / 255 },
    second: { kind: 'adversarial', attack: 'a2', norm: 'l2', eps: 0.5 },
  };
  assert.deepEqual(robustAccuracyFromRecords(records, metas), { 'robust_accuracy/linf/8/255': 0.5, 'robust_accuracy/l2/0.5': 1 });
  assert.deepEqual(robustAccuracyFromRecords(records), {}, 'names that are no built-in condition give no budget');
});

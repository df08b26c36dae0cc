import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSubnets, flattenChoices, paretoFront, type NasSubnetRow } from './analysis.js';
import type { Column } from '../study/leaderboard.js';

test('architecture choices flatten to one column per dimension and stage', () => {
  assert.deepEqual(flattenChoices({ depth: [1, 3, 2], kernel: 5, width: [16, 32] }), { 'depth[0]': 1, 'depth[1]': 3, 'depth[2]': 2, kernel: 5, 'width[0]': 16, 'width[1]': 32 });
  assert.deepEqual(flattenChoices({}), {});
});

test('Pareto front: cheapest first, dominated and missing points left out, ties kept', () => {
  const points = [
    { id: 'a', cost: 10, value: 0.5 },
    { id: 'b', cost: 20, value: 0.4 }, // dominated by a (costs more, worse)
    { id: 'c', cost: 20, value: 0.7 },
    { id: 'd', cost: 20, value: 0.7 }, // equal to c: neither dominates the other
    { id: 'e', cost: 30, value: 0.7 }, // dominated by c (costs more, no better)
    { id: 'f', cost: 40, value: 0.9 },
    { id: 'g', cost: 5, value: null },
    { id: 'h', cost: null, value: 1 },
    { id: 'i', cost: 10, value: 0.3 }, // same cost as a, worse
  ];
  assert.deepEqual(paretoFront(points, 'higher'), ['a', 'c', 'd', 'f']);
  // Lower is better (mCE, NSD): the cheapest point starts the front, then only strict improvements.
  assert.deepEqual(paretoFront(points, 'lower'), ['i']);
  assert.deepEqual(paretoFront([{ id: 'x', cost: 1, value: 0.2 }, { id: 'y', cost: 2, value: 0.1 }, { id: 'z', cost: 3, value: 0.3 }], 'lower'), ['x', 'y']);
  assert.deepEqual(paretoFront([], 'higher'), []);
});

const columns: Column[] = [
  { key: 'clean_top1', label: 'clean top-1', unit: 'fraction', better: 'higher', group: 'clean' },
  { key: 'nsd', label: 'NSD', unit: 'fraction', better: 'lower', group: 'system' },
];

function subnet(id: number, depth: number[], kernel: number, params: number, macs: number, clean: number | null, nsd: number | null): NasSubnetRow {
  return { name: `s/${id}`, subnetId: String(id), choices: { depth, kernel }, params, macs, metrics: { clean_top1: clean, nsd }, runs: {} };
}

test('the analysis correlates every dimension, params and MACs with every metric, and draws the fronts', () => {
  // depth[0] is x = [1, 2, 3, 4, 5] and clean top-1 is y = [5, 6, 7, 8, 7] / 10 over subnets 1…5: the hand-computed
  // case of rank-correlation.test.ts (rho = 8/√95, tau-b = 7/√90). Subnet 10 sorts after 9 (natural order).
  const subnets = [
    subnet(10, [5, 1], 3, 500, 5000, 0.7, 0.05),
    subnet(2, [2, 1], 3, 200, 2000, 0.6, 0.2),
    subnet(1, [1, 1], 3, 100, 1000, 0.5, 0.1),
    subnet(3, [3, 1], 3, 300, 3000, 0.7, null),
    subnet(4, [4, 1], 3, 400, 4000, 0.8, 0.3),
  ];
  const a = analyzeSubnets('s', ['h1'], subnets, columns);
  assert.deepEqual(a.subnets.map((r) => r.subnetId), ['1', '2', '3', '4', '10']);
  assert.deepEqual(a.dimensions, ['depth[0]', 'depth[1]', 'kernel']);
  assert.deepEqual(a.subnets[0].architecture, { 'depth[0]': 1, 'depth[1]': 1, kernel: 3 });
  assert.equal(a.correlations.length, (3 + 2) * 2);
  const get = (dimension: string, metric: string) => a.correlations.find((c) => c.dimension === dimension && c.metric === metric)!;
  const depthClean = get('depth[0]', 'clean_top1');
  assert.equal(depthClean.n, 5);
  assert.ok(Math.abs(depthClean.spearman! - 8 / Math.sqrt(95)) < 1e-12);
  assert.ok(Math.abs(depthClean.kendall! - 7 / Math.sqrt(90)) < 1e-12);
  // scipy 1.10.1, tools/rank-correlation-reference.py case 'tie-in-y'.
  assert.ok(Math.abs(depthClean.spearmanP! - 0.08858700531354381) < 1e-9);
  assert.ok(Math.abs(depthClean.kendallP! - 0.07697417298126674) < 1e-9);
  // MACs rank the subnets as depth[0] does.
  assert.equal(get('macs', 'clean_top1').spearman, depthClean.spearman);
  // A missing metric drops its subnet from the pair count; a constant dimension has no correlation.
  assert.equal(get('params', 'nsd').n, 4);
  assert.deepEqual(get('kernel', 'nsd'), { dimension: 'kernel', metric: 'nsd', n: 4, spearman: null, spearmanP: null, kendall: null, kendallP: null });
  // By hand: params [100, 200, 400, 500] vs NSD [0.1, 0.2, 0.3, 0.05]: 3 concordant, 3 discordant pairs.
  assert.equal(get('params', 'nsd').kendall, 0);
  const front = (metric: string, cost: string) => a.pareto.find((p) => p.metric === metric && p.cost === cost)!.subnets;
  assert.deepEqual(front('clean_top1', 'macs'), ['s/1', 's/2', 's/3', 's/4']);
  assert.deepEqual(front('nsd', 'params'), ['s/1', 's/10']);
  assert.equal(a.pareto.length, 4);
});

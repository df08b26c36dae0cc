import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineChart } from './svg.js';

const points = (ys: number[]) => ys.map((y, i) => ({ x: i + 1, y }));
const circles = (svg: string) => [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);

test('lineChart: accuracies on a fixed [0,1] axis in percent; a loss on an axis up to its largest value', () => {
  const acc = lineChart([{ name: 'test top-1', points: points([0.5, 1]) }], { xLabel: 'epoch' });
  assert.match(acc, />100%</);
  assert.match(acc, /test top-1: 50\.0%/);
  const [[, yHalf], [, yOne]] = circles(acc);
  const loss = lineChart([{ name: 'train loss', points: points([4, 2]), color: '#c0392b' }], { xLabel: 'epoch', yLabel: 'loss', yMax: 'data' });
  assert.match(loss, /stroke="#c0392b"/);
  assert.match(loss, />4\.0</); // the axis top is the largest loss
  assert.doesNotMatch(loss, /%/);
  const [[x1, yFour], [x2, yTwo]] = circles(loss);
  // Same plot area: the largest value sits where 100% does, half of it where 50% does.
  assert.equal(yFour, yOne);
  assert.equal(yTwo, yHalf);
  assert.ok(x2 > x1);
});

test('lineChart: every distinct x is a tick up to 11, then about ten with the last kept; given ticks are used as they are', () => {
  const tickTexts = (svg: string) => [...svg.matchAll(/text-anchor="middle">([^<]+)<\/text>/g)].map((m) => m[1]).filter((t) => /^\d+$|^ε\d/.test(t));
  assert.deepEqual(tickTexts(lineChart([{ name: 'a', points: points(Array(5).fill(0.5)) }], { xLabel: 'epoch' })), ['1', '2', '3', '4', '5']);
  const many = tickTexts(lineChart([{ name: 'a', points: points(Array(30).fill(0.5)) }], { xLabel: 'epoch' }));
  assert.deepEqual(many, ['1', '4', '7', '10', '13', '16', '19', '22', '25', '28', '30']);
  assert.deepEqual(tickTexts(lineChart([{ name: 'a', points: [{ x: 0, y: 1 }] }], { xLabel: 'ε', xTicks: [{ x: 0, text: 'ε0' }, { x: 8, text: 'ε8' }] })), ['ε0', 'ε8']);
});

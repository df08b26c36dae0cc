import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleSubnets, spaceSize, summarizeSubnet, MAC_STRATA } from './sample.js';
import { largestChoices, smallestChoices, loadSpace, spaceHash } from './space.js';
import { tinyResNetSpace } from '../testing/nas-fixtures.js';
import { packagePath } from '../util/paths.js';

test('sampling is deterministic per seed and yields distinct subnets', () => {
  const space = tinyResNetSpace();
  const a = sampleSubnets(space, 60, 0);
  const b = sampleSubnets(space, 60, 0);
  assert.deepEqual(a, b);
  assert.equal(new Set(a.map((s) => s.id)).size, 60);
  const c = sampleSubnets(space, 60, 1);
  assert.notDeepEqual(c.map((s) => s.id), a.map((s) => s.id));
  // A longer draw with the same seed starts with the shorter one (a larger study extends a smaller one).
  assert.deepEqual(sampleSubnets(space, 80, 0).slice(0, 60), a);
});

test('MAC-stratified sampling is deterministic, distinct, and spreads over the MAC range', () => {
  const space = tinyResNetSpace();
  const s = sampleSubnets(space, 40, 3, 'macs');
  assert.deepEqual(s, sampleSubnets(space, 40, 3, 'macs'));
  assert.equal(new Set(s.map((x) => x.id)).size, 40);
  const uniform = sampleSubnets(space, 40, 3);
  const spread = (list: typeof s) => {
    const macs = list.map((x) => x.macs).sort((p, q) => p - q);
    return macs[Math.floor(0.9 * macs.length)] - macs[Math.floor(0.1 * macs.length)];
  };
  assert.ok(spread(s) >= spread(uniform), `stratified 10-90% MAC range ${spread(s)} vs uniform ${spread(uniform)}`);
  assert.equal(MAC_STRATA, 10);
});

test('sampling refuses more subnets than the space holds', () => {
  const space = tinyResNetSpace();
  assert.throws(() => sampleSubnets(space, spaceSize(space) + 1, 0), /distinct subnets, fewer than/);
  assert.throws(() => sampleSubnets(space, 0, 0), /positive integer/);
});

test('a subnet summary counts parameters and MACs; the largest subnet is the biggest', () => {
  const space = tinyResNetSpace();
  const big = summarizeSubnet(space, largestChoices(space));
  const small = summarizeSubnet(space, smallestChoices(space));
  assert.ok(big.params > small.params && big.macs > small.macs);
  assert.match(big.name, /^tiny-resnet\/[0-9a-f]{12}$/);
});

test('the bundled spaces load and hash', () => {
  for (const name of ['fashion-tiny', 'resnet-imagenet', 'mobilenet-imagenet']) {
    const space = loadSpace(packagePath(`nas/spaces/${name}.yaml`));
    assert.equal(space.name, name);
    assert.match(spaceHash(space), /^[0-9a-f]{16}$/);
    assert.ok(spaceSize(space) >= 1200, `${name} has ${spaceSize(space)} subnets`);
  }
});

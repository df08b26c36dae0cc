import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blocksForDuration, groupBlocks, neededBlocks, parseShardJobId, shardJobId } from './shard.js';
import { mapOptionPaths, mapPath, parsePathMapping } from './path-map.js';
import { RobustartError } from '../errors.js';

const ids = Array.from({ length: 10 }, (_, i) => `s${i}`);

test('needed blocks are batch-aligned, skip fully recorded blocks and blocks inside queued shards', () => {
  assert.deepEqual(neededBlocks(ids, 4, undefined, []), [0, 4, 8]);
  assert.deepEqual(neededBlocks(ids, 4, new Set(['s0', 's1', 's2', 's3', 's5']), []), [4, 8]);
  assert.deepEqual(neededBlocks(ids, 4, new Set(ids), []), []);
  assert.deepEqual(neededBlocks(ids, 4, undefined, [{ condition: 0, start: 4, end: 10 }]), [0]);
});

test('blocks group into shards of at most N consecutive blocks; the last block may be short', () => {
  assert.deepEqual(groupBlocks(1, [0, 4, 8], 2, 4, 10), [
    { condition: 1, start: 0, end: 8 },
    { condition: 1, start: 8, end: 10 },
  ]);
  // A gap (a recorded block) starts a new shard, so no shard recomputes stored records.
  assert.deepEqual(groupBlocks(0, [0, 8], 5, 4, 10), [
    { condition: 0, start: 0, end: 4 },
    { condition: 0, start: 8, end: 10 },
  ]);
});

test('shard size follows the measured cost per sample', () => {
  assert.equal(blocksForDuration(0.01, 60, 32), 188); // 6000 samples a minute, 32 per block
  assert.equal(blocksForDuration(10, 60, 32), 1); // never less than one batch
  assert.equal(blocksForDuration(0, 60, 32), 1);
});

test('a shard job id round-trips and names its run', () => {
  const range = { condition: 3, start: 64, end: 128 };
  assert.deepEqual(parseShardJobId('abc', shardJobId('abc', range)), range);
  assert.equal(parseShardJobId('other', shardJobId('abc', range)), undefined);
  assert.equal(parseShardJobId('abc', 'abc-1-2'), undefined);
});

test('path maps rewrite the dataset root and path-valued options, nothing else', () => {
  const maps = [parsePathMapping('/data/imagenet/=/mnt/in')];
  assert.equal(mapPath('/data/imagenet', maps), '/mnt/in');
  assert.equal(mapPath('/data/imagenet/val', maps), '/mnt/in/val');
  assert.equal(mapPath('/data/imagenet-c', maps), '/data/imagenet-c');
  assert.deepEqual(mapOptionPaths({ 'imagenet-c': '/data/imagenet/c', severities: '1-5', steps: 3 }, maps), { 'imagenet-c': '/mnt/in/c', severities: '1-5', steps: 3 });
  assert.throws(() => parsePathMapping('/only-one-side'), RobustartError);
});

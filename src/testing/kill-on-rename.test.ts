import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killChildAfterRename, tempDir } from './fixtures.js';

test('a child preloaded with kill-on-rename dies by SIGKILL right after its file is renamed into place, not before', async () => {
  const dir = tempDir();
  const script = join(dir, 'writes.mjs');
  // An ES module importing renameSync by name, as the checkpoint writer does: another file first, then the target,
  // then a marker that must never be written.
  writeFileSync(script, [
    `import { renameSync, writeFileSync } from 'node:fs';`,
    `const [other, target, after] = process.argv.slice(2);`,
    `writeFileSync(other + '.tmp', 'x'); renameSync(other + '.tmp', other);`,
    `writeFileSync(target + '.tmp', 'x'); renameSync(target + '.tmp', target);`,
    `writeFileSync(after, 'x');`,
  ].join('\n'));
  const [other, target, after] = ['other', 'ckpt', 'after'].map((f) => join(dir, f));
  const killed = await killChildAfterRename([script, other, target, after], target);
  assert.equal(killed.signal, 'SIGKILL', killed.stderr);
  assert.ok(existsSync(other) && existsSync(target), 'both renames happened');
  assert.equal(existsSync(after), false, 'nothing ran after the target was renamed');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvField, csvText } from './csv.js';

test('CSV fields are quoted only when they hold a comma, quote or line break', () => {
  assert.equal(csvField(null), '');
  assert.equal(csvField(0.25), '0.25');
  assert.equal(csvField('depth[0]'), 'depth[0]');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField({ a: 1 }), '"{""a"":1}"');
  assert.equal(csvText(['x', 'y'], [[1, null], ['p,q', 2]]), 'x,y\n1,\n"p,q",2\n');
});

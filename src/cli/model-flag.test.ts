import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveModel } from '../model/resolve.js';
import { ModelNotFoundError } from '../model/load.js';
import type { ModelLookup } from '../model/registry.js';
import { asModelCommandHint } from './model-flag.js';

// The three ways a model is not found: the library's message names no command; the CLI words the remedy as its commands.
const stale: ModelLookup = { getModel: (name) => ({ name, path: '/gone/m.onnx', sha256: '', metadata: {}, parameters: null, macs: null, addedAt: '' }) };
const cases: [string, () => unknown, RegExp, RegExp][] = [
  ['missing file', () => resolveModel('/nope/m.onnx'), /^model file not found: \/nope\/m\.onnx; pass the path of an existing \.onnx file, or a bundled or registered model's name$/, /^model file not found: \/nope\/m\.onnx; pass an existing \.onnx path or a registered model name \(robustart models list\)$/],
  ['stale registration', () => resolveModel('mine', stale), /^registered model 'mine' points to \/gone\/m\.onnx, which no longer exists; register it again with the file's current path$/, /; re-add it with robustart models add mine <path>$/],
  ['unknown name', () => resolveModel('no-such-model'), /^'no-such-model' is neither a model file nor a bundled or registered model; pass the path of an \.onnx file, or a bundled or registered model's name$/, /; pass a path to an \.onnx file, or see robustart models list$/],
];

for (const [name, resolve, library, cli] of cases) {
  test(`model not found (${name}): a library message without CLI words, mapped to the CLI's commands`, () => {
    const err = (() => {
      try {
        resolve();
      } catch (caught) {
        return caught;
      }
      assert.fail('resolved');
    })();
    assert.ok(err instanceof ModelNotFoundError);
    assert.match(err.message, library);
    assert.doesNotMatch(err.message, /robustart |--/);
    assert.match((asModelCommandHint(err) as Error).message, cli);
  });
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseModelMetadata, resolveModelMetadata, decodeMetadataProps } from './metadata.js';
import { RobustartError } from '../errors.js';
import { tempDir } from '../testing/fixtures.js';

test('timm defaults fill what a model leaves out', () => {
  const m = parseModelMetadata({ input_size: [3, 224, 224], num_classes: 1000 }, 'x');
  assert.equal(m.interpolation, 'bicubic');
  assert.equal(m.crop_pct, 0.875);
  assert.deepEqual(m.mean, [0.485, 0.456, 0.406]);
  assert.deepEqual(m.std, [0.229, 0.224, 0.225]);
  assert.equal(m.family, 'other');
});

const invalid: [string, Record<string, unknown>, RegExp][] = [
  ['unknown interpolation', { input_size: [3, 8, 8], num_classes: 2, interpolation: 'cubic' }, /field 'interpolation'.*"cubic"/],
  ['crop_pct above 1', { input_size: [3, 8, 8], num_classes: 2, crop_pct: 1.2 }, /field 'crop_pct'/],
  ['zero std', { input_size: [3, 8, 8], num_classes: 2, std: [0.2, 0, 0.2] }, /field 'std'.*> 0/],
  ['input_size of two numbers', { input_size: [224, 224], num_classes: 2 }, /field 'input_size'/],
  ['non-integer class count', { input_size: [3, 8, 8], num_classes: 2.5 }, /field 'num_classes'/],
  ['labels of the wrong length', { input_size: [3, 8, 8], num_classes: 3, labels: ['a', 'b'] }, /field 'labels'.*num_classes/],
  ['unknown family', { input_size: [3, 8, 8], num_classes: 2, family: 'RNN' }, /field 'family'/],
];
for (const [what, raw, message] of invalid) {
  test(`metadata validation names the field: ${what}`, () => {
    assert.throws(() => parseModelMetadata(raw, 'model.onnx'), (err: unknown) => err instanceof RobustartError && message.test(err.message) && err.message.includes('model.onnx') && !err.message.includes('\n'));
  });
}

test('metadata_props values are JSON when they parse, strings otherwise', () => {
  assert.deepEqual(decodeMetadataProps({ input_size: '[3,32,32]', interpolation: 'bilinear', crop_pct: '0.9' }), { input_size: [3, 32, 32], interpolation: 'bilinear', crop_pct: 0.9 });
});

test('the sidecar JSON overrides metadata_props; the graph fills only what neither gives', () => {
  const dir = tempDir();
  const model = join(dir, 'net.onnx');
  writeFileSync(join(dir, 'net.json'), JSON.stringify({ crop_pct: 0.95, mean: [0.1, 0.2, 0.3] }));
  const m = resolveModelMetadata(model, { crop_pct: '0.8', interpolation: '"bilinear"' }, { input_size: [3, 64, 64], num_classes: 7 });
  assert.equal(m.crop_pct, 0.95);
  assert.equal(m.interpolation, 'bilinear');
  assert.deepEqual(m.mean, [0.1, 0.2, 0.3]);
  assert.deepEqual(m.input_size, [3, 64, 64]);
  assert.equal(m.num_classes, 7);
});

test('a timm pretrained_cfg nested in the sidecar is understood', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'vit.json'), JSON.stringify({ architecture: 'vit_tiny', pretrained_cfg: { input_size: [3, 224, 224], interpolation: 'bicubic', crop_pct: 0.9, num_classes: 1000 } }));
  const m = resolveModelMetadata(join(dir, 'vit.onnx'), {}, {});
  assert.equal(m.crop_pct, 0.9);
  assert.equal(m.num_classes, 1000);
});

test('missing input_size with a dynamic graph input is an actionable error', () => {
  const dir = tempDir();
  assert.throws(() => resolveModelMetadata(join(dir, 'm.onnx'), {}, { num_classes: 10 }), /input_size is missing.*m\.json/);
});

test('a sidecar that is not JSON is named in the error', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'm.json'), '{ nope');
  assert.throws(() => resolveModelMetadata(join(dir, 'm.onnx'), {}, { input_size: [3, 8, 8], num_classes: 2 }), /m\.json is not valid JSON/);
});

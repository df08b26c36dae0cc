import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { execFileSync, spawnSync } from 'node:child_process';
import { Graph } from '../../onnx/graph.js';
import { readModel } from '../../onnx/proto.js';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const EXPORT = fileURLToPath(new URL('../../../fixtures/zoo/import/regnet_x.onnx', import.meta.url));
const robustart = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });

test('robustart zoo list filters by family and prints counts; --json has every field', () => {
  const text = execFileSync(process.execPath, [MAIN, 'zoo', 'list', '--family', 'MLP'], { encoding: 'utf8' });
  assert.match(text, /\nmixer_b16_224 +MLP +mixer +59\.88M +12\.60G +3×224² +timm:mixer_b16_224\n/);
  assert.doesNotMatch(text, /resnet/);
  const rows = JSON.parse(execFileSync(process.execPath, [MAIN, 'zoo', 'list', '--family', 'vit', '--json'], { encoding: 'utf8' }));
  const deit = rows.find((r: { name: string }) => r.name === 'deit_tiny_patch16_224');
  assert.deepEqual([deit.family, deit.parameters, deit.resolution], ['ViT', 5_717_416, 224]);
  const bad = robustart('zoo', 'list', '--family', 'RNN');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--family RNN matches no preset; use CNN, ViT, MLP or one of resnet/);
});

test('robustart zoo build writes a rescaled preset with timm metadata; zoo import maps weights by name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'robustart-zoo-'));
  const built = join(dir, 'r.onnx');
  execFileSync(process.execPath, [MAIN, 'zoo', 'build', 'regnet_x_400mf', '--width', '0.25', '--depth', '0.3', '--resolution', '64', '--classes', '7', '--seed', '3', '--out', built]);
  const g = Graph.fromModel(readModel(built));
  assert.deepEqual(JSON.parse(g.metadata.input_size), [3, 64, 64]);
  assert.equal(JSON.parse(g.metadata.num_classes), 7);
  assert.equal(JSON.parse(g.metadata.family), 'CNN');
  assert.equal(JSON.parse(g.metadata.architecture), 'regnet_x_400mf');
  assert.ok(g.initializers.has('trunk_output.block1.block1-0.f.b.0.weight'));
  // Import from a build with other weights (same shapes): every parameter takes the source's values.
  const imported = join(dir, 'i.onnx');
  execFileSync(process.execPath, [MAIN, 'zoo', 'import', 'regnet_x_400mf', '--from', built, '--out', imported, '--width', '0.25', '--depth', '0.3', '--resolution', '64', '--classes', '7']);
  const h = Graph.fromModel(readModel(imported));
  assert.deepEqual(Array.from(h.initializers.get('fc.weight')!.data as Float32Array), Array.from(g.initializers.get('fc.weight')!.data as Float32Array));
  // A torchvision export that does not fit the preset: one line naming the first tensor.
  const r = robustart('zoo', 'import', 'regnet_x_400mf', '--from', EXPORT, '--out', join(dir, 'x.onnx'));
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /regnet_x\.onnx: tensor stem\.0\.weight has dims \[8, 3, 3, 3\] but the model needs \[32, 3, 3, 3\]/);
  const unknown = robustart('zoo', 'show', 'resnet51');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown model resnet51/);
});

// Transfer attacks: the source × target matrix from the one attack pipeline, its white-box diagonal equal to the attack
// command's own AR, stored per source, and the CLI's matrix output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolveModel } from '../model/resolve.js';
import { loadModelFile } from '../model/load.js';
import { createDifferentiableClassifier } from '../autodiff/classifier.js';
import { loadDataset, limitSamples } from '../data/dataset.js';
import { loadImages } from '../data/batch.js';
import { packagePath } from '../util/paths.js';
import { ResultStore } from '../store/store.js';
import { tempDir, writeTinyClassifier } from '../testing/fixtures.js';
import { runAttack } from '../noise/adversarial/suite.js';
import { transferPlans } from '../noise/adversarial/protocols.js';
import { runTransfer, type TransferCell } from './transfer.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const DATA = packagePath('demo/data/fashion-mnist');

test('transfer: source × target AR matrix, the white-box diagonal equals runAttack, stored per source; the CLI prints it', { timeout: 120_000 }, async () => {
  const dir = tempDir('robustart-transfer-');
  const tinyPath = writeTinyClassifier(join(dir, 'tiny.onnx'), { numClasses: 10, inputSize: 32, seed: 3 });
  const store = new ResultStore(join(dir, 'results.sqlite'));
  const cnn = resolveModel('fashion-cnn'), tiny = loadModelFile(tinyPath, 'tiny');
  const models = await Promise.all([cnn, tiny].map(async (m) => ({ name: m.name, sha256: m.sha256, classifier: await createDifferentiableClassifier(m.pixelModelBytes) })));
  try {
    const dataset = loadDataset(DATA, cnn.metadata.labels);
    const samples = limitSamples(dataset, 16, 2);
    const images = await loadImages(samples, cnn);
    const plans = transferPlans('robustart-paper');
    assert.deepEqual(plans, [{ attack: 'fgsm', norm: 'linf', epsilons: [0.5 / 255, 2 / 255, 8 / 255] }]);
    const result = await runTransfer({ sources: models, targets: models, dataset, samples, images, plans, seed: 0, batchSize: 5, protocol: 'robustart-paper', store });
    assert.equal(result.cells.length, 2 * 2 * 3);
    const white = await runAttack(models[0].classifier, plans, images, Int32Array.from(samples, (s) => s.label), { seed: 0, sampleIds: samples.map((s) => s.id) });
    for (const [k, run] of white.runs.entries()) {
      const cell: TransferCell = result.cells.find((c) => c.source === 'fashion-cnn' && c.target === 'fashion-cnn' && c.eps === plans[0].epsilons[k])!;
      assert.equal(cell.ar, run.summary.ar, `white-box diagonal at ${cell.condition}`);
      assert.equal(cell.robustAccuracy, run.summary.robustAccuracy);
    }
    const strong = result.cells.find((c) => c.source === 'fashion-cnn' && c.target === 'fashion-cnn' && c.eps === 8 / 255)!;
    assert.ok(strong.ar < 1, 'FGSM at 8/255 fools the CNN on some samples');
    const stored = store.metrics(result.runs['fashion-cnn']).filter((m) => m.noise === 'tiny').map((m) => m.name).sort();
    assert.deepEqual(stored, ['ar/fgsm/linf/0.5/255', 'ar/fgsm/linf/2/255', 'ar/fgsm/linf/8/255', 'clean_accuracy', 'robust_accuracy/fgsm/linf/0.5/255', 'robust_accuracy/fgsm/linf/2/255', 'robust_accuracy/fgsm/linf/8/255']);
    assert.equal(store.getRun(result.runs.tiny)!.suite, 'transfer');

    const cli = spawnSync(process.execPath, [CLI, 'transfer', '--sources', 'fashion-cnn', '--targets', `fashion-cnn,${tinyPath}`, '--data', DATA, '--limit', '16', '--seed', '2', '--eps', '8/255', '--store', join(dir, 'cli.sqlite')], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /fgsm\/linf\/8\/255\nsource \\ target\s+fashion-cnn\s+tiny\n/);
    const bad = spawnSync(process.execPath, [CLI, 'transfer', '--sources', 'fashion-cnn', '--targets', 'nope-model', '--data', DATA, '--store', join(dir, 'cli.sqlite')], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  } finally {
    for (const m of models) await m.classifier.release();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

// An attack from outside the package: one short file on the exported building blocks (Oracle, checkBatch, finish),
// registered with registerAttack, then run through runEvaluation and through the published CLI (its bin, with
// --plugin), where the plugin imports robustart by name as a user's project does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PUBLISHED_CLI as BIN, projectDir } from '../testing/fixtures.js';
import { packagePath } from '../util/paths.js';
import { runEvaluation } from './run.js';
import { attackEntry } from '../noise/adversarial/registry.js';

const LIBRARY = pathToFileURL(fileURLToPath(new URL('../index.js', import.meta.url))).href;
const DATA = packagePath('demo/data/fashion-mnist');

/** Random sign noise at the budget's corners, a few tries per sample: a score-free baseline in a dozen lines. */
const plugin = (library: string) => `
import { registerAttack, Oracle, checkBatch, finish } from ${JSON.stringify(library)};
class RandomCorners {
  name = 'random-corners'; kind = 'score-based'; minimumNorm = false;
  constructor(model, o) { this.model = model; this.norm = o.norm; this.eps = o.eps; this.tries = o.queries ?? 4; this.settings = { attack: this.name, norm: o.norm, eps: o.eps, queries: this.tries }; }
  async run(images, labels, batch, rngs) {
    checkBatch(this.model, images, labels, batch, rngs);
    const oracle = new Oracle(this.model, batch), size = oracle.size, adversarial = images.slice();
    for (let i = 0; i < batch; i++) for (let t = 0; t < this.tries; t++) {
      const x = images.slice(i * size, (i + 1) * size).map((v) => Math.min(1, Math.max(0, v + (rngs[i].uniform() < 0.5 ? -this.eps : this.eps))));
      const logits = await oracle.logits(x, [i]);
      const top = logits.indexOf(Math.max(...logits));
      if (top !== labels[i]) { adversarial.set(x, i * size); break; }
    }
    return finish(oracle, images, adversarial, labels, batch, this.norm);
  }
}
registerAttack('random-corners', { summary: 'random sign noise at the corners of the L∞ ball', kind: 'score-based', norms: ['linf'], minimumNorm: false, targeted: false,
  factory: (model, options) => new RandomCorners(model, options) });
`;

test('an outside attack registered with registerAttack runs through runEvaluation and the CLI', { timeout: 120_000 }, async () => {
  const dir = projectDir('robustart-outside-attack-');
  try {
    // In this process the library is tsc's modules, imported by URL; the CLI's plugin imports the package by name.
    const inProcess = join(dir, 'random-corners-here.mjs');
    writeFileSync(inProcess, plugin(LIBRARY));
    await import(pathToFileURL(inProcess).href);
    assert.equal(attackEntry('random-corners').kind, 'score-based');
    const result = await runEvaluation({
      model: 'fashion-cnn', data: DATA, suite: 'adversarial', limit: 6, batchSize: 4, workers: 0, store: join(dir, 'results.sqlite'),
      suiteOptions: { attacks: 'random-corners:linf,fgsm:linf', eps: '16/255', queries: 3 },
    });
    assert.deepEqual([...result.perCondition.keys()], ['clean', 'random-corners/linf/16/255', 'fgsm/linf/16/255']);
    assert.ok(typeof result.suiteMetrics['ar/random-corners/linf/16/255'] === 'number');
    assert.ok(typeof result.suiteMetrics['wcar/linf/16/255'] === 'number');

    const published = join(dir, 'random-corners.mjs');
    writeFileSync(published, plugin('robustart'));
    const cli = spawnSync(process.execPath, [BIN, '--plugin', published, 'attack', '--model', 'fashion-cnn', '--data', DATA, '--attack', 'random-corners', '--eps', '16/255', '--queries', '3', '--limit', '6', '--json'], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    const out = JSON.parse(cli.stdout) as { runs: { attack: string; queriesPerSuccess: number | null; meanQueries: number }[]; samples: { results: { attack: string; queries: number }[] }[] };
    assert.equal(out.runs[0].attack, 'random-corners');
    assert.ok(out.samples.every((s) => s.results[0].attack === 'random-corners' && s.results[0].queries <= 3));
    const unknown = spawnSync(process.execPath, [BIN, 'attack', '--model', 'fashion-cnn', '--data', DATA, '--attack', 'random-corners', '--eps', '16/255'], { encoding: 'utf8' });
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown attack 'random-corners'; choose one of fgsm, bim, pgd/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Outside suites and corruptions register through the same calls as the built-ins and run through the library
// (runEvaluation) and the CLI (--plugin FILE); their options are validated by their own schemas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { tempDir, writeImageFolder, writeTinyClassifier } from '../testing/fixtures.js';
import { runEvaluation } from './run.js';
import { registerSuite, findSuite } from './suites/index.js';
import { registerCorruption, getCorruption } from '../noise/natural/registry.js';
import { numberOption, InvalidOptionError } from '../util/options.js';
import type { FloatImage } from '../data/image.js';
import type { Suite } from './suite.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const LIBRARY = pathToFileURL(fileURLToPath(new URL('../index.js', import.meta.url))).href;

/** Inverts the image: every prediction changes, so a record that used it is told from a clean one. */
const invert = (image: FloatImage): FloatImage => ({ ...image, data: image.data.map((v) => 1 - v) });

const darken = {
  name: 'darken',
  description: 'every image scaled by a factor',
  options: z.object({ factor: numberOption({ min: 0, max: 1 }).default(0.5).describe('brightness factor') }),
  conditions: (context: { options: { factor: number } }) => [
    { name: `darken/${context.options.factor}`, imageNoise: { name: 'darken', apply: (image: FloatImage) => ({ ...image, data: image.data.map((v) => v * context.options.factor) }) } },
  ],
  summarize: (perCondition: ReadonlyMap<string, { top1: number }>) => ({ darkened_top1: [...perCondition.values()][0]?.top1 ?? null }),
} satisfies Suite<z.ZodObject<{ factor: z.ZodDefault<ReturnType<typeof numberOption>> }>>;

async function fixture() {
  const dir = tempDir();
  await writeImageFolder(join(dir, 'data'), ['a', 'b', 'c'], 2);
  const model = writeTinyClassifier(join(dir, 'tiny.onnx'), { numClasses: 3 });
  return { dir, model, data: join(dir, 'data') };
}

test('an outside corruption and an outside suite run through runEvaluation', async () => {
  const { dir, model, data } = await fixture();
  registerCorruption({ name: 'outside_invert', group: 'digital', extra: true, parameters: [1, 2, 3, 4, 5], apply: (image) => invert(image) });
  assert.equal(getCorruption('outside_invert').name, 'outside_invert');
  assert.throws(() => registerCorruption({ name: 'outside_invert', group: 'digital', extra: true, parameters: [1, 2, 3, 4, 5], apply: invert }), /already registered/);
  const store = join(dir, 'r.db');
  const natural = await runEvaluation({ model, data, store, suite: 'natural', workers: 0, suiteOptions: { corruptions: 'outside_invert', severities: [2] } });
  assert.deepEqual([...natural.perCondition.keys()], ['clean', 'outside_invert/2']);
  assert.equal(natural.perCondition.get('outside_invert/2')!.count, 6);

  // A suite object runs without registering; its options are typed and validated by its schema.
  const byObject = await runEvaluation({ model, data, store, suite: darken, workers: 0, suiteOptions: { factor: 0.25 } });
  assert.deepEqual([...byObject.perCondition.keys()], ['darken/0.25']);
  assert.equal(byObject.suiteMetrics.darkened_top1, byObject.perCondition.get('darken/0.25')!.top1);
  await assert.rejects(runEvaluation({ model, data, store, suite: darken, suiteOptions: { factor: 3 } }), (err: unknown) => {
    assert.ok(err instanceof InvalidOptionError);
    assert.equal(err.message, "suite darken: option factor 3 is not allowed; allowed: a number from 0 to 1");
    return true;
  });
  registerSuite({ ...darken, name: 'darken-registered' });
  assert.equal(findSuite('darken-registered').name, 'darken-registered');
  const byName = await runEvaluation({ model, data, store, suite: 'darken-registered', workers: 0 });
  assert.deepEqual([...byName.perCondition.keys()], ['darken/0.5'], 'the schema default applies');
  await assert.rejects(runEvaluation({ model, data, store, suite: 'natural', suiteOptions: { severities: '0-7' } }), /^InvalidOptionError: suite natural: option severities '0-7' is not allowed; allowed: severities 1 to 5/);
  await assert.rejects(runEvaluation({ model, data, store, suite: 'natural', suiteOptions: { colour: 'red' } }), /option colour .* no such option; options are corruptions, severities/);
});

test('the CLI loads a plugin that registers a suite and a corruption, with flags from their schemas', { timeout: 60_000 }, async () => {
  const { dir, model, data } = await fixture();
  const plugin = join(dir, 'plugin.mjs');
  writeFileSync(plugin, `
export function register({ registerSuite, registerCorruption, numberOption }) {
  registerCorruption({ name: 'plugin_invert', group: 'digital', extra: true, parameters: [1, 2, 3, 4, 5], apply: (image) => ({ ...image, data: image.data.map((v) => 1 - v) }) });
}
`);
  // A second plugin imports the library by URL and registers at import time.
  const suitePlugin = join(dir, 'suite-plugin.mjs');
  writeFileSync(suitePlugin, `
import { registerSuite, numberOption } from ${JSON.stringify(LIBRARY)};
import { z } from ${JSON.stringify(import.meta.resolve('zod'))};
registerSuite({
  name: 'darken',
  description: 'every image scaled by a factor',
  options: z.object({ factor: numberOption({ min: 0, max: 1 }).default(0.5).describe('brightness factor') }),
  conditions: (context) => [{ name: 'darken/' + context.options.factor, imageNoise: { name: 'darken', apply: (image) => ({ ...image, data: image.data.map((v) => v * context.options.factor) }) } }],
});
`);
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, '--plugin', plugin, '--plugin', suitePlugin, ...args], { encoding: 'utf8' });
  const store = join(dir, 'r.db');
  const help = run('eval', '--help');
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /darken:\n\s+--factor X\s+brightness factor \(a number from 0 to 1\)/);
  assert.match(help.stdout, /natural:\n\s+--corruptions VALUE/);

  const suite = run('eval', '--model', model, '--data', data, '--store', store, '--suite', 'darken', '--factor', '0.25', '--workers', '0', '--json');
  assert.equal(suite.status, 0, suite.stderr);
  assert.deepEqual(Object.keys(JSON.parse(suite.stdout).conditions), ['darken/0.25']);

  const corruption = run('eval', '--model', model, '--data', data, '--store', store, '--suite', 'natural', '--corruptions', 'plugin_invert', '--severities', '1', '--workers', '0', '--json');
  assert.equal(corruption.status, 0, corruption.stderr);
  assert.deepEqual(Object.keys(JSON.parse(corruption.stdout).conditions), ['clean', 'plugin_invert/1']);

  const bad = run('eval', '--model', model, '--data', data, '--store', store, '--suite', 'darken', '--factor', '7');
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, 'robustart: suite darken: --factor 7 is not allowed; allowed: a number from 0 to 1\n');
  const foreign = run('eval', '--model', model, '--data', data, '--store', store, '--factor', '0.5');
  assert.equal(foreign.status, 2);
  assert.match(foreign.stderr, /^robustart: eval: --factor is an option of suite darken, not of clean/);
  const missing = spawnSync(process.execPath, [CLI, '--plugin', join(dir, 'nope.mjs'), 'eval', '--help'], { encoding: 'utf8' });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /plugin .*nope\.mjs does not exist/);
});

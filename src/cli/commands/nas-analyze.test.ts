import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { RobustartError } from '../../errors.js';
import { packagePath } from '../../util/paths.js';
import { tempDir } from '../../testing/fixtures.js';
import { TEST_SUBNETS, writeNasStore } from '../../testing/nas-store.js';
import { runNasAnalyze } from './nas-analyze.js';

async function analyze(values: Record<string, unknown>): Promise<string> {
  let text = '';
  const stdout = new Writable({ write: (chunk, _encoding, done) => ((text += String(chunk)), done()) });
  assert.equal(await runNasAnalyze(values, stdout), 0);
  return text;
}

test('nas analyze prints a summary and exports JSON and the three CSV tables', async () => {
  const dir = tempDir();
  const store = await writeNasStore(dir, { suites: [{ suite: 'clean' }, { suite: 'system', options: { decoders: 'sharp,jpegjs', resizers: 'pil-bilinear,cv2-linear' } }] });
  const summary = await analyze({ store });
  // The space by name or by its file, as the other nas actions take it (a whole space file, checked as one).
  const spaceFile = join(dir, 'space.yaml');
  writeFileSync(spaceFile, readFileSync(packagePath('nas/spaces/fashion-tiny.yaml'), 'utf8').replace(/^name: .*$/m, 'name: tiny-cnn'));
  assert.equal(await analyze({ store, space: spaceFile }), summary);
  assert.equal(await analyze({ store, space: 'tiny-cnn' }), summary);
  assert.match(summary, new RegExp(`search space tiny-cnn: ${TEST_SUBNETS.length} subnets, ${TEST_SUBNETS.length} evaluated on dataset [0-9a-f]{12}`));
  assert.match(summary, /rank correlations \(strongest first\)\n/);
  assert.match(summary, /Pareto fronts against MACs/);

  const out = join(dir, 'export', 'nas.json');
  assert.match(await analyze({ store, format: 'json', out }), /wrote the analysis of 5 subnets of tiny-cnn to /);
  const json = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(json.subnets.length, TEST_SUBNETS.length);
  assert.deepEqual(json.columns.map((c: { key: string }) => c.key), ['clean_top1', 'nsd', 'worst_top1']);
  assert.equal(json.correlations.length, (3 + 2) * 3);

  const subnets = (await analyze({ store, format: 'csv' })).trim().split('\n');
  assert.equal(subnets[0], 'name,subnet,depth,width[0],width[1],params,macs,clean_top1,nsd,worst_top1,run/clean,run/system');
  assert.equal(subnets.length, 1 + TEST_SUBNETS.length);
  assert.match(subnets[1], /^tiny-cnn\/0,0,1,4,4,\d+,\d+,/);
  const correlations = (await analyze({ store, format: 'csv', table: 'correlations' })).trim().split('\n');
  assert.equal(correlations[0], 'dimension,metric,n,spearman,spearman_p,kendall_tau_b,kendall_p');
  assert.equal(correlations.length, 1 + 15);
  const pareto = (await analyze({ store, format: 'csv', table: 'pareto' })).trim().split('\n');
  assert.equal(pareto[0], 'metric,cost,rank,name,cost_value,metric_value');
  assert.ok(pareto.slice(1).some((line) => line.startsWith('clean_top1,macs,0,tiny-cnn/0,')), 'the cheapest subnet starts the clean top-1 front');
});

test('nas analyze refuses bad flags and a missing store in one line', async () => {
  const dir = tempDir();
  const refuses = async (values: Record<string, unknown>, pattern: RegExp) => {
    await assert.rejects(analyze(values), (err: Error) => err instanceof RobustartError && pattern.test(err.message) && !err.message.includes('\n'));
  };
  await refuses({ format: 'xml' }, /--format xml is not supported; use json or csv/);
  await refuses({ format: 'csv', table: 'fronts' }, /--table fronts is not a table; use subnets, correlations, pareto/);
  await refuses({ table: 'pareto' }, /--table chooses a CSV table; add --format csv/);
  await refuses({ out: join(dir, 'x.json') }, /--out writes an export; add --format json or --format csv/);
  await refuses({ store: join(dir, 'missing.db') }, /no results database at .*missing.db/);
  // A space file is checked as a whole before the store is opened: a name alone is not a space.
  writeFileSync(join(dir, 'name-only.yaml'), 'name: tiny-cnn\n');
  await refuses({ space: join(dir, 'name-only.yaml'), store: join(dir, 'missing.db') }, /name-only\.yaml: [a-z]+: /);
  writeFileSync(join(dir, 'broken.yaml'), 'name: [tiny\n');
  await refuses({ space: join(dir, 'broken.yaml') }, /broken\.yaml is not valid YAML\/JSON/);
});
